"""Column decision (classification.md §3 "Column decision")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from etl.classify.detectors import Detector, detectors
from etl.classify.grades import DEFAULT_GRADES, check_category, check_grade
from etl.classify.model import ColumnClassification, ColumnOverride
from etl.classify.name_terms import LEGAL_REPRESENTATIVE
from etl.classify.names import NameHint, category_hints, quasi_identifier_hint
from etl.classify.sampling import sample_values

log = logging.getLogger(__name__)

#: Strong types: accepted on content alone at this share ...
STRONG_CONTENT_ONLY = 0.9
#: ... or at this share with a name hint.
STRONG_WITH_NAME = 0.5
#: Weak types need a name hint and this share.
WEAK_WITH_NAME = 0.9
#: Grade of a personal name in a legal-representative column (public enterprise registration item).
LEGAL_REPRESENTATIVE_GRADE = "L1"


@dataclass(frozen=True)
class ColumnFinding:
    """A column's classification plus what the dataset rules need to know about it.

    Attributes:
        classification: the public result.
        quasi_identifier: quasi-identifier kind hinted by the name, or None.
    """

    classification: ColumnClassification
    quasi_identifier: str | None = None


@dataclass(frozen=True)
class _Score:
    detector: Detector
    share: float
    hints: tuple[NameHint, ...]
    order: int

    @property
    def accepted(self) -> bool:
        if self.detector.strong:
            return self.share >= STRONG_CONTENT_ONLY or (
                bool(self.hints) and self.share >= STRONG_WITH_NAME
            )
        return bool(self.hints) and self.share >= WEAK_WITH_NAME

    @property
    def rank(self) -> tuple[float, bool, bool, int]:
        return (self.share, bool(self.hints), self.detector.strong, -self.order)


def _percent(share: float) -> str:
    value = round(share * 100, 1)
    return f"{value:g}%"


def _hint_text(hints: tuple[NameHint, ...]) -> str:
    return "; ".join(h.describe() for h in hints) if hints else "no name hint"


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
    if override is not None:
        return ColumnFinding(_from_override(name, override, hints), qi_kind)
    try:
        sample = sample_values(values, size=sample_size, seed=seed, salt=name)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        log.warning("column %s cannot be read as text; classified as none", name)
        return ColumnFinding(_none(name, "column cannot be read as text", 1.0), qi_kind)
    qi_text = f"; quasi-identifier {qi.describe()} ({qi.category})" if qi else ""
    if len(sample) == 0:
        return ColumnFinding(_none(name, f"no non-empty values{qi_text}", 1.0), qi_kind)
    scores = [
        _Score(d, d.check(sample).true_count / len(sample), _for(hints, d.category), i)
        for i, d in enumerate(detectors())
    ]
    accepted = [s for s in scores if s.accepted]
    if not accepted:
        best = max(scores, key=lambda s: s.rank)
        if best.share == 0:
            evidence = (
                f"none of {len(sample)} sampled values pass any check; {_hint_text(hints)}{qi_text}"
            )
        else:
            evidence = (
                f"no category reached its threshold (best: {best.detector.category} "
                f"{_percent(best.share)} of {len(sample)} sampled values, "
                f"{_hint_text(best.hints)}){qi_text}"
            )
        return ColumnFinding(_none(name, evidence, round(1.0 - best.share, 4)), qi_kind)
    win = max(accepted, key=lambda s: s.rank)
    grade = win.detector.default_grade
    evidence = (
        f"{_hint_text(win.hints)}; {_percent(win.share)} of {len(sample)} sampled values "
        f"pass {win.detector.category} check"
    )
    if win.detector.category == "person_name" and _is_legal_rep(hints):
        grade = LEGAL_REPRESENTATIVE_GRADE
        evidence += f"; legal representative (法定代表人) → {grade}"
    column = ColumnClassification(
        name, win.detector.category, grade, round(win.share, 4), evidence, "detector"
    )
    return ColumnFinding(column, qi_kind)


def _for(hints: tuple[NameHint, ...], category: str) -> tuple[NameHint, ...]:
    return tuple(h for h in hints if h.category == category)


def _is_legal_rep(hints: tuple[NameHint, ...]) -> bool:
    return any(h.role == LEGAL_REPRESENTATIVE for h in hints)


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
    elif category == "person_name" and _is_legal_rep(hints):
        grade = LEGAL_REPRESENTATIVE_GRADE
    else:
        grade = DEFAULT_GRADES[category]
    evidence = f"registry override: {category} {grade}"
    if override.reason:
        evidence += f" ({override.reason})"
    return ColumnClassification(name, category, grade, 1.0, evidence, "registry")
