"""Vectorized text -> typed parsers used by :mod:`etl.extract.cast`.

Each parser takes a string array whose null markers are already null and returns an array of the
target type holding null wherever the text could not be coerced.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_NULL_TEXT = pa.scalar(None, pa.string())
_INT64_MAX = "9223372036854775807"
_INT64_MIN_MAGNITUDE = "9223372036854775808"
_INTEGER = r"^-?(\d+|\d{1,3}(,\d{3})+)(\.0*)?$"
_FLOAT = r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d*)?([eE][+-]?\d+)?$"
_DECIMAL = r"^(?P<sign>[+-]?)(?P<whole>\d+|\d{1,3}(?:,\d{3})+)?(?:\.(?P<fraction>\d*))?$"
_COMPACT_DATE = r"^(\d{4})(\d{2})(\d{2})([T\s]|$)"
_DATETIME = (
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:(?:T|\s+)(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>[0-5]\d)(?P<f>\.\d{1,9})?)?)?$"
)
_ISO = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::[0-5]\d)?)?$"
_TIME_SUFFIX = {10: " 00:00:00", 16: ":00"}
_TRUE = ["true", "1", "是"]
_FALSE = ["false", "0", "否"]


def _keep(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is true, null elsewhere (a null mask counts as false)."""
    return pc.if_else(pc.fill_null(mask, False), values, pa.scalar(None, values.type))


def parse_int64(text: pa.Array) -> pa.Array:
    """Parse integers: optional sign, thousands separators, an all-zero fraction (``12.0``)."""
    text = pc.replace_substring_regex(text, r"^\+", "")
    valid = pc.match_substring_regex(text, _INTEGER)
    digits = pc.replace_substring_regex(pc.replace_substring(text, ",", ""), r"\.0*$", "")
    magnitude = pc.replace_substring_regex(digits, r"^-?0*", "")
    length = pc.utf8_length(magnitude)
    limit = pc.if_else(pc.starts_with(digits, "-"), _INT64_MIN_MAGNITUDE, _INT64_MAX)
    fits = pc.or_(
        pc.less(length, 19), pc.and_(pc.equal(length, 19), pc.less_equal(magnitude, limit))
    )
    return pc.cast(_keep(pc.and_(valid, fits), digits), pa.int64())


def parse_float64(text: pa.Array) -> pa.Array:
    """Parse decimals: sign, thousands separators, fraction, exponent; finite values only."""
    valid = pc.and_(
        pc.match_substring_regex(text, _FLOAT),
        pc.match_substring_regex(text, r"^[+-]?\.?\d"),
    )
    numbers = pc.cast(_keep(valid, pc.replace_substring(text, ",", "")), pa.float64())
    return _keep(pc.is_finite(numbers), numbers)


def parse_decimal(text: pa.Array, precision: int, scale: int) -> pa.Array:
    """Parse exact decimals into ``decimal128(precision, scale)``; no float on the way.

    Accepted: an optional sign, digits with optional thousands separators, an optional
    fraction. Arrow parses the digits themselves (``9449.29`` stays 9449.29). A value with
    more than ``precision - scale`` integer digits or more than ``scale`` fraction digits
    (trailing zeros aside) fails, as do exponents: rounding money is a decision, not a parse.
    """
    parts = pc.extract_regex(text, _DECIMAL)
    whole = pc.replace_substring(pc.struct_field(parts, "whole"), ",", "")
    fraction = pc.struct_field(parts, "fraction")
    written = pc.greater(pc.add(pc.utf8_length(whole), pc.utf8_length(fraction)), 0)
    whole = pc.replace_substring_regex(whole, r"^0+", "")
    fraction = pc.utf8_rtrim(fraction, characters="0")
    fits = pc.and_(
        pc.less_equal(pc.utf8_length(whole), precision - scale),
        pc.less_equal(pc.utf8_length(fraction), scale),
    )
    sign = pc.replace_substring(pc.struct_field(parts, "sign"), "+", "")
    zero = pa.scalar("0", pa.string())
    canonical = pc.binary_join_element_wise(
        sign,
        pc.if_else(pc.equal(whole, ""), zero, whole),
        ".",
        pc.if_else(pc.equal(fraction, ""), zero, fraction),
        "",
    )
    return pc.cast(_keep(pc.and_(written, fits), canonical), pa.decimal128(precision, scale))


