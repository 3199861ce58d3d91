"""Result types of classification; plain, frozen and JSON-round-trippable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Protocol

from etl.classify.grades import check_grade
from etl.errors import DataError
from etl.runtime.records import RuleHit

#: How a column's category was decided.
DECIDED_BY: tuple[str, ...] = ("detector", "registry", "default")


@dataclass(frozen=True)
class ColumnOverride:
    """A person's confirmed label for a column, from the registry; it wins over detection.

    Attributes:
        category: category id (classification.md §3) or ``"none"``.
        grade: grade to pin, or None for the category's default grade.
        reason: why, in a person's words (kept in the evidence).
        reviewer: who confirmed the label (``pubdata review confirm --by``), if recorded.
        reviewed: the day they confirmed it, if recorded.
    """

    category: str
    grade: str | None = None
    reason: str | None = None
    reviewer: str | None = None
    reviewed: date | None = None


class OverrideSpec(Protocol):
    """A registry entry under ``classification.columns`` (:class:`etl.registry.model`)."""

    @property
    def category(self) -> str: ...  # noqa: D102
    @property
    def grade(self) -> str | None: ...  # noqa: D102
    @property
    def reason(self) -> str | None: ...  # noqa: D102
    @property
    def reviewer(self) -> str | None: ...  # noqa: D102
    @property
    def reviewed(self) -> date | None: ...  # noqa: D102


def column_overrides(columns: Mapping[str, OverrideSpec]) -> dict[str, ColumnOverride]:
    """The registry's column labels as overrides, with who confirmed them and when."""
    return {
        name: ColumnOverride(o.category, o.grade, o.reason, o.reviewer, o.reviewed)
        for name, o in columns.items()
    }


@dataclass(frozen=True)
class ColumnClassification:
    """The category and grade of one column, with the evidence for it.

    Attributes:
        name: column name.
        category: category id or ``"none"``.
        grade: ``"L1"`` .. ``"L4"``.
        confidence: 0..1; for detectors the share of sampled values that passed the check.
        evidence: human-readable reason; never contains a data value.
        decided_by: ``"detector"``, ``"registry"`` or ``"default"``.
        base_grade: the column's own grade before a dataset rule lifted it (None if no rule
            did); drift compares this grade, not the lifted one.
        lifted_by: id of the dataset rule that lifted the grade (``"R4"``, ``"TRACK"``), or None.
        reviewer: the person who confirmed a registry label (GB/T 43697-2024 asks who decided
            a grade); None for a detector's decision or an unattributed registry label.
        reviewed: the day that person confirmed it (a detector's decision dates from its run).
    """

    name: str
    category: str
    grade: str
    confidence: float
    evidence: str
    decided_by: str
    base_grade: str | None = None
    lifted_by: str | None = None
    reviewer: str | None = None
    reviewed: date | None = None

    @property
    def own_grade(self) -> str:
        """The grade of the column on its own: :attr:`base_grade` if a rule lifted it."""
        return self.base_grade or self.grade

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form of this column's classification (lift and review fields only when set)."""
        out: dict[str, object] = {
            "name": self.name,
            "category": self.category,
            "grade": self.grade,
            "confidence": self.confidence,
            "evidence": self.evidence,
            "decided_by": self.decided_by,
        }
        if self.base_grade is not None:
            out["base_grade"] = self.base_grade
            out["lifted_by"] = self.lifted_by
        if self.reviewer is not None:
            out["reviewer"] = self.reviewer
        if self.reviewed is not None:
            out["reviewed"] = self.reviewed.isoformat()
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> ColumnClassification:
        """Rebuild from :meth:`to_dict` output.

        Args:
            d: a mapping as produced by :meth:`to_dict`.

        Returns:
            The column classification.

        Raises:
            DataError: if a field is missing or has the wrong type.
        """
        confidence = d.get("confidence")
        if not isinstance(confidence, int | float) or isinstance(confidence, bool):
            raise DataError("classification column field 'confidence' must be a number")
        decided_by = _text(d, "decided_by")
        if decided_by not in DECIDED_BY:
            raise DataError("classification column field 'decided_by' has an unknown value")
        base_grade = d.get("base_grade")
        lifted_by = d.get("lifted_by")
        if base_grade is not None and not isinstance(base_grade, str):
            raise DataError("classification column field 'base_grade' must be a string")
        if lifted_by is not None and not isinstance(lifted_by, str):
            raise DataError("classification column field 'lifted_by' must be a string")
        reviewer = d.get("reviewer")
        if reviewer is not None and not isinstance(reviewer, str):
            raise DataError("classification column field 'reviewer' must be a string")
        return cls(
            name=_text(d, "name"),
            category=_text(d, "category"),
            grade=check_grade(_text(d, "grade")),
            confidence=float(confidence),
            evidence=_text(d, "evidence"),
            decided_by=decided_by,
            base_grade=check_grade(base_grade) if base_grade is not None else None,
            lifted_by=lifted_by,
            reviewer=reviewer,
            reviewed=_day(d.get("reviewed")),
        )


