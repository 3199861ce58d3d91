"""Registry models of the source kinds: ``file``, ``sql`` and ``http``.

Pure pydantic and the standard library: the registry is parsed when DAG files are parsed.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Literal, get_args

from pydantic import Field, field_validator, model_validator

from etl.errors import ConfigError
from etl.registry.closed import Closed

#: A SQL identifier the registry may name (table, schema, column); SQLAlchemy quotes it.
SQL_IDENT = r"^[A-Za-z_][A-Za-z0-9_]*$"
#: An Airflow connection id usable as ``AIRFLOW_CONN_<ID>``.
CONN_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
#: SQLAlchemy's own pattern for ``:name`` bind parameters in ``text()``.
BIND_PARAM = re.compile(r"(?<![:\w\x5c]):(\w+)(?![:\w])")
_FILE_PLACEHOLDERS = {"ds", "ds_nodash"}
_HTTP_PLACEHOLDERS = {"ds", "ds_nodash", "start", "end"}
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def _placeholders(value: str, allowed: set[str]) -> str:
    unknown = set(re.findall(r"{([^}]*)}", value)) - allowed
    if unknown:
        expected = " or ".join(f"{{{name}}}" for name in sorted(allowed))
        raise ValueError(f"unknown placeholder {{{sorted(unknown)[0]}}}; expected {expected}")
    return value


class WaitSpec(Closed):
    """How long the DAG waits for a delivery before failing with "source not delivered"."""

    timeout_minutes: int = Field(default=0, ge=0, le=7 * 24 * 60, description="0: do not wait")
    poke_minutes: int = Field(default=10, ge=1, le=24 * 60)


class FileSource(Closed):
    """Files delivered to the landing zone.

    ``path`` is relative to ``PUBDATA_LANDING``, may contain ``{ds}`` (``2024-05-01``) or
    ``{ds_nodash}`` (``20240501``) for the run's logical date, and may be a glob (``*``, ``?``,
    ``[...]``, ``**``): every matching file is fingerprinted and ingested.
    """

    kind: Literal["file"]
    format: Literal["csv", "excel", "json", "jsonl", "parquet"]
    path: str = Field(min_length=1)
    encoding: str | None = Field(default=None, description="CSV encoding; detected when absent")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    sheet: str | int | None = Field(default=None, description="Excel sheet name or 0-based index")
    header_row: int | None = Field(
        default=None, ge=1, description="Excel: 1-based sheet row of the header; detected if absent"
    )
    records: str | None = Field(
        default=None,
        description=(
            "JSON: dotted path to the array of records (default: the top level, or found "
            "down an API envelope's data/records/list/rows/items/result keys)"
        ),
    )
    marker: str | None = Field(
        default=None, description="a file whose presence means the delivery is complete"
    )
    wait: WaitSpec = Field(default_factory=WaitSpec)

    @field_validator("path", "marker")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", value):
            raise ValueError("must be relative to PUBDATA_LANDING, not an absolute path")
        return _placeholders(value, _FILE_PLACEHOLDERS)


def _split_table(value: str) -> list[str]:
    parts = value.split(".")
    if len(parts) > 2 or not all(re.match(SQL_IDENT, part) for part in parts):
        raise ValueError("must be 'table' or 'schema.table', each matching [A-Za-z_][A-Za-z0-9_]*")
    return parts


def _check_query(query: str, mode: str) -> None:
    body = _SQL_COMMENT.sub(" ", query).strip()
    if not re.match(r"(?is)^(select|with)\b", body):
        raise ValueError("must be a SELECT (or WITH ... SELECT) statement")
    if ";" in body.rstrip(";").rstrip():
        raise ValueError("must be a single statement (no ';' inside)")
    params = set(BIND_PARAM.findall(query))
    if params - {"start", "end"}:
        raise ValueError(
            f"bind parameter :{sorted(params - {'start', 'end'})[0]} is not allowed;"
            " only :start and :end (the run's data interval) are bound"
        )
    if mode == "incremental" and params != {"start", "end"}:
        raise ValueError("an incremental query must filter on both :start and :end")
    if mode == "snapshot" and params:
        raise ValueError("a snapshot query takes no :start/:end; use mode: incremental")


class SqlSource(Closed):
    """A table or query in a department's database, through an Airflow connection.

    Nothing from the registry is pasted into SQL: ``table``/``columns``/``watermark`` are
    validated identifiers quoted by SQLAlchemy, and ``query`` is sent as written with only the
    bound parameters ``:start``/``:end``.
    """

    kind: Literal["sql"]
    conn_id: str = Field(pattern=CONN_ID, max_length=250)
    table: str | None = Field(default=None, description="'table' or 'schema.table'")
    query: str | None = Field(default=None, description="SELECT text; binds :start and :end")
    columns: list[Annotated[str, Field(pattern=SQL_IDENT)]] | None = None
    mode: Literal["snapshot", "incremental"] = "snapshot"
    watermark: str | None = Field(default=None, pattern=SQL_IDENT)
    timezone: str | None = Field(
        default=None,
        description="zone of naive timestamps in the database; absent: the pipeline's "
        "(PUBDATA_TIMEZONE, default Asia/Shanghai)",
    )
    batch_rows: int = Field(default=50_000, ge=100, le=1_000_000)

    @field_validator("table")
    @classmethod
    def _table(cls, value: str | None) -> str | None:
        if value is not None:
            _split_table(value)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (expected e.g. Asia/Shanghai)") from None
        return value

    @model_validator(mode="after")
    def _shape(self) -> SqlSource:
        if (self.table is None) == (self.query is None):
            raise ValueError("give exactly one of 'table' or 'query'")
        if self.query is not None:
            if self.columns is not None or self.watermark is not None:
                raise ValueError("'columns' and 'watermark' apply to 'table', not to 'query'")
            _check_query(self.query, self.mode)
        elif self.mode == "incremental" and self.watermark is None:
            raise ValueError("mode incremental over a table needs a 'watermark' column")
        elif self.mode == "snapshot" and self.watermark is not None:
            raise ValueError("'watermark' is only used with mode: incremental")
        return self

    @property
    def table_parts(self) -> tuple[str | None, str]:
        """``(schema, table)`` of a table source (schema None when not given)."""
        if self.table is None:
            raise ConfigError(f"sql source on {self.conn_id} has a query, not a table")
        parts = _split_table(self.table)
        return (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])


class PagePagination(Closed):
    """``?page=1&size=100``, then 2, 3 … until a page returns fewer than ``size`` records."""

    type: Literal["page"]
    page_param: str = "page"
    size_param: str = "size"
    size: int = Field(default=100, ge=1, le=100_000)
    first_page: int = Field(default=1, ge=0)


class OffsetPagination(Closed):
    """``?offset=0&limit=100``, then 100, 200 … until a page returns fewer than ``limit``."""

    type: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = Field(default=100, ge=1, le=100_000)


class CursorPagination(Closed):
    """The response names the next cursor (dotted JSON path); absent/empty/null ends it."""

    type: Literal["cursor"]
    cursor_param: str = "cursor"
    next: str = Field(min_length=1, description="dotted path of the next cursor in a response")
    size_param: str | None = None
    size: int | None = Field(default=None, ge=1, le=100_000)


Pagination = Annotated[
    PagePagination | OffsetPagination | CursorPagination, Field(discriminator="type")
]


class HttpSource(Closed):
    """A JSON API (the exchange platform pattern), through an Airflow HTTP connection."""

    kind: Literal["http"]
    conn_id: str = Field(pattern=CONN_ID, max_length=250)
    endpoint: str = Field(min_length=1, description="path below the connection's base URL")
    params: dict[str, str] = Field(
        default_factory=dict, description="query parameters; may use {ds} {ds_nodash} {start} {end}"
    )
    records: str = Field(default="data", description="dotted path of the records; '' for the root")
    pagination: Pagination | None = None
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    retries: int = Field(default=5, ge=0, le=20)
    backoff_seconds: float = Field(default=1.0, ge=0, le=60)
    max_backoff_seconds: float = Field(default=60.0, ge=0, le=3600)
    max_pages: int = Field(default=10_000, ge=1, le=1_000_000)

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str) -> str:
        if "://" in value or value.startswith("//"):
            raise ValueError("must be a path below the connection's base URL, not a full URL")
        return _placeholders(value, _HTTP_PLACEHOLDERS)

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, str]) -> dict[str, str]:
        for text in value.values():
            _placeholders(text, _HTTP_PLACEHOLDERS)
        return value


Source = Annotated[FileSource | SqlSource | HttpSource, Field(discriminator="kind")]
#: The source kinds, each read by the module ``etl.extract.sources.<kind>``.
SOURCE_KINDS: tuple[str, ...] = tuple(
    get_args(model.model_fields["kind"].annotation)[0] for model in get_args(get_args(Source)[0])
)
#: The file formats, each read by the module ``etl.extract.formats.<format>``.
FILE_FORMATS: tuple[str, ...] = get_args(FileSource.model_fields["format"].annotation)
PAGINATION_TYPES = ("page", "offset", "cursor")
