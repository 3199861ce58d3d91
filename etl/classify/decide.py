"""Column decision (classification.md §3 "Column decision").

Each detector's value check runs over a seeded sample; ``p`` is the share that passes.
Checksum-backed or strongly structured categories are accepted on content alone at p >= 0.9, or
at p >= 0.5 with a name hint; weak categories need a name hint and p >= 0.9. Ties go to the higher
p. Mobile and landline numbers are decided together (a contact column holds both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.address import check_house_address
from etl.classify.detectors.base import Detector, distinct_count
from etl.classify.detectors.id_card import embedded_numbers
from etl.classify.detectors.records import check_fen_amount
from etl.classify.detectors.registry import detectors, get_detector
from etl.classify.freetext import looks_like_prose
from etl.classify.grades import DEFAULT_GRADES, check_category, check_grade
from etl.classify.model import ColumnClassification, ColumnOverride
from etl.classify.name_terms import LEGAL_REPRESENTATIVE
from etl.classify.names import NameHint, category_hints, free_text_hint, quasi_identifier_hint
from etl.classify.sampling import sample_values
from etl.text.strings import regex_mask, strip

log = logging.getLogger(__name__)

#: Strong types: accepted on content alone at this share ...
STRONG_CONTENT_ONLY = 0.9
#: ... or at this share with a name hint.
STRONG_WITH_NAME = 0.5
#: Weak types need a name hint and this share.
WEAK_WITH_NAME = 0.9
#: Grade of a personal name in a legal-representative column (public enterprise registration item).
LEGAL_REPRESENTATIVE_GRADE = "L1"
#: Categories decided together when none of them reaches its threshold alone.
FAMILIES: tuple[tuple[str, ...], ...] = (("mobile_phone", "landline_phone"),)
#: Share from which a weak category's content is kept as evidence for the dataset's context
#: (:mod:`etl.classify.context` decides on it once it knows whether the table holds persons).
CONTENT_EVIDENCE = 0.2
#: Weak categories that content alone may decide in a table about persons. Dates are left
#: out: a registration date reads like a birth date. Landline numbers count only when they vary
#: from row to row (:mod:`etl.classify.context`): a person's home number does, the registering
#: office's number does not.
CONTENT_CATEGORIES: tuple[str, ...] = (
    *("person_name", "mobile_phone", "landline_phone", "address", "email", "health"),
)
#: Categories whose checks pass too much on their own (any amount), kept as content evidence
#: only when the header hints at them, even ambiguously (金额, ``je``, 收入) ...
HINTED_CONTENT: tuple[str, ...] = ("personal_finance",)
#: ... or when nearly every value is an amount kept to the fen and the amounts vary as money
#: does (a rate, a tariff or a fee schedule repeats a few values).
FEN_AMOUNT_SHARE = 0.9
FEN_AMOUNT_VARIETY = 0.3


@dataclass(frozen=True)
class ColumnFinding:
    """A column's classification plus what the dataset rules need to know about it.

    Attributes:
        classification: the public result.
        quasi_identifier: quasi-identifier kind hinted by the name, or None.
        role: role hinted by the name (``legal_representative``, ``org_address`` ...), or None.
        scan_text: a text column no category claimed that is named or reads like free text;
            the engine scans every one of its values.
        hinted: categories the name or comment hints at.
        content: ``(category, share)`` of the weak categories whose checks passed at least
            :data:`CONTENT_EVIDENCE` of the sample without being accepted (no name hint),
            highest share first; the context step may accept them in a table about persons.
        variety: distinct values per sampled value (a name column is varied, a code list
            is not).
        organisations: share of sampled values that are an organisation's name (…有限公司,
            …合作社, …医院): with person names, a counterparty column.
    """

    classification: ColumnClassification
    quasi_identifier: str | None = None
    role: str | None = None
    scan_text: bool = False
    hinted: tuple[str, ...] = ()
    content: tuple[tuple[str, float], ...] = ()
    variety: float = 0.0
    organisations: float = 0.0


@dataclass(frozen=True)
class _Score:
    detector: Detector
    share: float
    hints: tuple[NameHint, ...]
    order: int
    label: str

    @property
    def accepted(self) -> bool:
        hints = self.hints
        if self.detector.clear_name_only:
            hints = tuple(h for h in hints if not h.ambiguous)
        if self.detector.strong:
            return self.share >= STRONG_CONTENT_ONLY or (
                bool(hints) and self.share >= STRONG_WITH_NAME
            )
        return bool(hints) and self.share >= WEAK_WITH_NAME

    @property
    def rank(self) -> tuple[float, bool, bool, int]:
        return (self.share, bool(self.hints), self.detector.strong, -self.order)


def _percent(share: float) -> str:
    value = round(share * 100, 1)
    return f"{value:g}%"


def _hint_text(hints: tuple[NameHint, ...]) -> str:
    return "; ".join(h.describe() for h in hints) if hints else "no name hint"


def _for(hints: tuple[NameHint, ...], categories: tuple[str, ...]) -> tuple[NameHint, ...]:
    return tuple(h for h in hints if h.category in categories)


def _scores(sample: Any, hints: tuple[NameHint, ...]) -> list[_Score]:
    n = len(sample)
    masks: dict[str, Any] = {}
    scores: list[_Score] = []
    for i, d in enumerate(detectors()):
        masks[d.category] = d.check(sample)
        share = pc.sum(masks[d.category]).as_py() or 0
        scores.append(_Score(d, share / n, _for(hints, (d.category,)), i, d.category))
    if any(s.accepted for s in scores):
        return scores
    for family in FAMILIES:
        members = [s for s in scores if s.label in family]
        union = np.logical_or.reduce([masks[c].to_numpy(zero_copy_only=False) for c in family])
        best = max(members, key=lambda s: s.rank)
        label = " or ".join(family) + f" ({best.label} {_percent(best.share)})"
        share = float(union.sum()) / n
        scores.append(_Score(best.detector, share, _for(hints, family), best.order, label))
    return scores


def classify_column(
    name: str,
    values: Any,
    *,
    comment: str | None = None,
    override: ColumnOverride | None = None,
    sample_size: int = 1000,
    seed: int = 0,
) -> ColumnFinding:
    """Decide the category and grade of one column.

    Args:
        name: column name.
        values: the column (pyarrow Array or ChunkedArray).
        comment: optional column comment, used as extra name evidence.
        override: the registry's confirmed label; wins over detection.
        sample_size: values to sample (at least 30 where the column has them).
        seed: sampling seed.

    Returns:
        The finding; its evidence never contains a data value.
    """
    hints = category_hints(name, comment)
    qi = quasi_identifier_hint(name, comment)
    qi_kind = qi.category if qi else None
    role = next((h.role for h in hints if h.role), None)
    hinted = tuple(dict.fromkeys(h.category for h in hints))

    def found(
        column: ColumnClassification,
        scan_text: bool = False,
        content: tuple[tuple[str, float], ...] = (),
        variety: float = 0.0,
        organisations: float = 0.0,
    ) -> ColumnFinding:
        return ColumnFinding(
            column, qi_kind, role, scan_text, hinted, content, variety, organisations
        )

    if override is not None:
        return found(_from_override(name, override, hints))
    if pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type):
        return found(_binary(name, values, sample_size, seed, hints))
    try:
        sample = sample_values(values, size=sample_size, seed=seed, salt=name)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        log.warning("column %s cannot be read as text; classified as none", name)
        return found(_none(name, "column cannot be read as text", 1.0))
    qi_text = f"; quasi-identifier {qi.describe()} ({qi.category})" if qi else ""
    if len(sample) == 0:
        return found(_none(name, f"no non-empty values{qi_text}", 1.0))
    scores = _scores(sample, hints)
    accepted = [s for s in scores if s.accepted]
    if not accepted:
        # Only content that could have decided the column counts against "none": strong checks,
        # and checks whose category the name hints at.
        relevant = [s for s in scores if s.detector.strong or s.hints] or scores[:1]
        best = max(relevant, key=lambda s: s.rank)
        if best.share == 0:
            evidence = (
                f"none of {len(sample)} sampled values pass a deciding check; "
                f"{_hint_text(hints)}{qi_text}"
            )
        else:
            evidence = (
                f"no category reached its threshold (best: {best.label} "
                f"{_percent(best.share)} of {len(sample)} sampled values, "
                f"{_hint_text(best.hints)}){qi_text}"
            )
        embedded = _embedded_ids(sample)
        if embedded >= STRONG_CONTENT_ONLY or (embedded >= STRONG_WITH_NAME and hinted):
            evidence = (
                f"{_hint_text(hints)}; {_percent(embedded)} of {len(sample)} sampled values "
                "hold an ID number inside a longer code (id_card check)"
            )
            column = ColumnClassification(
                name, "id_card", DEFAULT_GRADES["id_card"], round(embedded, 4), evidence, "detector"
            )
            return found(column)
        text_like = pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
        scan = text_like and (free_text_hint(name, comment) is not None or looks_like_prose(sample))
        content = _content(sample, scores)
        orgs = _organisations(sample) if dict(content).get("person_name") else 0.0
        none = _none(name, evidence, round(1.0 - best.share, 4))
        return found(none, scan, content, _variety(sample), orgs)
    win = max(accepted, key=lambda s: s.rank)
    grade = win.detector.default_grade
    evidence = (
        f"{_hint_text(win.hints)}; {_percent(win.share)} of {len(sample)} sampled values "
        f"pass {win.label} check"
    )
    if win.detector.category == "person_name" and role == LEGAL_REPRESENTATIVE:
        grade = LEGAL_REPRESENTATIVE_GRADE
        evidence += f"; legal representative (法定代表人) → {grade}"
    column = ColumnClassification(
        name, win.detector.category, grade, round(win.share, 4), evidence, "detector"
    )
    return found(column)


def _content(sample: Any, scores: list[_Score]) -> tuple[tuple[str, float], ...]:
    """Weak categories the content speaks for without a name hint, highest share first.

    Addresses count only down to the house number: an authority's name (…街派出所) reads
    like an address. An amount counts under a header that speaks of money, or when it is kept
    to the fen in nearly every value and varies as money does.
    """
    shares: list[tuple[str, float]] = []
    for s in scores:
        wanted = s.label in CONTENT_CATEGORIES or (s.label in HINTED_CONTENT and s.hints)
        if s.label in HINTED_CONTENT and not s.hints and s.share >= FEN_AMOUNT_SHARE:
            wanted = _fen_amounts(sample)
        if not wanted or s.share < CONTENT_EVIDENCE:
            continue
        share = s.share
        if s.label == "address":
            share = (pc.sum(check_house_address(sample)).as_py() or 0) / len(sample)
        if share >= CONTENT_EVIDENCE:
            shares.append((s.label, round(share, 4)))
    return tuple(sorted(shares, key=lambda item: -item[1]))


#: The last characters of an organisation's name (GB/T 20001-style 字号 + 行业 + 组织形式).
RE_ORGANISATION = (
    r"(?:公司|有限|集团|合作社|中心|银行|医院|学校|大学|学院|研究所|事务所|商行|商店|经营部|"
    r"门市部|超市|工厂|厂|店|局|委员会|办事处|协会|基金会|企业|联合社)(?:[(（].*[)）])?$"
)


def _organisations(sample: Any) -> float:
    """Share of sampled values that are the name of an organisation."""
    hits = pc.sum(regex_mask(strip(sample), RE_ORGANISATION)).as_py() or 0
    return round(hits / len(sample), 4)


def _fen_amounts(sample: Any) -> bool:
    """Nearly every value an amount kept to the fen, varied as money is."""
    fen = (pc.sum(check_fen_amount(sample)).as_py() or 0) / len(sample)
    return fen >= FEN_AMOUNT_SHARE and _variety(sample) >= FEN_AMOUNT_VARIETY


def _variety(sample: Any) -> float:
    """Distinct values per value of the sample."""
    return round(distinct_count(sample) / len(sample), 4) if len(sample) else 0.0


def _embedded_ids(sample: Any) -> float:
    """Share of sampled values holding a valid ID number inside a longer code (``G`` + ID)."""
    numbers = embedded_numbers(sample)
    if numbers.null_count == len(numbers):
        return 0.0
    return float(pc.sum(get_detector("id_card").check(numbers)).as_py() or 0) / len(sample)


def _binary(
    name: str, values: Any, size: int, seed: int, hints: tuple[NameHint, ...]
) -> ColumnClassification:
    """Binary columns: only images and biometric templates are recognised."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.binary())
    pool = values.filter(pc.is_valid(values))
    if len(pool) == 0:
        return _none(name, "no non-empty values", 1.0)
    if len(pool) > size:
        rng = np.random.default_rng(seed & 0xFFFFFFFF)
        pool = pool.take(pa.array(np.sort(rng.choice(len(pool), size=size, replace=False))))
    detector = get_detector("biometric")
    share = (pc.sum(detector.check(pool)).as_py() or 0) / len(pool)
    score = _Score(detector, share, _for(hints, ("biometric",)), 0, "biometric")
    if not score.accepted:
        return _none(name, f"binary values; {_percent(share)} are images or templates", 1.0)
    evidence = (
        f"{_hint_text(score.hints)}; {_percent(share)} of {len(pool)} sampled binary values "
        "pass biometric check"
    )
    return ColumnClassification(name, "biometric", "L4", round(share, 4), evidence, "detector")


def _none(name: str, evidence: str, confidence: float) -> ColumnClassification:
    return ColumnClassification(
        name, "none", DEFAULT_GRADES["none"], confidence, evidence, "default"
    )


def _from_override(
    name: str, override: ColumnOverride, hints: tuple[NameHint, ...]
) -> ColumnClassification:
    category = check_category(override.category)
    if override.grade is not None:
        grade = check_grade(override.grade)
    elif category == "person_name" and any(h.role == LEGAL_REPRESENTATIVE for h in hints):
        grade = LEGAL_REPRESENTATIVE_GRADE
    else:
        grade = DEFAULT_GRADES[category]
    evidence = f"registry override: {category} {grade}"
    if override.reason:
        evidence += f" ({override.reason})"
    return ColumnClassification(
        name,
        category,
        grade,
        1.0,
        evidence,
        "registry",
        reviewer=override.reviewer,
        reviewed=override.reviewed,
    )
