"""Reading a Parquet file and turning every column into canonical text."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from etl.errors import DataError
from etl.extract._table import empty_to_null, finish_table


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


def read_parquet_file(path: Path, rel: str) -> pa.Table:
    """Read a Parquet file as an all-string table.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.

    Returns:
        The table with every column converted by :func:`column_to_text`.

    Raises:
        DataError: not a Parquet file, or a column that cannot be turned into text.
    """
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError):
        raise DataError(f"{rel} is not a readable Parquet file") from None
    names = table.column_names
    columns = [column_to_text(table.column(i), names[i], rel) for i in range(table.num_columns)]
    text_table = pa.Table.from_arrays(columns, names=[f"f{i}" for i in range(len(columns))])
    return finish_table(names, text_table, rel)
