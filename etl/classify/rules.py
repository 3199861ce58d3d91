"""Dataset grade from the column findings: R1, R2, R3, R6, R7 and the registry flags.

See classification.md §2. R4 and the location-series rule lift columns before this runs
(:mod:`etl.classify.rules_persons`); R5 is computed over rows (:mod:`etl.classify.scale`) and
passed in as text.
"""

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
from etl.classify.rule_settings import RuleSettings
from etl.errors import ConfigError
from etl.runtime.records import RuleHit

#: Kept for callers of the first version: the default R2 threshold.
QUASI_IDENTIFIER_THRESHOLD = RuleSettings().quasi_identifier_threshold

#: Categories that count as quasi-identifier kinds when a column was labelled with them.
CATEGORY_KINDS = {"birth_date": "birth_date/age", "gender": "gender", "ethnicity": "ethnicity"}


@dataclass(frozen=True)
class DatasetVerdict:
    """Outcome of the dataset rules.

    Attributes:
        grade: the dataset grade.
        flags: dataset flags in canonical order.
        rules: what fired and why, in the order the rules fired.
    """

    grade: str
    flags: tuple[str, ...]
    rules: tuple[RuleHit, ...]


@dataclass(frozen=True)
class DerivedCheck:
    """R7 inputs for an aggregate (derived) dataset.

    Attributes:
        source_grade: grade of the dataset it was derived from.
        min_count: smallest cell count released (None if unknown).
        count_column: column holding the cell counts.
    """

    source_grade: str
    min_count: int | None
    count_column: str


def _names(columns: Sequence[str]) -> str:
    return ", ".join(repr(c) for c in columns)


def quasi_identifier_kinds(findings: Sequence[ColumnFinding]) -> dict[str, str]:
    """Quasi-identifier kind → first column of that kind (labels and name hints)."""
    kinds: dict[str, str] = {}
    for f in findings:
        kind = CATEGORY_KINDS.get(f.classification.category) or f.quasi_identifier
        if kind and kind not in kinds:
            kinds[kind] = f.classification.name
    return kinds


def _derived(check: DerivedCheck, kinds: dict[str, str], grade: str, k: int) -> tuple[str, str]:
    source = check_grade(check.source_grade)
    problems: list[str] = []
    if check.min_count is None:
        problems.append(f"cell counts in {check.count_column!r} unknown")
    elif check.min_count < k:
        problems.append(f"a released cell counts {check.min_count} < k={k}")
    if kinds:
        problems.append(f"quasi-identifier {_names(list(kinds.values()))} remains")
    if problems:
        raised = max_grade(grade, source)
        return raised, f"R7 derived data: {'; '.join(problems)} → keeps source grade {source}"
    return grade, (
        f"R7 derived data: every released cell counts ≥ {k} and no quasi-identifier remains "
        f"→ graded on its own ({grade}), not the source grade {source}"
    )


def apply_rules(
    findings: Sequence[ColumnFinding],
    *,
    floor: str | None = None,
    flags: Sequence[str] = (),
    settings: RuleSettings | None = None,
    row_rules: Sequence[RuleHit] = (),
    scale: RuleHit | None = None,
    derived: DerivedCheck | None = None,
) -> DatasetVerdict:
    """Grade a dataset from its column findings.

    Args:
        findings: one per classified column (after R4/location-series lifts).
        floor: R6 domain floor from the registry, or None.
        flags: registry flags (``"IMP"``, ``"CORE"``).
        settings: thresholds (R2 kinds, R7 k); the spec's defaults when None.
        row_rules: the row rules that lifted columns (R4, TRACK), recorded after R3.
        scale: R5 if the scale rule fired; adds ``IMP``.
        derived: R7 inputs when the dataset is an aggregate of another.

    Returns:
        The verdict.

    Raises:
        ConfigError: on an unknown flag or grade.
    """
    settings = settings or RuleSettings()
    cols = [f.classification for f in findings]
    rules: list[RuleHit] = []
    grade = NONE_GRADE
    if cols:
        grade = max_grade(c.grade for c in cols)
        top = [c.name for c in cols if c.grade == grade]
        rules.append(RuleHit(id="R1", text=f"R1 max column grade: {grade} from {_names(top)}"))

    kinds = quasi_identifier_kinds(findings)
    direct = [
        c.name
        for c in cols
        if c.category in DIRECT_IDENTIFIERS and grade_rank(c.grade) >= grade_rank("L3")
    ]
    many_qi = len(kinds) >= settings.quasi_identifier_threshold
    if many_qi and not direct:
        raised = max_grade(grade, "L3")
        text = (
            f"R2 quasi-identifiers: {len(kinds)} ({', '.join(sorted(kinds))}) in "
            f"{_names(list(kinds.values()))} without a direct identifier → at least L3"
            + (f" (raised from {grade})" if raised != grade else "")
        )
        rules.append(RuleHit(id="R2", text=text))
        grade = raised

    l4 = [c.name for c in cols if c.grade == "L4"]
    linker = [d for d in direct if any(n != d for n in l4)]
    if l4 and (linker or many_qi):
        what = f"direct identifier {_names(linker)}" if linker else "quasi-identifiers (R2)"
        others = [n for n in l4 if n not in linker] or l4
        rules.append(
            RuleHit(id="R3", text=f"R3 linkage: {what} with L4 column {_names(others)} → L4")
        )
        grade = "L4"

    rules.extend(row_rules)
    if scale:
        rules.append(scale)

    if floor is not None:
        check_grade(floor)
        raised = max_grade(grade, floor)
        note = f"raised from {grade}" if raised != grade else "already met"
        rules.append(RuleHit(id="R6", text=f"R6 domain floor {floor} ({note})"))
        grade = raised

    if derived is not None:
        grade, text = _derived(derived, kinds, grade, settings.k_anonymity)
        rules.append(RuleHit(id="R7", text=text))

    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise ConfigError(f"unknown dataset flag(s) {', '.join(map(repr, unknown))}")
    wanted = set(flags) | ({"IMP"} if scale else set())
    ordered = tuple(f for f in FLAGS if f in wanted)
    rules.extend(RuleHit(id="flag", text=f"flag {f} from registry") for f in FLAGS if f in flags)
    return DatasetVerdict(grade, ordered, tuple(rules))
