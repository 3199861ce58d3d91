"""Database sources through SQLAlchemy: a reflected table or a registry query, read-only.

Nothing from the registry is pasted into SQL text. A table source is reflected and queried
with ``select()`` over SQLAlchemy ``Table``/``Column`` objects (identifiers are validated by the
registry and quoted by the dialect); an incremental read binds ``:start``/``:end`` as parameters.
A query source is sent as written with only those two parameters bound. Sessions are read-only
where the dialect allows it (PostgreSQL, MySQL/MariaDB).

Rows are fetched in batches of ``batch_rows`` with server-side cursors (``stream_results``,
``yield_per``) and handed on as they come, turned into text batch by batch (like Parquet
columns, see :func:`etl.extract.parquet_reader.column_to_text`): a result of any size is held
one batch at a time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from etl.errors import ConfigError, DataError, PubdataError, TransientError
from etl.extract._table import StreamedHeader, check_reserved, kept_names
from etl.extract.connections import ConnectionResolver
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.parquet_reader import column_to_text
from etl.extract.parts import Rejected
from etl.extract.sources import Batch, ReadRequest, SourcePart
from etl.local_time import day_start
from etl.registry.sources import Source, SqlSource

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
    return day_start(logical_date, tz), day_start(logical_date + timedelta(days=1), tz)


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
    source: SqlSource, conn: Connection, interval: Interval, zone: ZoneInfo
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
    query: str, source: SqlSource, interval: Interval, zone: ZoneInfo
) -> tuple[sa.TextClause, dict[str, object]]:
    statement = sa.text(query)
    if source.mode == "snapshot":
        return statement, {}
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


class SqlPart:
    """A table or query whose statement is running; its rows come off a server-side cursor.

    The rows are fetched ``source.batch_rows`` at a time (``yield_per``) and turned into text
    batch by batch; the content hash (the fingerprint's ``sha256``) is taken over each batch's
    Arrow IPC stream as it passes, so it is known once the result has been read.
    """

    def __init__(
        self,
        source: SqlSource,
        engine: sa.Engine,
        conn: Connection,
        result: sa.CursorResult[Any],
        comments: dict[str, str],
        fingerprint: SourceFingerprint,
    ) -> None:
        self.source = source
        self.comments: Mapping[str, str] = comments
        self._engine, self._conn, self._result = engine, conn, result
        keys = result.keys()
        self._names = [str(key) for key in keys]
        self._fingerprint = fingerprint
        self._where = fingerprint.relative_path

    @property
    def header(self) -> tuple[str, ...]:
        """The result's column names, cleaned."""
        return kept_names(self._names)

    def describe(self) -> SourceFingerprint:
        """The fingerprint; ``sha256``, ``bytes`` and ``rows`` are set once the rows are read."""
        return self._fingerprint

    def batches(self) -> Iterator[Batch]:
        """The rows as text in batches (the connection is closed after).

        Raises:
            TransientError: the read broke off.
            ConfigError: the database refused the read.
            DataError: duplicate or empty column names with values in the result.
        """
        where = self._where
        digest, size, first = hashlib.sha256(), 0, 1
        fields = [f"f{i}" for i in range(len(self._names))]
        try:
            header = StreamedHeader(self._names, where)
            empty = True
            for rows in self._result.partitions():
                empty = False
                columns = list(zip(*rows, strict=True))
                arrays = [
                    _to_text(values, self._names[i], where) for i, values in enumerate(columns)
                ]
                batch = pa.RecordBatch.from_arrays(arrays, names=fields)
                payload = _ipc(batch)
                digest.update(payload)
                size += payload.size
                numbers = np.arange(first, first + batch.num_rows, dtype=np.int64)
                first += batch.num_rows
                yield Batch(header.apply(pa.Table.from_batches([batch])), pa.array(numbers))
            if empty:
                batch = pa.RecordBatch.from_arrays(
                    [pa.array([], pa.string()) for _ in fields], names=fields
                )
                payload = _ipc(batch)
                digest.update(payload)
                size += payload.size
                yield Batch(header.apply(pa.Table.from_batches([batch])), pa.array([], pa.int64()))
        except sa_exc.DBAPIError as error:
            raise _db_error(error, f"reading {where}") from None
        finally:
            self.close()
        self._fingerprint = replace(
            self._fingerprint, sha256=digest.hexdigest(), bytes=size, rows=first - 1
        )
        logger.info(
            "read %s: %d rows, %d columns (%s)",
            where,
            first - 1,
            len(header.names),
            self.source.mode,
        )

    def rejected(self) -> tuple[Rejected, ...]:
        """None: a row that cannot be read fails the query."""
        return ()

    def close(self) -> None:
        """Close the result and the connection (idempotent)."""
        self._result.close()
        self._conn.close()
        self._engine.dispose()


def _ipc(batch: pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def open_parts(source: Source, request: ReadRequest) -> Iterator[SourcePart]:
    """Run the table's select or the query; one part whose rows stream from the cursor.

    Without ``request.interval``, the logical date's day in the pipeline's zone is the interval;
    naive datetimes of the database are taken to be in ``source.timezone`` (absent: the
    pipeline's zone).

    Yields:
        One part: string columns, column comments (tables), its fingerprint.

    Raises:
        ConfigError: missing driver or connection, unknown table/column, refused login, bad SQL.
        TransientError: the database could not be reached.
        DataError: a reserved column name in the result.
    """
    if not isinstance(source, SqlSource):
        raise ConfigError(f"the sql source kind cannot read a {source.kind} source")
    connections = request.resolver(source.kind, source.conn_id)
    # the logical date is a day of the pipeline's zone; the database may keep naive times in
    # another (``source.timezone``), which only says how the interval's bounds are bound
    zone = ZoneInfo(source.timezone or request.timezone)
    interval = request.interval or day_interval(request.logical_date, request.timezone)
    where = _locator(source)
    engine, conn = _connect(source, connections)
    try:
        comments: dict[str, str] = {}
        statement: sa.Executable
        if source.query is not None:
            statement, params = _query_statement(source.query, source, interval, zone)
        else:
            statement, params, comments = _table_statement(source, conn, interval, zone)
        streaming = conn.execution_options(stream_results=True, yield_per=source.batch_rows)
        result = streaming.execute(statement, params)
    except sa_exc.DBAPIError as error:
        conn.close()
        engine.dispose()
        raise _db_error(error, f"reading {where}") from None
    except BaseException:
        conn.close()
        engine.dispose()
        raise
    query = (
        ""
        if source.mode == "snapshot"
        else f"?start={interval[0].isoformat()}&end={interval[1].isoformat()}"
    )
    fingerprint = SourceFingerprint(
        uri=f"sql://{source.conn_id}/{source.table or 'query'}{query}",
        relative_path=where,
        sha256="",
        bytes=0,
        encoding=None,
        format="sql",
        rows=0,
        kind="sql",
    )
    part = SqlPart(source, engine, conn, result, comments, fingerprint)
    try:
        check_reserved(part.header, where)
    except BaseException:
        part.close()
        raise
    yield part
