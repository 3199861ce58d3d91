"""出生日期 (birth_date): a calendar date from 1900 to today in any common Chinese format.

Formats: ``2023-05-12``, ``2023/5/12``, ``2023.05.12``, ``20230512``, ``2023年5月12日``, with an
optional time of day (``2023-05-12 00:00:00``, ``2023-05-12T00:00:00``), and year-month forms
for 出生年月 (``2023-05``, ``2023年5月``, ``202305``). :func:`parse_dates` is shared with rule R4.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.text.strings import strip

#: Earliest plausible birth date.
MIN_DATE = dt.date(1900, 1, 1)

_Y = r"(?P<y>(?:18|19|20)[0-9]{2})"
_M = r"(?P<m>[0-9]{1,2})"
_D = r"(?P<d>[0-9]{1,2})"
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_FULL_PATTERNS = (
    rf"^{_Y}[-/.]{_M}[-/.]{_D}{_TIME}$",
    rf"^{_Y}年{_M}月{_D}日?$",
    r"^(?P<y>(?:18|19|20)[0-9]{2})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$",
)
_MONTH_PATTERNS = (
    rf"^{_Y}[-/.]{_M}$",
    rf"^{_Y}年{_M}月?$",
    r"^(?P<y>(?:18|19|20)[0-9]{2})(?P<m>0[1-9]|1[0-2])$",
)


def _ymd(text: Any, pattern: str, with_day: bool) -> Any:
    """``YYYYMMDD`` strings of the values matching ``pattern`` (others null)."""
    parts = pc.extract_regex(text, pattern)
    month = pc.utf8_lpad(pc.struct_field(parts, "m"), 2, "0")
    day = pc.utf8_lpad(pc.struct_field(parts, "d"), 2, "0") if with_day else pa.scalar("01")
    joined = pc.binary_join_element_wise(pc.struct_field(parts, "y"), month, day, "")
    return pc.if_else(pc.is_valid(parts), joined, pa.scalar(None, pa.string()))


_ISO = r"^(?:18|19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
#: Values probed to order the patterns: the column's own format is tried first.
_PROBE = 1000


def _patterns(text: Any) -> list[tuple[str, bool]]:
    patterns = [(p, True) for p in _FULL_PATTERNS] + [(p, False) for p in _MONTH_PATTERNS]
    probe = text.filter(pc.is_valid(text)).slice(0, _PROBE)
    hits = [pc.sum(pc.is_valid(_ymd(probe, p, d))).as_py() or 0 for p, d in patterns]
    order = sorted(range(len(patterns)), key=lambda i: -hits[i])
    return [patterns[i] for i in order]


def yyyymmdd_dates(ymd: Any, *, checked: bool = False) -> Any:
    """``date32`` of ``YYYYMMDD`` strings; impossible dates (30 February) and others → null.

    Args:
        ymd: string array.
        checked: the caller guarantees every non-null value is eight ASCII digits.
    """
    if not checked:
        eight = pc.fill_null(pc.match_substring_regex(ymd, "^[0-9]{8}$"), False)
        ymd = pc.if_else(eight, ymd, None)
    parsed = pc.strptime(ymd, format="%Y%m%d", unit="s", error_is_null=True)
    # strptime rolls 30 February over into 2 March: a real date keeps its day of the month.
    digits = pc.if_else(pc.is_valid(parsed), pc.utf8_slice_codeunits(ymd, 6, 8), None)
    day = pc.cast(digits, pa.int64())
    same = pc.equal(pc.day(parsed), day)
    return pc.cast(pc.if_else(pc.fill_null(same, False), parsed, None), pa.date32())


def parse_dates(values: Any) -> Any:
    """Dates in the values, as a ``date32`` array; values that are not a real date are null.

    ``date32`` and timestamp arrays are converted directly; strings are parsed in every
    supported format (a year-month value is the first of its month). Each pattern runs only on
    the values no earlier pattern matched, most frequent format first, so a column in one
    format costs one pass.

    Args:
        values: pyarrow Array (strings, dates or timestamps).

    Returns:
        ``pa.date32()`` array of the same length.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        return pc.cast(pc.cast(values, pa.timestamp("s")), pa.date32())
    text = strip(values)
    where = np.full(len(text), -1, dtype=np.int64)
    pending = np.flatnonzero(pc.is_valid(text).to_numpy(zero_copy_only=False))
    found: list[Any] = []
    offset = 0
    iso = pc.fill_null(pc.match_substring_regex(text, _ISO), False)
    if pc.any(iso).as_py():  # the usual layout: no regex groups needed
        hit = iso.to_numpy(zero_copy_only=False)
        digits = pc.replace_substring(text.filter(iso), "-", "")
        found.append(digits)
        where[hit] = np.arange(int(hit.sum()))
        offset = int(hit.sum())
        pending = pending[~hit[pending]]
    for pattern, with_day in _patterns(text):
        if not len(pending):
            break
        ymd = _ymd(text.take(pa.array(pending)), pattern, with_day)
        hit = pc.is_valid(ymd).to_numpy(zero_copy_only=False)
        if hit.any():
            found.append(ymd.filter(pa.array(hit)))
            where[pending[hit]] = offset + np.arange(int(hit.sum()))
            offset += int(hit.sum())
            pending = pending[~hit]
    if not found:
        return pa.nulls(len(text), pa.date32())
    strings = pa.concat_arrays(found)
    taken = strings.take(pa.array(where, mask=where < 0))
    return yyyymmdd_dates(taken, checked=True)


def check_birth_date(values: Any, today: dt.date | None = None) -> Any:
    """Mask of values that are dates from 1900-01-01 to today.

    Args:
        values: string (or date) array.
        today: upper bound; defaults to the current date.

    Returns:
        Boolean array, null → False.
    """
    dates = parse_dates(values)
    high = pa.scalar(today or dt.date.today(), pa.date32())
    low = pa.scalar(MIN_DATE, pa.date32())
    return pc.fill_null(pc.and_(pc.greater_equal(dates, low), pc.less_equal(dates, high)), False)