def decimal_parts(text: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Sign, whole digits (separators removed) and fraction digits of decimal literals.

    Anything that is not a decimal literal gives nulls.
    """
    parts = pc.extract_regex(text, _DECIMAL)
    whole = pc.replace_substring(pc.struct_field(parts, "whole"), ",", "")
    return pc.struct_field(parts, "sign"), whole, pc.struct_field(parts, "fraction")


def shift_decimal(parts: tuple[pa.Array, pa.Array, pa.Array], exponent: int) -> pa.Array:
    """Decimal literals (as :func:`decimal_parts`) times ``10**exponent``, as text.

    Exact: digits move. ``1,234.5`` shifted by 4 is ``"12345000."``; by -2 it is ``"0012.345"``.
    Leading and trailing zeros stay (:func:`parse_decimal` drops them).
    """
    sign, whole, fraction = parts
    if exponent > 0:
        padded = pc.binary_join_element_wise(fraction, "0" * exponent, "")
        whole = pc.binary_join_element_wise(whole, pc.utf8_slice_codeunits(padded, 0, exponent), "")
        fraction = pc.utf8_slice_codeunits(padded, exponent)
    elif exponent < 0:
        padded = pc.binary_join_element_wise("0" * -exponent, whole, "")
        fraction = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(padded, exponent), fraction, ""
        )
        whole = pc.utf8_slice_codeunits(padded, 0, exponent)
    return pc.binary_join_element_wise(sign, whole, ".", fraction, "")


def parse_bool(text: pa.Array) -> pa.Array:
    """Parse ``true``/``false``/``1``/``0``/``是``/``否`` (case-insensitive)."""
    lower = pc.utf8_lower(text)
    null_bool = pa.scalar(None, pa.bool_())
    return pc.if_else(
        pc.is_in(lower, pa.array(_TRUE)),
        True,
        pc.if_else(pc.is_in(lower, pa.array(_FALSE)), False, null_bool),
    )


def _pad(parts: pa.Array, name: str, width: int = 2) -> pa.Array:
    return pc.utf8_lpad(pc.struct_field(parts, name), width=width, padding="0")


def _canonical_iso(text: pa.Array) -> pa.Array:
    """Fast path for columns written ``YYYY-MM-DD[( |T)HH:MM[:SS]]``: string edits only."""
    spaced = pc.replace_substring(text, "T", " ")
    length = pc.utf8_length(spaced)
    bounds = pc.min_max(length).as_py()
    if bounds["min"] == bounds["max"]:  # the usual case: one layout for the whole column
        suffix = _TIME_SUFFIX.get(bounds["min"] or 19, "")
        return pc.binary_join_element_wise(spaced, suffix, "") if suffix else spaced
    padded = spaced
    for width, suffix in _TIME_SUFFIX.items():
        padded = pc.if_else(
            pc.equal(length, width), pc.binary_join_element_wise(spaced, suffix, ""), padded
        )
    return padded


def _canonical_any(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Slow path for every accepted spelling: the canonical text and the fraction digits."""
    text = pc.replace_substring_regex(text, _COMPACT_DATE, r"\1-\2-\3\4")
    parts = pc.extract_regex(text, _DATETIME)
    canonical = pc.binary_join_element_wise(
        pc.struct_field(parts, "y"),
        "-",
        _pad(parts, "m"),
        "-",
        _pad(parts, "d"),
        " ",
        _pad(parts, "H"),
        ":",
        _pad(parts, "M"),
        ":",
        _pad(parts, "S"),
        "",
    )
    fraction = pc.utf8_ltrim(pc.struct_field(parts, "f"), characters=".")
    return _keep(pc.is_valid(parts), canonical), fraction


def _iso_dates(text: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Dates written exactly ``YYYY-MM-DD`` (the usual case), and which values those were.

    Arrow parses the text, and a value counts only when the date written back is the text
    itself: that rejects other layouts, missing zero padding and impossible days alike, with
    no regex.
    """
    days = pc.cast(pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    exact = pc.fill_null(pc.equal(pc.cast(days, pa.string()), text), False)
    return days, exact


def parse_timestamp(text: pa.Array, *, date_only: bool = False) -> pa.Array:
    """Parse date-times (``timestamp[us]``), or dates when ``date_only`` (``date32``).

    Dates may be written ``2024-05-01``, ``2024/5/1``, ``2024.05.01``, ``20240501`` or
    ``2024年5月1日``; a time ``HH:MM[:SS[.ffffff]]`` may follow after ``T`` or spaces. A date
    column accepts a time only when it is midnight. Impossible dates (``2024-02-30``) fail.
    """
    if not date_only:
        return _parse_any(text, date_only=False)
    days, exact = _iso_dates(text)
    rest = pc.and_(pc.is_valid(text), pc.invert(exact))
    if not pc.any(rest).as_py():
        return pc.if_else(exact, days, pa.scalar(None, pa.date32()))
    # Only the values in another layout (or invalid) take the general parser.
    others = _parse_any(text.filter(rest), date_only=True)
    return pc.replace_with_mask(pc.if_else(exact, days, pa.scalar(None, pa.date32())), rest, others)


def _parse_any(text: pa.Array, *, date_only: bool) -> pa.Array:
    iso = pc.match_substring_regex(text, _ISO)
    fraction: pa.Array | None = None
    if pc.all(pc.or_kleene(iso, pc.is_null(text))).as_py() is not False:
        canonical = _canonical_iso(text)
    else:
        canonical, fraction = _canonical_any(text)
    seconds = pc.strptime(canonical, format="%Y-%m-%d %H:%M:%S", unit="us", error_is_null=True)
    # Arrow's strptime rolls 2024-02-30 over to 2024-03-01: the day must read back unchanged.
    day = pc.cast(pc.utf8_slice_codeunits(canonical, 8, 10), pa.int64())
    valid = pc.equal(pc.day(seconds), day)
    micros = None
    if fraction is not None:
        micros = pc.cast(
            pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, width=6, padding="0"), 0, 6), pa.int64()
        )
    if date_only:
        midnight = pc.ends_with(canonical, " 00:00:00")
        if micros is not None:
            midnight = pc.and_(midnight, pc.equal(micros, 0))
        return pc.cast(_keep(pc.and_(valid, midnight), seconds), pa.date32())
    if micros is not None:
        seconds = pc.add(seconds, pc.cast(micros, pa.duration("us")))
    return _keep(valid, seconds)
