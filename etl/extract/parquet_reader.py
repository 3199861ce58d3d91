"""Reading a Parquet file and turning every column into canonical text."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.errors import DataError
from etl.extract._table import (
    check_cells,
    check_columns,
    check_reserved,
    clean_name,
    empty_to_null,
    finish_table,
)
from etl.settings import DEFAULT_LIMITS, ReadLimits

#: Rows converted to text at a time: what a file's row groups decode to is held one batch at a
#: time (a dictionary-encoded column of a few KB can decode to gigabytes).
BATCH_ROWS = 65_536


def _timestamp_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    tz = column.type.tz
    text = pc.strftime(column, format="%Y-%m-%dT%H:%M:%S" + ("%z" if tz else ""))
    # Arrow prints sub-second units as "05.000000": drop an all-zero fraction.
    text = pc.replace_substring_regex(text, r"\.0+([+-]|$)", r"\1")
    if tz:
        text = pc.replace_substring_regex(text, r"([+-]\d{2})(\d{2})$", r"\1:\2")
    return text


def _nested_text(column: pa.ChunkedArray) -> pa.Array:
    values = column.to_pylist()
    return pa.array(
        [
            None
            if v is None
            else json.dumps(v, ensure_ascii=False, default=str, separators=(",", ":"))
            for v in values
        ],
        pa.string(),
    )


def column_to_text(column: pa.ChunkedArray, name: str, rel: str) -> pa.ChunkedArray | pa.Array:
    """Convert one Parquet column to canonical text.

    Args:
        column: the column as read.
        name: its name, for messages.
        rel: the file's relative path, for messages.

    Returns:
        A string column: dates ``YYYY-MM-DD``, timestamps ``YYYY-MM-DDTHH:MM:SS`` (fraction only
        when non-zero, ``+HH:MM`` offset for zoned ones), booleans ``true``/``false``, numbers as
        Arrow prints them, nested values as compact JSON; empty strings become null.

    Raises:
        DataError: a binary column that is not UTF-8 text.
    """
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_timestamp(kind):
        text = _timestamp_text(column)
    elif pa.types.is_nested(kind):
        text = _nested_text(column)
    else:
        try:
            text = column.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise DataError(f"column '{name}' of {rel} cannot be read as text") from None
    return empty_to_null(text)


def _type_depth(kind: pa.DataType) -> int:
    """Nesting levels of a type (a scalar is 0), counted without recursion."""
    deepest = 0
    stack = [(kind, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((node.field(i).type, level + 1) for i in range(node.num_fields))
    return deepest


def check_schema(parquet: pq.ParquetFile, rel: str, limits: ReadLimits) -> None:
    """Refuse from the footer alone what would be too costly or unsafe to read."""
    schema = parquet.schema_arrow
    check_columns(len(schema), rel, limits.max_columns)
    check_columns(parquet.metadata.num_columns, rel, limits.max_columns)  # nested leaves
    check_reserved([clean_name(name) for name in schema.names], rel)
    for field in schema:
        if _type_depth(field.type) > limits.max_json_depth:
            raise DataError(
                f"column '{field.name}' of {rel} nests more than {limits.max_json_depth}"
                " levels deep (PUBDATA_MAX_JSON_DEPTH)"
            )
    rows = parquet.metadata.num_rows
    if rows == 0:
        raise DataError(f"{rel} has no rows")
    check_cells(rows, len(schema), rel, limits.max_cells)


def not_parquet(rel: str) -> DataError:
    """The error for a file that Parquet cannot read."""
    return DataError(f"{rel} is not a readable Parquet file")


def text_limit(rel: str, limits: ReadLimits) -> DataError:
    """The error for a file whose text passes ``PUBDATA_MAX_WHOLE_READ_BYTES``."""
    return DataError(
        f"{rel} decodes to more than {limits.max_whole_read_bytes:,} bytes of text"
        " (PUBDATA_MAX_WHOLE_READ_BYTES); nothing was read"
    )


def _text_batches(
    parquet: pq.ParquetFile, names: list[str], rel: str, limits: ReadLimits
) -> list[pa.RecordBatch]:
    """Every row as text, one bounded batch at a time; refused once the text passes the limit."""
    batches: list[pa.RecordBatch] = []
    held = 0
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS, use_threads=False):
        columns = [
            column_to_text(pa.chunked_array([batch.column(i)]), names[i], rel)
            for i in range(batch.num_columns)
        ]
        text = pa.Table.from_arrays(columns, names=[f"f{i}" for i in range(len(columns))])
        held += text.nbytes
        if held > limits.max_whole_read_bytes:
            raise text_limit(rel, limits)
        batches.extend(text.combine_chunks().to_batches())
    return batches


def read_parquet_file(path: Path, rel: str, *, limits: ReadLimits = DEFAULT_LIMITS) -> pa.Table:
    """Read a Parquet file as an all-string table.

    The footer is checked first (columns, nesting, reserved names, rows x columns), then the
    rows are decoded in batches of ``BATCH_ROWS`` while the text they make is counted, so a small
    file that decodes to gigabytes is refused within one batch of the limit.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        limits: the columns, nesting depth, cells and text bytes allowed.

    Returns:
        The table with every column converted by :func:`column_to_text`.

    Raises:
        DataError: not a Parquet file, no rows, a column that cannot be turned into text, a
            reserved column name, or a limit of ``limits`` exceeded.
    """
    try:
        parquet = pq.ParquetFile(path)
        check_schema(parquet, rel, limits)
        names = parquet.schema_arrow.names
        batches = _text_batches(parquet, names, rel, limits)
    except (pa.ArrowInvalid, OSError):
        raise not_parquet(rel) from None
    schema = pa.schema([(f"f{i}", pa.string()) for i in range(len(names))])
    return finish_table(names, pa.Table.from_batches(batches, schema=schema), rel)
