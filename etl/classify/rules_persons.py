"""Dataset rules about persons, evaluated over every row (classification.md §2, §3).

- **R4 minors**: a person under 14 at the run's logical date (from 出生日期, or digits 7-14 of an
  ID number) makes every personal column L4.
- **TRACK location series** (行踪轨迹): precise coordinates together with a vehicle or person key
  that repeats (on average at least ``series_min_fixes`` rows per key) lift the coordinates and
  the keys to L4.

A lifted column keeps its own grade in ``base_grade`` and names the rule in ``lifted_by``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.categories import CATEGORIES, NONE
from etl.classify.decide import ColumnFinding
from etl.classify.detectors.base import distinct_count
from etl.classify.detectors.dates import parse_dates, yyyymmdd_dates
from etl.classify.model import ColumnClassification
from etl.classify.rule_settings import RuleSettings
from etl.runtime.records import RuleHit
from etl.text.canonical import id_number_rows
from etl.text.strings import (
    as_strings,
    ascii_digits,
    compact,
    fixed_width,
    from_fixed_width,
    regex_mask,
    strip,
)

#: Person keys, best first: the column R5 counts distinct persons by.
PERSON_KEYS: tuple[str, ...] = ("id_card", "social_security", "passport", "mobile_phone", "email")
#: Keys that make a series of positions a track.
TRACK_KEYS: tuple[str, ...] = ("license_plate", *PERSON_KEYS)
#: Categories that are not about a person.
NOT_PERSONAL = frozenset({NONE, *(c.id for c in CATEGORIES if not c.personal)})
_ID_SHAPE = r"^[0-9]{15}(?:[0-9]{2}[0-9Xx])?$"
_ISO_DATE = r"^(?:18|19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}$"
#: Categories whose values carry a birth date.
BIRTH_SOURCES = frozenset({"birth_date", "id_card", "social_security"})


def _names(columns: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in columns)


def lift(finding: ColumnFinding, rule: str, grade: str = "L4") -> ColumnFinding:
    """Raise a column's grade by a dataset rule, keeping its own grade in ``base_grade``."""
    c = finding.classification
    if c.grade == grade:
        return finding
    lifted = replace(
        c,
        grade=grade,
        base_grade=c.base_grade or c.grade,
        lifted_by=c.lifted_by or rule,
        evidence=f"{c.evidence}; {rule}: lifted from {c.grade} to {grade}",
    )
    return replace(finding, classification=lifted)


def _young(ymd: Any, cutoff: dt.date, day: dt.date) -> Any:
    """Rows whose ``YYYYMMDD`` text (eight digits or null) is a real date in (cutoff, day].

    Text compares like the date it spells, so only the few candidate rows are parsed.
    """
    low, high = cutoff.strftime("%Y%m%d"), day.strftime("%Y%m%d")
    window = pc.and_(pc.greater(ymd, low), pc.less_equal(ymd, high))
    rows = np.flatnonzero(pc.fill_null(window, False).to_numpy(zero_copy_only=False))
    out = np.zeros(len(ymd), dtype=bool)
    if len(rows):
        real = pc.is_valid(yyyymmdd_dates(ymd.take(pa.array(rows)), checked=True))
        out[rows[real.to_numpy(zero_copy_only=False)]] = True
    return out


def _id_births(values: Any) -> Any:
    """``YYYYMMDD`` in ID numbers: digits 7-14, or 19 + digits 7-12 of a 15-digit number."""
    values = as_strings(values)
    ids = fixed_width(values, 18)
    if ids is None:
        return _id_births_of(values)
    # the usual column: 18 bytes each, cut where shaped; the others take the general path
    shaped = id_number_rows(ids, lower_x=True)
    births = from_fixed_width(ids[:, 6:14])
    if shaped.all():
        return births
    odd = pa.array(~shaped)
    return pc.replace_with_mask(births, odd, _id_births_of(values.filter(odd)))


def _id_births_of(values: Any) -> Any:
    """:func:`_id_births` of any string array, value by value with Arrow kernels."""
    numbers = strip(values)
    shaped = regex_mask(numbers, _ID_SHAPE)
    odd = pc.and_(pc.invert(shaped), pc.is_valid(numbers))
    if pc.any(odd).as_py():
        # separators inside some numbers: remove them from those values only
        numbers = pc.replace_with_mask(numbers, odd, compact(numbers.filter(odd)))
        shaped = regex_mask(numbers, _ID_SHAPE)
    length = pc.utf8_length(numbers)
    legacy = pc.binary_join_element_wise("19", pc.utf8_slice_codeunits(numbers, 6, 12), "")
    text = pc.if_else(pc.equal(length, 18), pc.utf8_slice_codeunits(numbers, 6, 14), legacy)
    return pc.if_else(shaped, text, pa.scalar(None, pa.string()))


