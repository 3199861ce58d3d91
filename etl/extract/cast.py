"""Applying the registry's normalization and declared column types to an all-string table.

For typed columns the text is NFKC-normalised (full-width digits and punctuation become ASCII),
trimmed, and null markers become null; what remains must parse, or the row fails with a reason
``cast:<column>:<type>`` and the cast value is null — a value is never silently dropped.
Without a ``normalize`` spec, ``string`` columns are only trimmed and undeclared columns are left
as they are; with one, every column is normalized as declared (see
:func:`etl.extract.normalize.prepare_text`), numbers may carry declared units and dates may be
Excel serials.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DataError
from etl.extract._coerce import (
    parse_decimal_with_units,
    parse_excel_serial,
    parse_number_with_units,
)
from etl.extract._parse import (
    parse_bool,
    parse_decimal,
    parse_float64,
    parse_int64,
    parse_timestamp,
)
from etl.extract.normalize import prepare_text
from etl.registry.normalize import DEFAULT_NULL_MARKERS, NormalizeSpec
from etl.registry.types import column_type_problem
from etl.registry.types import parse_decimal as decimal_of

logger = logging.getLogger(__name__)

#: Texts that mean "no value" in typed columns (after NFKC and trimming), unless the dataset's
#: ``normalize.null_markers`` says otherwise.
NULL_MARKERS: tuple[str, ...] = DEFAULT_NULL_MARKERS

#: Declared type name -> Arrow type of the cast column (``decimal(p,s)``: :func:`arrow_type`).
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


def arrow_type(type_name: str) -> pa.DataType:
    """The Arrow type a declared column is cast to (``decimal(p,s)`` → ``decimal128(p, s)``)."""
    decimal = decimal_of(type_name)
    if decimal is not None:
        return pa.decimal128(decimal.precision, decimal.scale)
    return ARROW_TYPES[type_name]


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


def _join_reasons(current: pa.Array, more: pa.Array) -> pa.Array:
    # binary_join_element_wise(null_handling="skip") drops all-null rows in pyarrow 26: avoid it.
    joined = pc.binary_join_element_wise(current, more, ";")
    return pc.coalesce(joined, current, more)


def _check(table: pa.Table, declared: Mapping[str, str], source_name: str) -> None:
    for name, type_name in declared.items():
        problem = column_type_problem(type_name)
        if problem:
            raise ConfigError(f"column '{name}': {problem}")
    for name in declared:
        if name not in table.column_names:
            raise DataError(
                f"column '{name}' declared in the registry is missing from {source_name}"
            )


def _parse(prepared: pa.Array, name: str, type_name: str, spec: NormalizeSpec | None) -> pa.Array:
    decimal = decimal_of(type_name)
    units = spec.numbers.get(name) if spec is not None else None
    if units is not None and decimal is not None:
        return parse_decimal_with_units(prepared, units, decimal.precision, decimal.scale)
    if units is not None:
        return parse_number_with_units(prepared, units, type_name)
    if decimal is not None:
        return parse_decimal(prepared, decimal.precision, decimal.scale)
    values = _PARSERS[type_name](prepared)
    if spec is not None and spec.dates.excel_serial and type_name in ("date", "timestamp"):
        serials = parse_excel_serial(prepared, date_only=type_name == "date")
        values = pc.coalesce(values, serials)
    return values


def cast_columns(
    table: pa.Table,
    declared: Mapping[str, str],
    *,
    source_name: str = "the source",
    normalize: NormalizeSpec | None = None,
) -> CastResult:
    """Normalize an all-string table and cast the declared columns to their types, vectorized.

    Args:
        table: the table from :func:`etl.extract.reader.read_source` or
            :func:`etl.extract.api.extract_source` (after
            :func:`etl.extract.normalize.normalize_headers`).
        declared: column name -> ``string``/``int64``/``float64``/``bool``/``date``/``timestamp``
            or ``decimal(p,s)`` (:mod:`etl.registry.types`).
        source_name: how to name the source in messages (e.g. its relative path).
        normalize: the dataset's ``normalize`` spec; None keeps the behaviour described above.

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
    for index, name in enumerate(table.column_names):
        type_name = declared.get(name)
        if name.startswith("_") or (type_name is None and normalize is None):
            continue
        text = _text(table.column(index))
        if type_name is None or type_name == "string":
            prepared = prepare_text(text, normalize, typed=False)
            if normalize is None:
                prepared = pc.utf8_trim_whitespace(prepared)
            table = table.set_column(index, name, prepared)
            continue
        prepared = prepare_text(text, normalize, typed=True)
        values = _parse(prepared, name, type_name, normalize)
        column_failed = pc.and_(pc.is_valid(prepared), pc.is_null(values))
        failures = int(pc.sum(column_failed).as_py() or 0)
        if failures:
            logger.debug("%d values of column %s failed to cast to %s", failures, name, type_name)
            failed = pc.or_(failed, column_failed)
            code = pa.scalar(f"cast:{name}:{type_name}", pa.string())
            reasons = _join_reasons(reasons, pc.if_else(column_failed, code, None))
        table = table.set_column(index, pa.field(name, arrow_type(type_name)), values)
    return CastResult(table=table, failed_rows=failed, row_reasons=reasons)
