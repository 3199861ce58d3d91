"""The publication guard: no personal value reaches the shared or open zone unnoticed.

The column decision works on a sample and on headers; it can be wrong on a schema nobody has
seen. Before a column goes out unprotected (grade L1/L2 in shared, L1 in open) the guard looks
at every value that goes out, whatever the decision said, and withholds from shared/open a
column whose values look personal in a material share, unless a person cleared that column in
the registry. The run records the hold for review; nothing is published silently.

Every value is checked, but each distinct value only once per batch: the checks run over
``value_counts`` of the batch and are weighted by the counts, so a code-list column of a
million rows costs a hash pass. Checks that need Python (check digits, libphonenumber) run on
at most :data:`CONFIRM_PER_BATCH` candidates per batch and the rest is estimated from them.

What counts as material (a share of the non-empty values checked; ``bench/classify_eval.py``
measures what the guard withholds on the evaluation corpus, the leaks and the false holds):

- anywhere: check-digit-valid ID numbers (also inside a value, such as ``G`` + an ID number)
  or bank cards with a card BIN in :data:`STRONG_SHARE` of the values; mobile numbers in
  :data:`MOBILE_SHARE`;
- in a table that holds persons (:func:`etl.classify.context.holds_persons`, or ID numbers
  found by this guard): mobile numbers in :data:`PERSON_MOBILE_SHARE`, e-mail addresses,
  licence plates, house-number-level addresses and diagnoses (ICD-10 codes or diagnosis words)
  in :data:`PERSON_WEAK_SHARE`, landline numbers in :data:`PERSON_WEAK_SHARE` and name-shaped
  values in :data:`PERSON_NAME_SHARE` when they are varied as a person's are (a code list of
  occupations or education levels has a few dozen values, a name column thousands; the
  registering office's telephone is one number, the persons' home numbers are many).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from etl.classify.context import holds_persons
from etl.classify.detectors.address import check_house_address
from etl.classify.detectors.contact import check_email
from etl.classify.detectors.health import check_health
from etl.classify.detectors.id_card import PROVINCE
from etl.classify.detectors.person_name import check_person_name
from etl.classify.detectors.phone import is_landline, is_mobile
from etl.classify.detectors.vehicle import check_license_plate
from etl.classify.grades import DEFAULT_GRADES, grade_rank
from etl.classify.model import DatasetClassification
from etl.runtime.records import Withheld
from etl.zones import PUBLISHED

#: The categories the guard looks for; of two found with the same grade and share, the earlier
#: is named.
GUARDED: tuple[str, ...] = (
    *("id_card", "mobile_phone", "bank_card", "license_plate", "email", "address"),
    *("landline_phone", "person_name", "health"),
)
#: Share of check-digit-valid ID numbers or bank cards that makes a column personal.
STRONG_SHARE = 0.02
#: Share of mobile numbers that makes a column personal in any table.
MOBILE_SHARE = 0.5
#: ... and in a table that holds persons.
PERSON_MOBILE_SHARE = 0.2
#: Share of e-mail addresses, plates or house-number-level addresses, in a table of persons.
PERSON_WEAK_SHARE = 0.3
#: Share of name-shaped values, in a table of persons, when they are varied.
PERSON_NAME_SHARE = 0.5
#: Names and landline numbers are material only when varied: distinct values per value of the
#: category from which a column is varied ...
VARIETY = 0.2
#: ... or this many distinct values, whatever the share.
VARIED_DISTINCT = 500
#: Luhn passes one random number in ten: a card column must pass it far more often.
CARD_LUHN_SHARE = 0.5
#: Candidates confirmed in Python per batch and category; beyond, a seeded sample is confirmed.
CONFIRM_PER_BATCH = 2000

_DATE = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
#: An ID number inside a value: not part of a longer digit run (letters around it are allowed).
_RE_ID = rf"(?:^|[^0-9])({PROVINCE}[0-9]{{4}}{_DATE}[0-9]{{3}}[0-9Xx])(?:$|[^0-9Xx])"
_PY_ID = re.compile(_RE_ID)
#: A mobile number inside a value, separators allowed.
_RE_MOBILE = r"(?:^|[^0-9])((?:\+?86[- ]?)?1[3-9][0-9][- ]?[0-9]{4}[- ]?[0-9]{4})(?:$|[^0-9])"
_PY_MOBILE = re.compile(_RE_MOBILE)
#: A bank card: the whole value, 16-19 digits with a card scheme's BIN (UnionPay 62, Visa 4,
#: Mastercard 51-55), separators allowed.
_RE_CARD = r"^(?:62|4[0-9]|5[1-5])[0-9]{14,17}$"
#: Cheap first look for the digit checks: eleven digits, a mobile number's length, with the
#: separators people type (ID numbers and cards are longer).
_RE_DIGITS = r"[0-9]{3}[- ]?[0-9]{4}[- ]?[0-9]{4}|0[1-9][0-9]{1,2}\)?[- ]?[0-9]{7,8}"
#: A landline number as the whole value: trunk 0, area code (in brackets or not), subscriber.
_RE_LANDLINE = r"^\(?0[1-9][0-9]{1,2}\)?[- ]?[0-9]{7,8}$"


@dataclass
class _Tally:
    """Counts of one column over the batches seen so far."""

    checked: int = 0
    hits: dict[str, float] = field(default_factory=dict)
    card_shaped: float = 0.0
    distinct: dict[str, set[str]] = field(default_factory=dict)

    def add(self, other: _Tally) -> None:
        self.checked += other.checked
        for category, count in other.hits.items():
            self.hits[category] = self.hits.get(category, 0.0) + count
        self.card_shaped += other.card_shaped
        # distinct names and landlines, exact up to VARIED_DISTINCT whatever the batches
        for category, values in other.distinct.items():
            seen = self.distinct.setdefault(category, set())
            for value in values:
                if len(seen) >= VARIED_DISTINCT:
                    break
                seen.add(value)


def guarded_columns(
    classification: DatasetClassification,
    zones: Sequence[str],
    cleared: Iterable[str] = (),
) -> list[str]:
    """Columns that would go out unprotected to a public zone and that no person cleared.

    Args:
        classification: the run's classification.
        zones: the zones the run publishes to.
        cleared: columns a person labelled in the registry (they are not second-guessed).

    Returns:
        Column names in table order.
    """
    if not PUBLISHED & set(zones):
        return []
    skip = set(cleared)
    return [
        c.name
        for c in classification.columns
        if c.name not in skip and grade_rank(c.grade) <= grade_rank("L2")
    ]


def _share(mask: Any, counts: Any) -> float:
    """Sum of ``counts`` where ``mask`` is true.

    Not ``np.dot``: on float arrays it calls BLAS, whose threads then spin on every core for a
    while after each call (measured: half a core for the whole guard). The counts are whole
    numbers, so the sum is the same in any order.
    """
    return float(counts[mask].sum())


def _confirm_rate(values: list[str], check: Callable[[str], bool], salt: str) -> float:
    """Share of ``values`` that pass ``check`` (on a seeded sample when there are many)."""
    if not values:
        return 0.0
    if len(values) > CONFIRM_PER_BATCH:
        rng = np.random.default_rng(zlib.crc32(salt.encode("utf-8")))
        picked = rng.choice(len(values), size=CONFIRM_PER_BATCH, replace=False)
        values = [values[i] for i in picked]
    return sum(1 for v in values if check(v)) / len(values)


def _valid_id(text: str) -> bool:
    found = _PY_ID.search(text)
    return bool(found and mod_11_2.is_valid(found.group(1).upper()))


def _valid_mobile(text: str) -> bool:
    found = _PY_MOBILE.search(text)
    return bool(found and is_mobile(re.sub(r"[- ]", "", found.group(1))))


def _valid_card(text: str) -> bool:
    return bool(luhn.is_valid(text))


def _mask(values: Any) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _as_text(values: pa.ChunkedArray | pa.Array) -> pa.Array | None:
    """The column as strings if it could hold personal values, else None.

    Strings are checked as they are; integers only where they are long enough to be a phone
    or an ID number; dates, times, booleans and floats hold none of the guarded categories.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], values.type)
    kind = values.type
    if pa.types.is_dictionary(kind):
        values = values.cast(kind.value_type)
        kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return values
    if pa.types.is_integer(kind):
        long_enough = pc.greater_equal(pc.abs(values), 10_000_000_000)
        return pc.cast(values.filter(pc.fill_null(long_enough, False)), pa.string())
    return None


