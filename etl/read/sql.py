"""``pubdata sql``: DuckDB over the lake, offline, within the caller's clearance.

Every table the caller is cleared for is a view named ``<zone>.<domain>.<dataset>`` (DuckDB
catalog ``<zone>``, schema ``<domain>``), quarantine tables are
``restricted.<domain>.<dataset>__quarantine``, and the ``_meta`` tables are
``_meta.<table>``. Views sit over Arrow datasets built from the Delta log with a native
filesystem, so DuckDB needs no extension and no network.

Two locks keep a query inside what is registered. Only one read-only statement is run (a
``SELECT``, which includes ``WITH``, ``DESCRIBE``, ``SHOW`` and ``SUMMARIZE``): ``SET``,
``PRAGMA``, ``ATTACH``, ``COPY``, ``EXPORT``, ``INSTALL``/``LOAD``, ``CALL`` and DDL are refused by
kind before anything runs. And external access (``read_parquet``, ``read_csv``, ``glob``, files
by path, ...) is switched off with the configuration locked, so even a query cannot reach a
table outside the caller's clearance by its path, nor write a file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from etl.errors import ConfigError, PolicyError
from etl.lake import META_TABLES, delta, meta_table_uri
from etl.read.access import TableRef, readable_tables
from etl.registry import load_registry
from etl.settings import CLEARANCES, Settings

log = logging.getLogger(__name__)

#: Errors whose messages quote only the query and catalog names, never a value of the data.
_QUOTABLE = (
    duckdb.ParserException,
    duckdb.CatalogException,
    duckdb.BinderException,
    duckdb.PermissionException,
)

_OFFLINE = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    # a table name resolves to what is registered, never to a Python object in scope
    "SET python_enable_replacements = false",
)
#: The statement kinds a reader may run: queries.
_READ_ONLY = frozenset({duckdb.StatementType.SELECT})


@dataclass(frozen=True)
class Catalog:
    """What a connection exposes: table names (``zone.domain.dataset``) and ``_meta`` tables."""

    tables: tuple[str, ...]
    meta: tuple[str, ...]


def connect(settings: Settings) -> tuple[Any, Catalog]:
    """An in-memory DuckDB connection with the caller's tables registered as views.

    Args:
        settings: the lake, registry and clearance.

    Returns:
        The connection (``duckdb.DuckDBPyConnection``) and what it exposes.
    """
    registry = load_registry(settings.registry)
    con = duckdb.connect(":memory:")
    for statement in _OFFLINE:
        con.execute(statement)
    refs = readable_tables(settings, list(registry.datasets.values()))
    for zone in CLEARANCES[: CLEARANCES.index(settings.clearance) + 1]:
        con.execute(f"ATTACH ':memory:' AS \"{zone}\"")
    schemas: set[tuple[str, str]] = set()
    for position, ref in enumerate(refs):
        _register(con, ref, position, schemas)
    con.execute('CREATE SCHEMA "_meta"')
    meta = []
    for table in META_TABLES:
        uri = meta_table_uri(settings.lake, table)
        if delta.table_exists(uri):
            con.register(f"__meta_{table}", delta.dataset(uri))
            con.execute(f'CREATE VIEW "_meta"."{table}" AS SELECT * FROM "__meta_{table}"')
            meta.append(f"_meta.{table}")
    # From here on the query can reach only what is registered above.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con, Catalog(tables=tuple(sorted(r.sql_name for r in refs)), meta=tuple(meta))


def _register(con: Any, ref: TableRef, position: int, schemas: set[tuple[str, str]]) -> None:
    catalog, schema, name = ref.sql_name.split(".")
    if (catalog, schema) not in schemas:
        con.execute(f'CREATE SCHEMA "{catalog}"."{schema}"')
        schemas.add((catalog, schema))
    hidden = f"__t{position}"
    con.register(hidden, delta.dataset(ref.uri))
    con.execute(f'CREATE VIEW "{catalog}"."{schema}"."{name}" AS SELECT * FROM "{hidden}"')


def query(settings: Settings, sql: str) -> pa.Table:
    """Run one SQL query over the caller's tables and return the result.

    Args:
        settings: the lake, registry and clearance.
        sql: the query.

    Returns:
        The result as an Arrow table.

    Raises:
        PolicyError: not one read-only query (see :func:`_check_read_only`).
        ConfigError: the query is invalid or names a table the caller cannot see; the message
            quotes DuckDB's parser/catalog/binder message, and for any other error only its
            class (conversion errors can quote values of the data).
    """
    _check_read_only(sql, settings)  # before any table is registered
    con, _ = connect(settings)
    try:
        table: pa.Table = con.sql(sql).to_arrow_table()
        return table
    except _QUOTABLE as exc:
        first = _first_line(exc)
        hidden = CLEARANCES[CLEARANCES.index(settings.clearance) + 1 :]
        if isinstance(exc, duckdb.CatalogException) and any(z in first for z in hidden):
            first += (
                f" (cleared for {settings.clearance}: {', '.join(hidden)} tables are not visible)"
            )
        raise ConfigError(f"query failed: {first}") from None
    except duckdb.Error as exc:
        raise ConfigError(
            f"query failed: {type(exc).__name__} (message withheld: it may quote data values)"
        ) from None
    finally:
        con.close()


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check_read_only(sql: str, settings: Settings) -> None:
    """Refuse anything but one query, by statement kind, before it runs.

    Raises:
        PolicyError: more than one statement, or a statement that is not a query.
        ConfigError: the text does not parse (DuckDB's parser message).
    """
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.ParserException as exc:
        raise ConfigError(f"query failed: {_first_line(exc)}") from None
    finally:
        parser.close()
    if len(statements) != 1:
        raise PolicyError(f"pubdata sql runs one query at a time; this text has {len(statements)}")
    kind = statements[0].type
    if kind not in _READ_ONLY:
        raise PolicyError(
            f"pubdata sql runs read-only queries (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE): "
            f"{kind.name} statements are refused at every clearance "
            f"(this caller is cleared for {settings.clearance})"
        )
