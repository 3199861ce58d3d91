"""Connections for database and HTTP sources, without importing Airflow.

A source names an Airflow connection id. The library asks a :class:`ConnectionResolver` for what
it needs (a SQLAlchemy URL, or an HTTP base URL with auth headers). Two implementations share
the translation from connection fields (:class:`FieldsResolver`):

* :class:`EnvConnections` reads ``AIRFLOW_CONN_<ID>`` values (URI or JSON, as Airflow accepts
  them in tests) from a mapping the caller passes (the CLI passes ``os.environ``);
* the DAG side implements :meth:`FieldsResolver.fields` over ``airflow.sdk.Connection.get``.

Secrets never reach ``repr``, logs or messages.
"""

from __future__ import annotations

import base64
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

from etl.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

#: Airflow connection type -> SQLAlchemy driver (``extra.sqlalchemy_scheme`` overrides it).
SQL_DRIVERS: dict[str, str] = {
    "postgres": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
    "sqlite": "sqlite",
}
_EXTRA_KEY = "__extra__"
#: Connection extras passed on as URL query parameters (driver connect options).
_URL_EXTRAS: dict[str, frozenset[str]] = {
    "postgres": frozenset(
        {
            "sslmode",
            "sslcert",
            "sslkey",
            "sslrootcert",
            "connect_timeout",
            "application_name",
            "options",
            "target_session_attrs",
        }
    ),
    "mysql": frozenset({"charset", "ssl_ca", "ssl_cert", "ssl_key", "connect_timeout"}),
    "mariadb": frozenset({"charset", "ssl_ca", "ssl_cert", "ssl_key", "connect_timeout"}),
}


@dataclass(frozen=True)
class ConnectionFields:
    """The fields of an Airflow connection (``conn_type``, ``host``, ``schema`` …)."""

    conn_id: str
    conn_type: str
    host: str | None = None
    schema: str | None = None
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    port: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_uri(cls, conn_id: str, uri: str) -> ConnectionFields:
        """Parse an Airflow connection URI (``postgres://user:pw@host:5432/db?k=v``).

        Follows Airflow's rules: ``postgresql`` is type ``postgres``; ``-`` in the type is
        ``_``; the path is the schema; query parameters (JSON-decoded when they parse) or one
        ``__extra__`` JSON parameter are the extra; ``http://https://host`` keeps the protocol
        in the host.

        Raises:
            ConfigError: the URI cannot be parsed (the value is not repeated).
        """
        try:
            return _parse_uri(conn_id, uri)
        except (ValueError, json.JSONDecodeError):
            raise ConfigError(f"connection {conn_id!r} is not a valid connection URI") from None

    @classmethod
    def from_json(cls, conn_id: str, text: str) -> ConnectionFields:
        """Parse Airflow's JSON form (``{"conn_type": "postgres", "host": …}``)."""
        try:
            data = json.loads(text)
            extra = data.get("extra") or {}
            extra = json.loads(extra) if isinstance(extra, str) else extra
            port = data.get("port")
            return cls(
                conn_id=conn_id,
                conn_type=_normalize_type(str(data.get("conn_type") or "")),
                host=data.get("host"),
                schema=data.get("schema"),
                login=data.get("login"),
                password=data.get("password"),
                port=int(port) if port not in (None, "") else None,
                extra=dict(extra),
            )
        except (ValueError, TypeError, AttributeError):
            raise ConfigError(f"connection {conn_id!r} is not valid connection JSON") from None


def _normalize_type(conn_type: str) -> str:
    return "postgres" if conn_type == "postgresql" else conn_type.replace("-", "_")


def _parse_uri(conn_id: str, uri: str) -> ConnectionFields:
    if uri.count("://") > 2:
        raise ValueError("too many schemes")
    with_protocol = uri.count("://") == 2
    scheme = urlsplit(uri).scheme
    rest = uri.replace(f"{scheme}://", "" if with_protocol else "//", 1)
    parts = urlsplit(rest)
    host = unquote(parts.hostname or "")
    if "/" in host:  # urlsplit lowercases and splits oddly: take the netloc as Airflow does
        host = parts.netloc.rsplit("@", 1)[-1].split(":", 1)[0]
    if with_protocol and host:
        host = f"{parts.scheme}://{host}"
    extra: dict[str, Any] = {}
    if parts.query:
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if _EXTRA_KEY in query:
            extra = dict(json.loads(query[_EXTRA_KEY]))
        else:
            for key, value in query.items():
                try:
                    extra[key] = json.loads(value) if value else value
                except json.JSONDecodeError:
                    extra[key] = value
    return ConnectionFields(
        conn_id=conn_id,
        conn_type=_normalize_type(scheme),
        host=host or None,
        schema=unquote(parts.path[1:]) or None,
        login=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        port=parts.port,
        extra=extra,
    )


@dataclass(frozen=True)
class HttpTarget:
    """Where an HTTP source's requests go.

    Attributes:
        base_url: scheme, host and port (and a base path), without a trailing ``/``.
        headers: headers sent with every request (auth); never forwarded on redirects.
        params: secret query parameters (an API key the platform wants in the URL); added to
            every request but never shown in fingerprints or messages.
    """

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    params: Mapping[str, str] = field(default_factory=dict, repr=False)