def _tally(values: pa.Array, salt: str) -> _Tally:
    """Count the personal-looking values of one batch of one column (each distinct value once)."""
    counted = pc.value_counts(values)
    distinct = counted.field("values")
    counts = counted.field("counts").to_numpy().astype(np.float64)
    blank = pc.equal(pc.utf8_trim_whitespace(distinct), "")
    present = _mask(pc.and_(pc.is_valid(distinct), pc.invert(blank)))
    tally = _Tally(checked=int(_share(present, counts)))
    if tally.checked == 0:
        return tally
    distinct = distinct.filter(pa.array(present))
    counts = counts[present]
    digits = _mask(pc.match_substring_regex(distinct, _RE_DIGITS))
    if digits.any():
        _digit_checks(tally, distinct.filter(pa.array(digits)), counts[digits], salt)
    at = _mask(pc.match_substring(distinct, "@"))
    if at.any():
        tally.hits["email"] = _share(_mask(check_email(distinct.filter(pa.array(at)))), counts[at])
    health = _mask(check_health(distinct))
    if health.any():
        tally.hits["health"] = _share(health, counts)
    # names, addresses and plates are written in Han characters: ASCII values are none of them
    han = ~_mask(pc.string_is_ascii(distinct))
    if not han.any():
        return tally
    text, weights = distinct.filter(pa.array(han)), counts[han]
    for category, check in (
        ("license_plate", check_license_plate),
        ("address", check_house_address),
    ):
        hit = _mask(check(text))
        if hit.any():
            tally.hits[category] = _share(hit, weights)
    names = _mask(check_person_name(text))
    if names.any():
        tally.hits["person_name"] = _share(names, weights)
        tally.distinct["person_name"] = _first_distinct(text.filter(pa.array(names)))
    return tally


