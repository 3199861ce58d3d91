"""Declared coercions beyond the built-in parsers: unit suffixes and Excel serial dates.

Like :mod:`etl.extract._parse`, each function takes a string array whose null markers are
already null and returns the typed array, null wherever the text could not be coerced.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.extract._parse import (
    decimal_parts,
    parse_decimal,
    parse_float64,
    parse_int64,
    shift_decimal,
)
from etl.registry.normalize import NumberSpec, power_of_ten

#: Serial day numbers: 61 is 1900-03-01 (below it Excel's 1900 leap-year bug makes dates
#: ambiguous); 2958465 is 9999-12-31.
_SERIAL = r"^\d{2,7}(\.\d+)?$"
_SERIAL_MIN = 61
_SERIAL_MAX = 2958466
_EPOCH_US = -2209161600 * 1_000_000  # 1899-12-30T00:00:00 in microseconds since 1970
_DAY_MS = 86_400_000
_INT64_LIMIT = 2.0**63


def _keep(mask: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(pc.fill_null(mask, False), values, pa.scalar(None, values.type))


def parse_decimal_with_units(
    text: pa.Array, spec: NumberSpec, precision: int, scale: int
) -> pa.Array:
    """Parse money with a declared scale or unit suffixes into ``decimal128(precision, scale)``.

    Exact: every factor is a power of ten (the registry refuses others for decimal columns),
    so applying it moves the decimal point in the text and no float is involved
    (``1,234.56万元`` is 12345600.00). A result that does not fit the type is null.
    """
    number_text, factors = _strip_suffixes(text, spec)
    parts = decimal_parts(number_text)  # parsed once, shifted once per distinct factor
    shifted = pa.nulls(len(text), pa.string())
    for factor in {spec.scale, *spec.suffixes.values()}:
        exponent = power_of_ten(factor)
        assert exponent is not None  # the registry checked it
        shifted = pc.if_else(pc.equal(factors, factor), shift_decimal(parts, exponent), shifted)
    return parse_decimal(shifted, precision, scale)


def parse_excel_serial(text: pa.Array, *, date_only: bool) -> pa.Array:
    """Parse Excel serial day numbers (``45444`` = 2024-06-01, ``45444.5`` = noon).

    Args:
        text: prepared strings.
        date_only: return ``date32`` and accept whole days only; otherwise ``timestamp[us]``
            rounded to the millisecond.

    Returns:
        The parsed values; null where the text is not a serial in range.
    """
    valid = pc.match_substring_regex(text, _SERIAL)
    numbers = pc.cast(_keep(valid, text), pa.float64())
    in_range = pc.and_(pc.greater_equal(numbers, _SERIAL_MIN), pc.less(numbers, float(_SERIAL_MAX)))
    if date_only:
        in_range = pc.and_(in_range, pc.equal(numbers, pc.floor(numbers)))
    millis = pc.cast(pc.round(pc.multiply(numbers, float(_DAY_MS))), pa.int64())
    micros = pc.add(pc.multiply(millis, 1000), _EPOCH_US)
    stamps = _keep(in_range, pc.cast(micros, pa.timestamp("us")))
    return pc.cast(stamps, pa.date32()) if date_only else stamps


def _strip_suffixes(text: pa.Array, spec: NumberSpec) -> tuple[pa.Array, pa.Array]:
    """The number text without its unit suffix, and each value's factor."""
    factors = pa.array(np.full(len(text), spec.scale, dtype=np.float64))
    matched = pa.array(np.zeros(len(text), dtype=bool))
    suffixes = {unicodedata.normalize("NFKC", s): f for s, f in spec.suffixes.items()}
    for suffix in sorted(suffixes, key=len, reverse=True):  # 万元 before 元
        hit = pc.and_(pc.fill_null(pc.ends_with(text, suffix), False), pc.invert(matched))
        stripped = pc.utf8_rtrim_whitespace(pc.utf8_slice_codeunits(text, 0, stop=-len(suffix)))
        text = pc.if_else(hit, stripped, text)
        factors = pc.if_else(hit, suffixes[suffix], factors)
        matched = pc.or_(matched, hit)
    return text, factors


def parse_number_with_units(text: pa.Array, spec: NumberSpec, type_name: str) -> pa.Array:
    """Parse numbers that carry a declared scale or unit suffixes (``1,234.5万元``).

    Args:
        text: prepared strings.
        spec: the column's scale and suffix factors.
        type_name: ``int64`` or ``float64``.

    Returns:
        The scaled numbers; for ``int64`` a scaled value must be whole (within 1e-9 relative),
        otherwise it is null (and its row is quarantined by the caller).
    """
    number_text, factors = _strip_suffixes(text, spec)
    exact = spec.scale == 1 and all(f == 1 for f in spec.suffixes.values())
    if type_name == "int64" and exact:
        return parse_int64(number_text)
    scaled = pc.multiply(parse_float64(number_text), factors)
    scaled = _keep(pc.is_finite(scaled), scaled)
    if type_name == "float64":
        return scaled
    rounded = pc.round(scaled)
    tolerance = pc.multiply(pc.max_element_wise(pc.abs(rounded), 1.0), 1e-9)
    whole = pc.and_(
        pc.less_equal(pc.abs(pc.subtract(scaled, rounded)), tolerance),
        pc.less(pc.abs(rounded), _INT64_LIMIT),
    )
    return pc.cast(_keep(whole, rounded), pa.int64())