def _iso_birth_days(text: Any) -> Any:
    """``YYYYMMDD`` of a column of ``YYYY-MM-DD`` dates (:data:`_ISO_DATE`), or None.

    None unless every value is such a date (no null): the usual layout, cut as bytes.
    """
    dates = fixed_width(text, 10)
    if dates is None:
        return None
    digits = dates[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    first, second = dates[:, 0], dates[:, 1]
    century = ((first == ord("1")) & ((second == ord("8")) | (second == ord("9")))) | (
        (first == ord("2")) & (second == ord("0"))
    )
    ok = (
        ascii_digits(digits).all(axis=1)
        & (dates[:, 4] == ord("-"))
        & (dates[:, 7] == ord("-"))
        & century
    )
    return from_fixed_width(digits) if ok.all() else None


def _date_births(values: Any) -> Any:
    """``YYYYMMDD`` of the dates in a birth-date column (any supported format)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if not (pa.types.is_date(values.type) or pa.types.is_timestamp(values.type)):
        fast = _iso_birth_days(as_strings(values))
        if fast is not None:
            return fast
        text = strip(values)
        iso = regex_mask(text, _ISO_DATE)
        if pc.all(pc.or_(iso, pc.is_null(text))).as_py():  # the usual layout: no parsing
            return pc.replace_substring(text, "-", "")
    return pc.strftime(pc.cast(parse_dates(values), pa.timestamp("s")), format="%Y%m%d")


def minors_mask(
    table: pa.Table,
    columns: Sequence[ColumnClassification],
    logical_date: dt.date,
    settings: RuleSettings,
) -> tuple[Any, list[str]]:
    """Rows that describe a person under ``settings.minor_age`` at ``logical_date``.

    Args:
        table: the data (every row is checked).
        columns: classifications; birth dates come from birth_date, id_card and
            social_security columns.
        logical_date: the run's logical date.
        settings: rule thresholds.

    Returns:
        ``(mask, sources)``: a numpy boolean array over the rows and the columns that held a
        birth date.
    """
    try:
        cutoff = logical_date.replace(year=logical_date.year - settings.minor_age)
    except ValueError:  # 29 February
        cutoff = dt.date(logical_date.year - settings.minor_age, 2, 28)
    mask = np.zeros(table.num_rows, dtype=bool)
    sources: list[str] = []
    for c in columns:
        if c.category not in BIRTH_SOURCES or c.name not in table.column_names:
            continue
        values = table.column(c.name)
        births = _date_births(values) if c.category == "birth_date" else _id_births(values)
        mask |= _young(births, cutoff, logical_date)
        sources.append(c.name)
    return mask, sources


def apply_minors(
    table: pa.Table,
    findings: Sequence[ColumnFinding],
    logical_date: dt.date,
    settings: RuleSettings,
) -> tuple[list[ColumnFinding], RuleHit | None, Any]:
    """R4: with any minor in the data, every personal column becomes L4.

    Personal columns are those of a personal category or with a quasi-identifier name, except
    columns graded L1 (public items of organisations).

    Returns:
        The findings, the rule if it fired, and the rows of minors (numpy booleans).
    """
    mask, sources = minors_mask(table, [f.classification for f in findings], logical_date, settings)
    minors = int(mask.sum())
    if not minors:
        return list(findings), None, mask
    out: list[ColumnFinding] = []
    lifted: list[str] = []
    for f in findings:
        c = f.classification
        personal = c.category not in NOT_PERSONAL or f.quasi_identifier is not None
        if personal and c.grade in ("L2", "L3"):
            f = lift(f, "R4")
            lifted.append(c.name)
        out.append(f)
    text = (
        f"R4 minors: {minors} of {table.num_rows} rows describe a person under "
        f"{settings.minor_age} at {logical_date.isoformat()} (birth dates from {_names(sources)})"
        f" → personal columns L4" + (f": {_names(lifted)} lifted" if lifted else "")
    )
    return out, RuleHit(id="R4", text=text), mask


def apply_track(
    table: pa.Table,
    findings: Sequence[ColumnFinding],
    settings: RuleSettings,
    column: Callable[[str], Any] | None = None,
) -> tuple[list[ColumnFinding], RuleHit | None]:
    """TRACK: coordinates with a repeating vehicle or person key form a location series → L4.

    Args:
        table: the data.
        findings: the column findings.
        settings: rule thresholds.
        column: reads the key column of the whole dataset when ``table`` is a sample of it.

    Returns:
        The findings and the rule if it fired.
    """
    coords = [f for f in findings if f.classification.category == "geo_coordinate"]
    keys = [f for f in findings if f.classification.category in TRACK_KEYS]
    if not coords or not keys:
        return list(findings), None
    keys.sort(key=lambda f: TRACK_KEYS.index(f.classification.category))
    key = keys[0].classification
    values = (column or table.column)(key.name)
    present = int(pc.sum(pc.is_valid(values)).as_py() or 0)
    distinct = distinct_count(values)
    if not distinct or present / distinct < settings.series_min_fixes:
        return list(findings), None
    wanted = {f.classification.name for f in (*coords, *keys)}
    targets = [f.classification.name for f in findings if f.classification.name in wanted]
    out = [lift(f, "TRACK") if f.classification.name in wanted else f for f in findings]
    what = "per-vehicle" if key.category == "license_plate" else "per-person"
    text = (
        f"TRACK {what} location series (行踪轨迹): {distinct} keys in {key.name!r} with "
        f"{present / distinct:.1f} rows each on average → {_names(targets)} L4"
    )
    return out, RuleHit(id="TRACK", text=text)