@dataclass(frozen=True)
class DatasetClassification:
    """Classification of a whole table: columns, dataset grade, flags and the rules that fired.

    Attributes:
        columns: one entry per classified column, in table order (pipeline ``_`` columns excluded).
        dataset_grade: the dataset grade after all rules.
        flags: dataset flags (``"IMP"``, ``"CORE"``).
        rules: the rules that fired, in the order they fired.

    It is also the classify step's staged record (``classification.json``, written and read by
    :mod:`etl.runtime.records`): one definition of a classification.
    """

    FILE: ClassVar[str] = "classification.json"
    VERSION: ClassVar[int] = 1

    columns: tuple[ColumnClassification, ...]
    dataset_grade: str
    flags: tuple[str, ...]
    rules: tuple[RuleHit, ...]

    def column(self, name: str) -> ColumnClassification:
        """The classification of column ``name``.

        Args:
            name: column name.

        Returns:
            Its classification.

        Raises:
            KeyError: if the column was not classified.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form (lists, strings and numbers only)."""
        return {
            "columns": [c.to_dict() for c in self.columns],
            "dataset_grade": self.dataset_grade,
            "flags": list(self.flags),
            "rules": [hit.to_dict() for hit in self.rules],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, object]) -> DatasetClassification:
        """Rebuild from :meth:`to_dict` output.

        Args:
            d: a mapping as produced by :meth:`to_dict` (for example read back from JSON).

        Returns:
            The dataset classification.

        Raises:
            DataError: if a field is missing, unknown or has the wrong type.
        """
        unknown = sorted(set(d) - _FIELDS)
        if unknown:
            raise DataError(f"classification has unknown field(s) {unknown}")
        columns = d.get("columns")
        if not isinstance(columns, list):
            raise DataError("classification field 'columns' must be a list")
        parsed: list[ColumnClassification] = []
        for item in columns:
            if not isinstance(item, Mapping):
                raise DataError("classification column entries must be objects")
            parsed.append(ColumnClassification.from_dict(item))
        return cls(
            columns=tuple(parsed),
            dataset_grade=check_grade(_text(d, "dataset_grade")),
            flags=_texts(d, "flags"),
            rules=_rules(d.get("rules")),
        )


_FIELDS = frozenset({"columns", "dataset_grade", "flags", "rules"})


def _rules(value: object) -> tuple[RuleHit, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
        raise DataError("classification field 'rules' must be a list of {id, text} objects")
    try:
        return tuple(RuleHit.model_validate(v) for v in value)
    except ValueError:
        raise DataError(
            "classification field 'rules' must be a list of {id, text} objects"
        ) from None


def _text(d: Mapping[str, object], key: str) -> str:
    value = d.get(key)
    if not isinstance(value, str):
        raise DataError(f"classification field {key!r} must be a string")
    return value


def _day(value: object) -> date | None:
    """An ISO date (dicts written before review fields existed have none)."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DataError("classification column field 'reviewed' must be an ISO date") from None


def _texts(d: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = d.get(key)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise DataError(f"classification field {key!r} must be a list of strings")
    return tuple(str(v) for v in value)
