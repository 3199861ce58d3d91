"""Classification drift between runs of the same dataset (classification.md §3).

A column whose detected category or own grade changes from the previous run (ID numbers
appearing in 备注, a phone column turning into free text) is a drift: the run records it and the
pipeline holds publishing to the shared and open zones until a person confirms the column in the
registry. Columns labelled by the registry are confirmed by definition. Grades lifted by a
dataset rule (R4 minors, location series) are compared as the column's own grade, so a day with
children in the data is not a drift of every personal column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from etl.classify.model import ColumnClassification, DatasetClassification
from etl.runtime.records import RuleHit

_LIFT = re.compile(r"; (R4|TRACK): lifted from (L[1-4]) to L4")


@dataclass(frozen=True)
class Drift:
    """One column whose classification changed since the previous run.

    Attributes:
        column: column name.
        previous: ``category/grade`` in the previous run, or None for a new column.
        current: ``category/grade`` now.
        message: one line for people; never contains a data value.
    """

    column: str
    previous: str | None
    current: str

    @property
    def message(self) -> str:
        """``column 'bz' changed from none/L2 to id_card/L3`` or ``… appeared as …``."""
        if self.previous is None:
            return f"column {self.column!r} appeared as {self.current}"
        return f"column {self.column!r} changed from {self.previous} to {self.current}"


def _label(column: ColumnClassification) -> str:
    return f"{column.category}/{column.own_grade}"


def detect_drift(
    previous: DatasetClassification | None,
    current: DatasetClassification,
    confirmed: Set[str] = frozenset(),
) -> list[Drift]:
    """Columns whose category or own grade changed since the previous run.

    Args:
        previous: the previous run's classification of the same dataset (None on the first
            run: nothing to compare, no drift).
        current: this run's classification.
        confirmed: columns a person confirmed (registry overrides); never drift.

    Returns:
        One :class:`Drift` per changed column, in table order. A column that is new since the
        previous run drifts only if it is not ``none`` (a new sensitive column needs a look).
    """
    if previous is None:
        return []
    before = {c.name: c for c in previous.columns}
    drifts: list[Drift] = []
    for column in current.columns:
        if column.name in confirmed or column.decided_by == "registry":
            continue
        old = before.get(column.name)
        if old is None:
            if column.category != "none":
                drifts.append(Drift(column.name, None, _label(column)))
            continue
        if _label(old) != _label(column):
            drifts.append(Drift(column.name, _label(old), _label(column)))
    return drifts


def classification_from_meta(rows: Iterable[Mapping[str, object]]) -> DatasetClassification | None:
    """Rebuild the latest run's classification from ``_meta.classifications`` rows.

    The rows of one dataset (any number of runs) are grouped by ``lineage_run_id``; the run
    with the latest ``recorded_at`` (then ``logical_date``) wins. The grade a rule lifted a
    column from is read back from its evidence (``R4: lifted from L3 to L4``).

    Args:
        rows: ``_meta.classifications`` rows as mappings (e.g. ``table.to_pylist()``).

    Returns:
        The classification, or None if there are no rows.
    """
    runs: dict[str, list[Mapping[str, object]]] = {}
    for row in rows:
        runs.setdefault(str(row.get("lineage_run_id")), []).append(row)
    if not runs:
        return None

    def when(run: list[Mapping[str, object]]) -> tuple[str, str]:
        return (str(run[0].get("recorded_at") or ""), str(run[0].get("logical_date") or ""))

    latest = max(runs.values(), key=when)
    columns = []
    for row in latest:
        evidence = str(row.get("evidence") or "")
        lift = _LIFT.search(evidence)
        confidence = row.get("confidence")
        columns.append(
            ColumnClassification(
                name=str(row["column"]),
                category=str(row["category"]),
                grade=str(row["grade"]),
                confidence=float(confidence) if isinstance(confidence, int | float) else 0.0,
                evidence=evidence,
                decided_by=str(row.get("decided_by") or "detector"),
                base_grade=lift.group(2) if lift else None,
                lifted_by=lift.group(1) if lift else None,
            )
        )
    first = latest[0]
    flags = tuple(f for f in str(first.get("flags") or "").split(",") if f)
    try:
        stored = json.loads(str(first.get("rules") or "[]"))
        rules = tuple(RuleHit.from_stored(str(r)) for r in stored)
    except (ValueError, TypeError):
        rules = ()
    return DatasetClassification(tuple(columns), str(first.get("dataset_grade")), flags, rules)
