"""Arrow into PostgreSQL: column types, and rows by ``COPY ... FROM STDIN (FORMAT csv)``.

Each record batch is rendered to CSV by Arrow's C++ writer and streamed into ``COPY`` in one
write, so no row or value passes through Python objects and memory stays at one batch.
Arrow's CSV quotes every string (an empty string is ``""``) and leaves a null unquoted and
empty: PostgreSQL's CSV format reads exactly that distinction back. Binary ``COPY`` through
psycopg's row writer was not used: it converts every value to a Python object first.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import Cursor, sql

from etl.errors import ConfigError

_WRITE = pacsv.WriteOptions(include_header=False, quoting_style="needed")


#: Arrow type tests and the PostgreSQL type of a match, first match wins.
_TYPES: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (pa.types.is_string, "text"),
    (pa.types.is_large_string, "text"),
    (pa.types.is_string_view, "text"),
    (pa.types.is_boolean, "boolean"),
    (lambda t: pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t), "smallint"),
    (lambda t: pa.types.is_int32(t) or pa.types.is_uint16(t), "integer"),
    (pa.types.is_uint64, "numeric(20)"),
    (pa.types.is_integer, "bigint"),
    (pa.types.is_float32, "real"),
    (pa.types.is_floating, "double precision"),
    (pa.types.is_date, "date"),
    (pa.types.is_time, "time"),
)


def pg_type(field: pa.Field, where: str) -> str:
    """The PostgreSQL type of an Arrow column.

    Args:
        field: the column.
        where: the table, for the error.

    Raises:
        ConfigError: a type the endpoint does not serve (nested, binary), naming the column.
    """
    t = field.type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_decimal(t):
        return f"numeric({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "timestamptz" if t.tz is not None else "timestamp"
    for matches, name in _TYPES:
        if matches(t):
            return name
    raise ConfigError(f"{where}: column {field.name} has type {t}, which is not served over SQL")


def column_definitions(schema: pa.Schema, where: str) -> sql.Composed:
    """``"a" text, "b" bigint, ...`` for ``CREATE TABLE``."""
    return sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(f.name), sql.SQL(pg_type(f, where))) for f in schema
    )


def _plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    # dictionary-encoded columns are written as their values
    if not any(pa.types.is_dictionary(f.type) for f in batch.schema):
        return batch
    arrays = [
        pc.cast(col, col.type.value_type) if pa.types.is_dictionary(col.type) else col
        for col in batch.columns
    ]
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def copy_batches(
    cur: Cursor[object], table: sql.Composable, schema: pa.Schema, batches: Iterable[pa.RecordBatch]
) -> int:
    """Stream ``batches`` into ``table`` (whose columns are ``schema``'s, in order).

    Returns:
        The rows copied.
    """
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in schema.names)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(table, columns)
    rows = 0
    with cur.copy(statement) as copy:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            batch = _plain(batch.select(schema.names))
            out = io.BytesIO()
            pacsv.write_csv(batch, out, _WRITE)
            copy.write(out.getbuffer())
            rows += batch.num_rows
    return rows
