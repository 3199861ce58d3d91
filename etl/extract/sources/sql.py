"""Database sources through SQLAlchemy: a reflected table or a registry query, read-only.

Nothing from the registry is pasted into SQL text. A table source is reflected and queried
with ``select()`` over SQLAlchemy ``Table``/``Column`` objects (identifiers are validated by the
registry and quoted by the dialect); an incremental read binds ``:start``/``:end`` as parameters.
A query source is sent as written with only those two parameters bound. Sessions are read-only
where the dialect allows it (PostgreSQL, MySQL/MariaDB).

Rows are fetched in batches of ``batch_rows`` with server-side cursors, turned into text
(like Parquet columns, see :func:`etl.extract.parquet_reader.column_to_text`) batch by batch.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from etl.errors import ConfigError, DataError, PubdataError, TransientError
from etl.extract._table import finish_table
from etl.extract.connections import ConnectionResolver
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.parquet_reader import column_to_text
from etl.extract.parts import ExtractedPart
from etl.registry.sources import SqlSource

logger = logging.getLogger(__name__)

Interval = tuple[datetime, datetime]
#: SQLSTATE classes / MySQL error numbers that retrying cannot fix: feature not supported (a
#: data-modifying query), read-only transaction violated, login refused, unknown database,
#: syntax or access rule. (psycopg reports no SQLSTATE for refused connections: those stay
#: retriable.)
_FATAL_SQLSTATE = ("0A", "25", "28", "3D", "42")
_FATAL_MYSQL = {1044, 1045, 1049, 1054, 1064, 1142, 1146, 1698, 1792}


def day_interval(logical_date: date, zone: str) -> Interval:
    """The logical date's day ``[D 00:00, D+1 00:00)`` in ``zone``, as aware datetimes."""
    tz = ZoneInfo(zone)
    start = datetime.combine(logical_date, time.min, tzinfo=tz)
    return start, datetime.combine(logical_date + timedelta(days=1), time.min, tzinfo=tz)


def _locator(source: SqlSource) -> str:
    return f"{source.conn_id}:{source.table or 'query'}"