class ConnectionResolver(Protocol):
    """Turns a connection id into what a source needs; implemented over Airflow in ``dags/``."""

    def sql_url(self, conn_id: str) -> URL:
        """The SQLAlchemy URL of a database connection."""
        ...

    def http_target(self, conn_id: str) -> HttpTarget:
        """The base URL and auth headers of an HTTP connection."""
        ...


def sql_url(fields: ConnectionFields) -> URL:
    """Translate connection fields to a SQLAlchemy URL.

    ``postgres`` uses psycopg (3), ``mysql``/``mariadb`` PyMySQL; a connection type that is
    already a SQLAlchemy ``dialect+driver`` (``AIRFLOW_CONN_X=postgresql+psycopg://…``) is used
    as it is; ``extra.sqlalchemy_scheme`` picks another driver. Connect options in the extra as
    Airflow's providers keep them (``sslmode``, ``sslrootcert``, ``charset``, ``ssl_ca`` …)
    become URL query parameters, and ``extra.sqlalchemy_query`` adds any others.

    Raises:
        ConfigError: the connection is not of a database type.
    """
    from sqlalchemy.engine import URL

    conn_type = fields.conn_type
    explicit = None
    if "+" in conn_type:  # a SQLAlchemy URI as the connection (postgresql+psycopg://...)
        explicit = conn_type
        conn_type = _normalize_type(conn_type.split("+", 1)[0])
    driver = fields.extra.get("sqlalchemy_scheme") or explicit or SQL_DRIVERS.get(conn_type)
    if not driver:
        known = ", ".join(SQL_DRIVERS)
        raise ConfigError(
            f"connection {fields.conn_id!r} has type {fields.conn_type!r}; a sql source needs"
            f" one of {known} (or extra.sqlalchemy_scheme)"
        )
    allowed = _URL_EXTRAS.get(conn_type, frozenset())
    query = {k: str(v) for k, v in fields.extra.items() if k in allowed and v not in (None, "")}
    query.update(
        {str(k): str(v) for k, v in dict(fields.extra.get("sqlalchemy_query") or {}).items()}
    )
    if driver.startswith("sqlite"):
        return URL.create(driver, database=fields.host or fields.schema, query=query)
    return URL.create(
        driver,
        username=fields.login,
        password=fields.password,
        host=fields.host,
        port=fields.port,
        database=fields.schema,
        query=query,
    )


def http_target(fields: ConnectionFields) -> HttpTarget:
    """Translate connection fields to a base URL and auth headers.

    The base URL follows Airflow's HTTP hook: a host holding ``://`` is used as is; otherwise
    ``<schema or http>://host[:port]`` (an ``https`` connection type also means https).
    Headers: ``extra.headers``; then ``extra.auth_type: bearer`` sends the password as a bearer
    token, and otherwise a login sends HTTP basic auth. ``extra.params`` are secret query
    parameters.
    """
    host = fields.host or ""
    if "://" in host:
        base = host
    else:
        scheme = fields.schema or ("https" if fields.conn_type == "https" else "http")
        base = f"{scheme}://{host}"
    if fields.port:
        base = f"{base}:{fields.port}"
    headers = {str(k): str(v) for k, v in dict(fields.extra.get("headers") or {}).items()}
    if str(fields.extra.get("auth_type", "")).lower() == "bearer":
        headers["Authorization"] = f"Bearer {fields.password or ''}"
    elif fields.login:
        token = f"{fields.login}:{fields.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode("ascii")
    params = {str(k): str(v) for k, v in dict(fields.extra.get("params") or {}).items()}
    return HttpTarget(base_url=base.rstrip("/"), headers=headers, params=params)


class FieldsResolver(ABC):
    """A resolver built on connection fields; subclasses say where the fields come from."""

    @abstractmethod
    def fields(self, conn_id: str) -> ConnectionFields:
        """The connection's fields.

        Raises:
            ConfigError: no such connection.
        """

    def sql_url(self, conn_id: str) -> URL:
        """See :func:`sql_url`."""
        return sql_url(self.fields(conn_id))

    def http_target(self, conn_id: str) -> HttpTarget:
        """See :func:`http_target`."""
        return http_target(self.fields(conn_id))


class EnvConnections(FieldsResolver):
    """Connections from ``AIRFLOW_CONN_<CONN_ID>`` values (URI or JSON), as Airflow reads them.

    Args:
        env: the environment mapping (the caller passes ``os.environ`` or a test's dict).
    """

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def fields(self, conn_id: str) -> ConnectionFields:
        """Parse ``AIRFLOW_CONN_<CONN_ID upper-cased>``."""
        name = f"AIRFLOW_CONN_{conn_id.upper()}"
        value = self._env.get(name)
        if not value:
            raise ConfigError(f"connection {conn_id!r} is not defined (set {name})")
        value = value.strip()
        if value.startswith("{"):
            return ConnectionFields.from_json(conn_id, value)
        return ConnectionFields.from_uri(conn_id, value)


class StaticConnections(FieldsResolver):
    """Connections given directly (tests, benchmarks): conn id -> fields or URI."""

    def __init__(self, connections: Mapping[str, ConnectionFields | str]) -> None:
        self._connections = dict(connections)

    def fields(self, conn_id: str) -> ConnectionFields:
        """The given fields, or the given URI parsed."""
        value = self._connections.get(conn_id)
        if value is None:
            raise ConfigError(f"connection {conn_id!r} is not defined")
        if isinstance(value, str):
            return ConnectionFields.from_uri(conn_id, value)
        return value
