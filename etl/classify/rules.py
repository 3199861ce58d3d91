"""Dataset rules of the first version: R1, R2, R3, R6 and registry flags (classification.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.classify.decide import ColumnFinding
from etl.classify.grades import (
    DIRECT_IDENTIFIERS,
    FLAGS,
    NONE_GRADE,
    check_grade,
    grade_rank,
    max_grade,
)
from etl.errors import ConfigError

#: R2 fires at this many distinct quasi-identifier kinds.
QUASI_IDENTIFIER_THRESHOLD = 3

#: Categories that count as quasi-identifier kinds when a column was labelled with them.
_CATEGORY_KINDS = {"birth_date": "birth_date/age", "gender": "gender", "ethnicity": "ethnicity"}


@dataclass(frozen=True)
class DatasetVerdict:
    """Outcome of the dataset rules.

    Attributes:
        grade: the dataset grade.
        flags: dataset flags in canonical order.
        rules: what fired and why, for people.
    """

    grade: str
    flags: tuple[str, ...]
    rules: tuple[str, ...]


def _names(columns: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in columns)


def apply_rules(
    findings: Sequence[ColumnFinding], *, floor: str | None = None, flags: Sequence[str] = ()
) -> DatasetVerdict:
    """Grade a dataset from its column findings.

    Args:
        findings: one per classified column.
        floor: R6 domain floor from the registry, or None.
        flags: registry flags (``"IMP"``, ``"CORE"``).

    Returns:
        The verdict.

    Raises:
        ConfigError: on an unknown flag or grade.
    """
    cols = [f.classification for f in findings]
    rules: list[str] = []
    grade = NONE_GRADE
    if cols:
        grade = max_grade(c.grade for c in cols)
        top = [c.name for c in cols if c.grade == grade]
        rules.append(f"R1 max column grade: {grade} from {_names(top)}")

    kinds: dict[str, str] = {}
    for f in findings:
        kind = _CATEGORY_KINDS.get(f.classification.category) or f.quasi_identifier
        if kind and kind not in kinds:
            kinds[kind] = f.classification.name
    direct = [
        c.name
        for c in cols
        if c.category in DIRECT_IDENTIFIERS and grade_rank(c.grade) >= grade_rank("L3")
    ]
    many_qi = len(kinds) >= QUASI_IDENTIFIER_THRESHOLD
    if many_qi and not direct:
        raised = max_grade(grade, "L3")
        rules.append(
            f"R2 quasi-identifiers: {len(kinds)} ({', '.join(sorted(kinds))}) in "
            f"{_names(list(kinds.values()))} without a direct identifier → at least L3"
            + (f" (raised from {grade})" if raised != grade else "")
        )
        grade = raised

    l4 = [c.name for c in cols if c.grade == "L4"]
    linker = [d for d in direct if any(n != d for n in l4)]
    if l4 and (linker or many_qi):
        what = f"direct identifier {_names(linker)}" if linker else "quasi-identifiers (R2)"
        rules.append(f"R3 linkage: {what} with L4 column {_names(l4)} → L4")
        grade = "L4"

    if floor is not None:
        check_grade(floor)
        raised = max_grade(grade, floor)
        note = f"raised from {grade}" if raised != grade else "already met"
        rules.append(f"R6 domain floor {floor} ({note})")
        grade = raised

    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise ConfigError(f"unknown dataset flag(s) {', '.join(map(repr, unknown))}")
    ordered = tuple(f for f in FLAGS if f in flags)
    rules.extend(f"flag {f} from registry" for f in ordered)
    return DatasetVerdict(grade, ordered, tuple(rules))