def _db_error(error: sa_exc.DBAPIError, what: str) -> PubdataError:
    """One line naming the source and the driver's error class/code, never its text."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    args = getattr(original, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else None
    detail = type(original).__name__ + (f" {code}" if code else f" {errno}" if errno else "")
    fatal = (code is not None and str(code).startswith(_FATAL_SQLSTATE)) or errno in _FATAL_MYSQL
    if fatal or isinstance(error, sa_exc.ProgrammingError):
        return ConfigError(f"{what} failed ({detail}); check the connection and the registry")
    return TransientError(f"{what} failed ({detail})")


def _connect(source: SqlSource, connections: ConnectionResolver) -> tuple[sa.Engine, Connection]:
    url = connections.sql_url(source.conn_id)
    try:
        engine = sa.create_engine(url, poolclass=NullPool)
    except (ImportError, sa_exc.NoSuchModuleError):
        raise ConfigError(
            f"the database driver for connection {source.conn_id!r} ({url.drivername}) is not"
            " installed (psycopg for PostgreSQL, pymysql for MySQL/MariaDB)"
        ) from None
    try:
        conn = engine.connect()
        if engine.dialect.name == "postgresql":
            conn = conn.execution_options(postgresql_readonly=True)
        elif engine.dialect.name in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            conn.commit()
    except sa_exc.DBAPIError as error:
        engine.dispose()
        raise _db_error(error, f"connecting to {source.conn_id!r}") from None
    return engine, conn


def _bind_value(moment: datetime, kind: sa.types.TypeEngine[Any], zone: ZoneInfo) -> object:
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    if isinstance(kind, sa.DateTime):
        return local if kind.timezone else local.replace(tzinfo=None)
    if isinstance(kind, sa.Date):
        return local.date()
    raise ConfigError("the watermark column must be a date or timestamp column")


def _table_statement(
    source: SqlSource, conn: Connection, interval: Interval
) -> tuple[sa.Select[Any], dict[str, object], dict[str, str]]:
    schema, name = source.table_parts
    try:
        table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=conn)
    except sa_exc.NoSuchTableError:
        raise ConfigError(
            f"table {source.table} not found on connection {source.conn_id!r}"
        ) from None
    wanted = source.columns or [column.name for column in table.columns]
    missing = [column for column in wanted if column not in table.columns]
    if missing:
        raise ConfigError(f"column {missing[0]!r} not found in table {source.table}")
    columns = [table.columns[column] for column in wanted]
    statement = sa.select(*columns)
    params: dict[str, object] = {}
    if source.watermark is not None:  # the registry allows it only with mode: incremental
        if source.watermark not in table.columns:
            raise ConfigError(
                f"watermark column {source.watermark!r} not found in table {source.table}"
            )
        mark = table.columns[source.watermark]
        zone = ZoneInfo(source.timezone)
        params = {
            key: _bind_value(value, mark.type, zone)
            for key, value in zip(("start", "end"), interval, strict=True)
        }
        statement = statement.where(
            mark >= sa.bindparam("start", type_=mark.type),
            mark < sa.bindparam("end", type_=mark.type),
        )
    order = list(table.primary_key.columns) or (
        [table.columns[source.watermark]] if source.watermark else []
    )
    statement = statement.order_by(*order)
    comments = {c.name: c.comment for c in columns if c.comment}
    return statement, params, comments


def _query_statement(
    query: str, source: SqlSource, interval: Interval
) -> tuple[sa.TextClause, dict[str, object]]:
    statement = sa.text(query)
    if source.mode == "snapshot":
        return statement, {}
    zone = ZoneInfo(source.timezone)
    kind = sa.DateTime()
    params = {
        key: _bind_value(value, kind, zone)
        for key, value in zip(("start", "end"), interval, strict=True)
    }
    bound = statement.bindparams(sa.bindparam("start", type_=kind), sa.bindparam("end", type_=kind))
    return bound, params


def _to_text(values: Sequence[object], name: str, where: str) -> pa.Array:
    try:
        return column_to_text(pa.chunked_array([pa.array(values)]), name, where).combine_chunks()
    except (
        pa.ArrowInvalid,
        pa.ArrowTypeError,
        pa.ArrowNotImplementedError,
        OverflowError,
        DataError,
    ):
        text = [None if v is None else v.hex() if isinstance(v, bytes) else str(v) for v in values]
        return pa.array([t if t else None for t in text], pa.string())


def _execute(
    conn: Connection, statement: sa.Executable, params: dict[str, object], source: SqlSource
) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    """Run the statement; its column names and its rows as string record batches."""
    where = _locator(source)
    streaming = conn.execution_options(stream_results=True, yield_per=source.batch_rows)
    result = streaming.execute(statement, params)
    keys = result.keys()
    names = [str(key) for key in keys]
    fields = [f"f{i}" for i in range(len(names))]

    def batches() -> Iterator[pa.RecordBatch]:
        empty = True
        for rows in result.partitions():
            empty = False
            columns = list(zip(*rows, strict=True))
            arrays = [_to_text(values, names[i], where) for i, values in enumerate(columns)]
            yield pa.RecordBatch.from_arrays(arrays, names=fields)
        if empty:
            yield pa.RecordBatch.from_arrays(
                [pa.array([], pa.string()) for _ in names], names=fields
            )

    return names, batches()


def read_sql_part(
    source: SqlSource,
    *,
    logical_date: date,
    interval: Interval | None,
    connections: ConnectionResolver,
) -> ExtractedPart:
    """Read a table or query into one part (the content hash is the fingerprint's sha256).

    Args:
        source: the registry's sql source.
        logical_date: the run's logical date; without ``interval``, its day in
            ``source.timezone`` is the interval.
        interval: the run's data interval ``[start, end)``; naive datetimes are taken to be in
            ``source.timezone``.
        connections: resolves ``source.conn_id``.

    Returns:
        The part: string columns, column comments (tables), one fingerprint.

    Raises:
        ConfigError: missing driver or connection, unknown table/column, refused login, bad SQL.
        TransientError: the database could not be reached or the read broke off.
        DataError: duplicate or empty column names in the result.
    """
    interval = interval or day_interval(logical_date, source.timezone)
    where = _locator(source)
    engine, conn = _connect(source, connections)
    digest, size, batches = hashlib.sha256(), 0, []
    try:
        comments: dict[str, str] = {}
        statement: sa.Executable
        if source.query is not None:
            statement, params = _query_statement(source.query, source, interval)
        else:
            statement, params, comments = _table_statement(source, conn, interval)
        names, batches_read = _execute(conn, statement, params, source)
        for batch in batches_read:
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, batch.schema) as writer:
                writer.write_batch(batch)
            payload = sink.getvalue()
            digest.update(payload)
            size += payload.size
            batches.append(batch)
    except sa_exc.DBAPIError as error:
        raise _db_error(error, f"reading {where}") from None
    finally:
        conn.close()
        engine.dispose()
    table = finish_table(names, pa.Table.from_batches(batches), where)
    query = (
        ""
        if source.mode == "snapshot"
        else f"?start={interval[0].isoformat()}&end={interval[1].isoformat()}"
    )
    fingerprint = SourceFingerprint(
        uri=f"sql://{source.conn_id}/{source.table or 'query'}{query}",
        relative_path=where,
        sha256=digest.hexdigest(),
        bytes=size,
        encoding=None,
        format="sql",
        rows=table.num_rows,
        kind="sql",
    )
    logger.info(
        "read %s: %d rows, %d columns (%s)", where, table.num_rows, table.num_columns, source.mode
    )
    return ExtractedPart(table=table, fingerprint=fingerprint, comments=comments)
