"""Applying the registry's declared column types to an all-string table (first normalize step).

For typed columns the text is NFKC-normalised (full-width digits and punctuation become ASCII),
trimmed, and null markers become null; what remains must parse, or the row fails with a reason
``cast:<column>:<type>`` and the cast value is null. ``string`` columns are only trimmed. Columns
not declared are left as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DataError
from etl.extract._parse import parse_bool, parse_float64, parse_int64, parse_timestamp

logger = logging.getLogger(__name__)

#: Texts that mean "no value" in typed columns (after NFKC and trimming).
NULL_MARKERS: tuple[str, ...] = ("", "NULL", "null", "无", "—", "/")

#: Declared type name -> Arrow type of the cast column.
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
}

_PARSERS: dict[str, Callable[[pa.Array], pa.Array]] = {
    "int64": parse_int64,
    "float64": parse_float64,
    "bool": parse_bool,
    "date": lambda text: parse_timestamp(text, date_only=True),
    "timestamp": parse_timestamp,
}


@dataclass(frozen=True)
class CastResult:
    """The outcome of :func:`cast_columns`.

    Attributes:
        table: the input table with declared columns cast to their types (others unchanged).
        failed_rows: a ``bool`` array, true for rows where some declared column failed to cast.
        row_reasons: a ``string`` array, per row the ``;``-joined ``cast:<column>:<type>`` codes
            of the columns that failed, or null.
    """

    table: pa.Table
    failed_rows: pa.Array
    row_reasons: pa.Array

    @property
    def failed_count(self) -> int:
        """Number of rows with at least one failed cast."""
        return int(pc.sum(self.failed_rows).as_py() or 0)


def _text(column: pa.ChunkedArray) -> pa.Array:
    array = column.combine_chunks()
    return array if array.type == pa.string() else array.cast(pa.string())


def _prepare(text: pa.Array) -> pa.Array:
    """NFKC, trim, and null out the null markers."""
    if pc.all(pc.string_is_ascii(text)).as_py() is False:  # NFKC is a no-op on ASCII
        text = pc.utf8_normalize(text, form="NFKC")
    trimmed = pc.utf8_trim_whitespace(text)
    is_marker = pc.is_in(trimmed, pa.array(NULL_MARKERS, pa.string()))
    return pc.if_else(is_marker, pa.scalar(None, pa.string()), trimmed)


def _join_reasons(current: pa.Array, more: pa.Array) -> pa.Array:
    # binary_join_element_wise(null_handling="skip") drops all-null rows in pyarrow 26: avoid it.
    joined = pc.binary_join_element_wise(current, more, ";")
    return pc.coalesce(joined, current, more)


def _check(table: pa.Table, declared: Mapping[str, str], source_name: str) -> None:
    for name, type_name in declared.items():
        if type_name not in ARROW_TYPES:
            expected = ", ".join(ARROW_TYPES)
            raise ConfigError(
                f"unknown type '{type_name}' declared for column '{name}';"
                f" expected one of {expected}"
            )
    for name in declared:
        if name not in table.column_names:
            raise DataError(
                f"column '{name}' declared in the registry is missing from {source_name}"
            )


def cast_columns(
    table: pa.Table, declared: Mapping[str, str], *, source_name: str = "the source"
) -> CastResult:
    """Cast the declared columns of an all-string table to their types, vectorized.

    Args:
        table: the table from :func:`etl.extract.reader.read_source`.
        declared: column name -> ``string``/``int64``/``float64``/``bool``/``date``/``timestamp``.
        source_name: how to name the source in messages (e.g. its relative path).

    Returns:
        The cast table and, per row, whether it failed and why.

    Raises:
        ConfigError: a declared type is unknown.
        DataError: a declared column is missing from the table.
    """
    _check(table, declared, source_name)
    rows = table.num_rows
    failed = pc.fill_null(pa.nulls(rows, pa.bool_()), False)
    reasons = pa.nulls(rows, pa.string())
    for name, type_name in declared.items():
        index = table.column_names.index(name)
        text = _text(table.column(index))
        if type_name == "string":
            table = table.set_column(index, name, pc.utf8_trim_whitespace(text))
            continue
        prepared = _prepare(text)
        values = _PARSERS[type_name](prepared)
        column_failed = pc.and_(pc.is_valid(prepared), pc.is_null(values))
        failures = int(pc.sum(column_failed).as_py() or 0)
        if failures:
            logger.info("%d values of column %s failed to cast to %s", failures, name, type_name)
            failed = pc.or_(failed, column_failed)
            code = pa.scalar(f"cast:{name}:{type_name}", pa.string())
            reasons = _join_reasons(reasons, pc.if_else(column_failed, code, None))
        table = table.set_column(index, pa.field(name, ARROW_TYPES[type_name]), values)
    return CastResult(table=table, failed_rows=failed, row_reasons=reasons)