def _first_distinct(values: pa.Array) -> set[str]:
    """Up to :data:`VARIED_DISTINCT` of ``values`` (distinct already: value_counts' keys)."""
    return set(values.slice(0, VARIED_DISTINCT).to_pylist())


def _valid_landline(text: str) -> bool:
    return is_landline(re.sub(r"[-() ]", "", text))


def _digit_checks(tally: _Tally, candidates: pa.Array, weights: np.ndarray, salt: str) -> None:
    """ID numbers, phone numbers and bank cards among values holding a run of digits."""
    checks = (
        ("id_card", _RE_ID, _valid_id),
        ("mobile_phone", _RE_MOBILE, _valid_mobile),
    )
    for category, pattern, check in checks:
        shaped = _mask(pc.match_substring_regex(candidates, pattern))
        if shaped.any():
            texts = candidates.filter(pa.array(shaped)).to_pylist()
            rate = _confirm_rate(texts, check, f"{salt}/{category}")
            tally.hits[category] = _share(shaped, weights) * rate
    landlines = _mask(pc.match_substring_regex(candidates, _RE_LANDLINE))
    if landlines.any():
        shaped_values = candidates.filter(pa.array(landlines))
        rate = _confirm_rate(shaped_values.to_pylist(), _valid_landline, f"{salt}/landline")
        tally.hits["landline_phone"] = _share(landlines, weights) * rate
        tally.distinct["landline_phone"] = _first_distinct(shaped_values)
    compacted = pc.replace_substring_regex(candidates, r"[ \-]", "")
    cards = _mask(pc.match_substring_regex(compacted, _RE_CARD))
    if cards.any():
        texts = compacted.filter(pa.array(cards)).to_pylist()
        rate = _confirm_rate(texts, _valid_card, f"{salt}/bank_card")
        tally.card_shaped = _share(cards, weights)
        tally.hits["bank_card"] = tally.card_shaped * rate


def _varied(tally: _Tally, category: str) -> bool:
    """Whether a category's values in the column are as varied as a person's are."""
    seen = len(tally.distinct.get(category, ()))
    return seen >= min(VARIED_DISTINCT, VARIETY * tally.hits.get(category, 0.0))


def _verdict(column: str, tally: _Tally, persons: bool) -> Withheld | None:
    """The most sensitive category whose share is material, or None (就高从严)."""
    if tally.checked == 0:
        return None
    share = {c: n / tally.checked for c, n in tally.hits.items()}
    material: list[str] = []
    if share.get("id_card", 0.0) >= STRONG_SHARE:
        material.append("id_card")
    card = tally.hits.get("bank_card", 0.0)
    if share.get("bank_card", 0.0) >= STRONG_SHARE and card >= CARD_LUHN_SHARE * tally.card_shaped:
        material.append("bank_card")
    if share.get("mobile_phone", 0.0) >= (PERSON_MOBILE_SHARE if persons else MOBILE_SHARE):
        material.append("mobile_phone")
    if persons:
        material.extend(
            c
            for c in ("email", "license_plate", "address", "health")
            if share.get(c, 0.0) >= PERSON_WEAK_SHARE
        )
        for category, needed in (
            ("landline_phone", PERSON_WEAK_SHARE),
            ("person_name", PERSON_NAME_SHARE),
        ):
            if share.get(category, 0.0) >= needed and _varied(tally, category):
                material.append(category)
    if not material:
        return None
    worst = max(
        material,
        key=lambda c: (grade_rank(DEFAULT_GRADES[c]), share[c], -GUARDED.index(c)),
    )
    return Withheld(
        column=column,
        category=worst,
        grade=DEFAULT_GRADES[worst],
        values=round(tally.hits[worst]),
        checked=tally.checked,
    )


def guard(
    batches: Iterable[pa.Table],
    classification: DatasetClassification,
    columns: Sequence[str],
    *,
    map_batches: Callable[[Callable[[pa.Table], Any], Iterable[pa.Table]], Iterator[Any]]
    | None = None,
) -> list[Withheld]:
    """Check every value of ``columns`` in ``batches``; the columns to withhold.

    Args:
        batches: the rows that go out, holding at least ``columns``.
        classification: the run's classification (does the table hold persons?).
        columns: the guarded columns (:func:`guarded_columns`).
        map_batches: ``map`` over the batches, e.g. on threads (results in order); the
            built-in ``map`` when None.

    Returns:
        One :class:`Withheld` per column to keep out of shared/open, in ``columns`` order.
    """
    if not columns:
        return []
    persons = holds_persons(classification.columns)

    def look(batch: pa.Table) -> dict[str, _Tally]:
        out: dict[str, _Tally] = {}
        for name in columns:
            text = _as_text(batch.column(name))
            if text is not None and len(text):
                # every category in every batch: whether the table holds persons may only
                # show once the guard has found ID numbers
                out[name] = _tally(text, name)
        return out

    totals = {name: _Tally() for name in columns}
    for tallies in (map_batches or map)(look, batches):
        for name, tally in tallies.items():
            totals[name].add(tally)
    found_ids = any(
        t.checked and t.hits.get("id_card", 0.0) / t.checked >= STRONG_SHARE
        for t in totals.values()
    )
    persons = persons or found_ids
    verdicts = (_verdict(name, totals[name], persons) for name in columns)
    return [v for v in verdicts if v is not None]
