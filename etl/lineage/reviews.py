"""Reviews a person owes the data group: drift, withheld columns, 重要数据 candidates.

A run that flags a dataset ``IMP`` (registry or rule R5) keeps it in the restricted zone; a run
whose column classification drifted holds shared/open publishing; a column the publication guard
found personal values in is withheld from shared/open. Either way a row in ``_meta.reviews`` says
what needs deciding, so that the hold is visible and auditable rather than a silent absence of
data. Rows carry rule texts, column names, categories and counts only, never values.

``_meta.reviews`` is append-only; a hold is closed by a later row, never by an update:

- ``pending`` rows open a hold, one per run that held it; a hold is the set of pending rows of
  one dataset, kind and subject (the column, or none for a dataset-level hold).
- A ``column_confirmed`` row (``pubdata review confirm``: a person labelled the column in the
  registry) closes the column's drift and withheld holds recorded before it.
- An ``important_data`` row that is ``confirmed`` (the registry declares the dataset important)
  or ``resolved`` (a later run no longer makes it an IMP candidate) closes the IMP hold.

A closed hold is not reopened by a run that no longer holds it; a run that holds it again (data
that drifts again, a column that is not in the registry) opens a new one. Runs after a
confirmation do not hold the column: drift and the guard skip registry-labelled columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow.compute as pc

from etl.classify.model import DatasetClassification
from etl.lineage.meta import append_rows, read_meta
from etl.runtime.records import Withheld, fired

DRIFT = "classification_drift"
WITHHELD = "withheld_column"
IMPORTANT = "important_data"
CONFIRMED_COLUMN = "column_confirmed"
#: Kinds of hold that are about one column (a person confirms the column to close them).
COLUMN_HOLDS: tuple[str, ...] = (DRIFT, WITHHELD)

PENDING = "pending"
CONFIRMED = "confirmed"
RESOLVED = "resolved"

#: Which holds a closing row of a kind closes (same dataset and subject, recorded before it).
_CLOSES: dict[str, tuple[str, ...]] = {CONFIRMED_COLUMN: COLUMN_HOLDS, IMPORTANT: (IMPORTANT,)}
#: The category/grade a drift message ends with: ``... to id_card/L3`` or ``... as id_card/L3``.
_DRIFT_LABEL = re.compile(r"(?:to|as) ([a-z_]+)/(L[1-4])\s*$")
_QUOTED = re.compile(r"'([^']+)'")


def confirm_command(dataset: str, column: str, category: str | None, grade: str | None) -> str:
    """The command that confirms a column's label (one definition for CLI, UI and alerts)."""
    return (
        f"pubdata review confirm {dataset} {column} --category {category or 'CATEGORY'} "
        f'--grade {grade or "L?"} --reason "…"'
    )


def rerun_command(dataset: str, day: date | str) -> str:
    """The command that re-runs one logical date of a dataset."""
    return f"pubdata run {dataset} --date {day}"


def _withheld_detail(dataset: str, item: Withheld) -> str:
    return (
        f"{item.values} of {item.checked} values checked look like {item.category} "
        f"({item.grade}); the column was withheld from shared/open. Personal: "
        f"`{confirm_command(dataset, item.column, item.category, item.grade)}`; not personal: "
        "the same with --category none --grade L1 (or L2)"
    )


def drift_label(message: str) -> tuple[str | None, str | None, str | None]:
    """``(column, category, grade)`` of a drift message (None where it does not say)."""
    quoted = _QUOTED.search(message)
    label = _DRIFT_LABEL.search(message)
    column = quoted.group(1) if quoted else None
    return (column, label.group(1), label.group(2)) if label else (column, None, None)


def review_rows(
    *,
    lineage_run_id: str,
    dataset: str,
    logical_date: date,
    classification: DatasetClassification,
    held: Sequence[str],
    registry_important: bool,
    now: datetime,
    withheld: Sequence[Withheld] = (),
    important_pending: bool = False,
) -> list[dict[str, Any]]:
    """The review rows one successful run records (empty when nothing needs a person).

    Args:
        lineage_run_id: the run.
        dataset: the dataset id.
        logical_date: the run's logical date.
        classification: the run's classification (``flags`` and ``rules``).
        held: the drift messages that held shared/open publishing.
        registry_important: the registry declares the dataset 重要数据 (decided, not pending).
        now: when the rows are recorded.
        withheld: the columns the publication guard withheld from shared/open.
        important_pending: an IMP hold of the dataset is open; a run that is not IMP any more
            resolves it.
    """
    base = {
        "lineage_run_id": lineage_run_id,
        "dataset": dataset,
        "logical_date": logical_date,
        "status": PENDING,
        "recorded_at": now,
    }
    rows: list[dict[str, Any]] = []
    if "IMP" in classification.flags:
        rules = [hit.text for hit in fired(classification.rules, "R5")]
        if registry_important:
            detail = "registry: classification.important is true; the dataset stays restricted"
            rows.append(
                {**base, "kind": IMPORTANT, "subject": None, "detail": detail}
                | {"status": CONFIRMED, "reviewer": "registry"}
            )
        else:
            why = rules[0] if rules else "IMP"
            rows.append(
                {
                    **base,
                    "kind": IMPORTANT,
                    "subject": None,
                    "detail": f"{why}; held to the restricted zone until a 重要数据 review decides",
                }
            )
    elif important_pending:
        rows.append(
            {
                **base,
                "kind": IMPORTANT,
                "subject": None,
                "status": RESOLVED,
                "detail": "a later run is no longer an IMP candidate (R5 does not fire under "
                "the registry's thresholds)",
            }
        )
    for message in held:
        column, category, grade = drift_label(message)
        rows.append(
            {
                **base,
                "kind": DRIFT,
                "subject": column,
                "detail": f"{message}; confirm it in the registry (classification.columns) "
                "to publish shared/open again",
                "category": category,
                "grade": grade,
            }
        )
    for item in withheld:
        rows.append(
            {
                **base,
                "kind": WITHHELD,
                "subject": item.column,
                "detail": _withheld_detail(dataset, item),
                "category": item.category,
                "grade": item.grade,
            }
        )
    return rows


@dataclass(frozen=True)
class Hold:
    """One open hold: the pending rows of one dataset, kind and subject, folded.

    Attributes:
        dataset: the dataset id.
        kind: ``classification_drift``, ``withheld_column`` or ``important_data``.
        subject: the column (None for a dataset-level hold).
        logical_date: the latest logical date a run held it for.
        dates: every logical date held, oldest first (the dates to re-run once confirmed).
        runs: how many runs held it.
        lineage_run_id: the latest of those runs.
        recorded_at: when that run recorded it.
        detail: the latest run's description (value-free).
        category: the category to confirm (the suspected or detected one), if known.
        grade: its grade, if known.
    """

    dataset: str
    kind: str
    subject: str | None
    logical_date: date
    dates: tuple[date, ...]
    runs: int
    lineage_run_id: str
    recorded_at: datetime
    detail: str
    category: str | None
    grade: str | None

    @property
    def run_id(self) -> str:
        """The Airflow run id part of :attr:`lineage_run_id`."""
        return self.lineage_run_id.split("/", 1)[-1]

    @property
    def command(self) -> str | None:
        """The command that releases a column hold (None for an IMP hold: see :func:`action`)."""
        if self.subject is None or self.kind not in COLUMN_HOLDS:
            return None
        return confirm_command(self.dataset, self.subject, self.category, self.grade)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (``pubdata review --json``, the UI's API)."""
        return {
            "dataset": self.dataset,
            "kind": self.kind,
            "subject": self.subject,
            "logical_date": self.logical_date.isoformat(),
            "dates": [d.isoformat() for d in self.dates],
            "runs": self.runs,
            "run_id": self.run_id,
            "recorded_at": self.recorded_at.isoformat(),
            "detail": self.detail,
            "category": self.category,
            "grade": self.grade,
            "command": self.command,
        }


def action(hold: Hold, registry_file: str) -> str:
    """What a person does to release a hold, naming the command or the registry field."""
    if hold.command is not None:
        what = "the column's values look personal" if hold.kind == WITHHELD else "its label"
        return (
            f"确认列 {hold.subject} confirm {what}: `{hold.command}` (writes "
            f"classification.columns.{hold.subject} in {registry_file}), then "
            f"`{rerun_command(hold.dataset, hold.logical_date)}`"
        )
    return (
        "重要数据评审 a 重要数据 review decides: important → set classification.important: true "
        f"in {registry_file} (restricted only); not important → raise "
        "classification.rules.persons_important (or persons_l4_important) there; then "
        f"`{rerun_command(hold.dataset, hold.logical_date)}`"
    )


def _key(row: Mapping[str, Any], kind: str | None = None) -> tuple[str, str, str | None]:
    return (str(row["dataset"]), kind or str(row["kind"]), row.get("subject"))


def _open_rows(
    rows: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str, str | None], list[Mapping[str, Any]]]:
    """Pending rows no later row closed, by dataset, kind and subject (oldest first)."""
    ordered = sorted(rows, key=lambda r: r["recorded_at"])
    closed: dict[tuple[str, str, str | None], datetime] = {}
    for row in ordered:
        if row["status"] == PENDING:
            continue
        for kind in _CLOSES.get(str(row["kind"]), ()):
            closed[_key(row, kind)] = row["recorded_at"]
    groups: dict[tuple[str, str, str | None], list[Mapping[str, Any]]] = {}
    for row in ordered:
        key = _key(row)
        if row["status"] == PENDING and (key not in closed or row["recorded_at"] > closed[key]):
            groups.setdefault(key, []).append(row)
    return groups


def fold_holds(rows: Iterable[Mapping[str, Any]]) -> list[Hold]:
    """Open holds from ``_meta.reviews`` rows (any datasets), newest first.

    A pending row is open unless a closing row of the same dataset and subject (see the module
    docstring) was recorded after it; the open rows of one key fold into one :class:`Hold`.
    """
    holds = []
    for (dataset, kind, subject), group in _open_rows(rows).items():
        latest = group[-1]
        holds.append(
            Hold(
                dataset=dataset,
                kind=kind,
                subject=subject,
                logical_date=latest["logical_date"],
                dates=tuple(sorted({r["logical_date"] for r in group})),
                runs=len({r["lineage_run_id"] for r in group}),
                lineage_run_id=str(latest["lineage_run_id"]),
                recorded_at=latest["recorded_at"],
                detail=str(latest["detail"]),
                category=latest.get("category"),
                grade=latest.get("grade"),
            )
        )
    return sorted(holds, key=lambda h: (h.recorded_at, h.dataset), reverse=True)


def _rows(lake: str, dataset: str | None) -> list[dict[str, Any]]:
    table = read_meta(lake, "reviews")
    if dataset is not None:
        table = table.filter(pc.equal(table["dataset"], dataset))
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


def open_holds(lake: str, dataset: str | None = None) -> list[Hold]:
    """The open holds of every dataset (or one), newest first."""
    return fold_holds(_rows(lake, dataset))


def pending_reviews(lake: str, dataset: str | None = None) -> list[dict[str, Any]]:
    """Pending review rows no later row closed (newest first), optionally of one dataset."""
    live = [dict(r) for group in _open_rows(_rows(lake, dataset)).values() for r in group]
    return sorted(live, key=lambda r: r["recorded_at"], reverse=True)


@dataclass(frozen=True)
class Confirmation:
    """A person's confirmation of one column's label, as recorded in ``_meta.reviews``.

    Attributes:
        dataset: the dataset id.
        column: the column.
        category: the confirmed category (``none``: not sensitive).
        grade: the confirmed grade.
        reason: the person's reason.
        reviewer: who confirmed it.
        recorded_at: when.
        closed: the holds this confirmation closed.
    """

    dataset: str
    column: str
    category: str
    grade: str
    reason: str
    reviewer: str
    recorded_at: datetime
    closed: tuple[Hold, ...]

    @property
    def dates(self) -> tuple[date, ...]:
        """The logical dates whose holds it closed: re-run them to publish."""
        return tuple(sorted({d for h in self.closed for d in h.dates}))


def record_confirmation(
    lake: str,
    *,
    dataset: str,
    column: str,
    category: str,
    grade: str,
    reason: str,
    reviewer: str,
    now: datetime,
) -> Confirmation:
    """Append a ``column_confirmed`` row; it closes the column's open drift/withheld holds."""
    closing = tuple(
        h for h in open_holds(lake, dataset) if h.subject == column and h.kind in COLUMN_HOLDS
    )
    closes = "; ".join(f"{h.kind} held {h.runs} run(s)" for h in closing) or "no open hold"
    append_rows(
        lake,
        "reviews",
        [
            {
                "lineage_run_id": None,
                "dataset": dataset,
                "logical_date": None,
                "kind": CONFIRMED_COLUMN,
                "subject": column,
                "detail": f"confirmed {category}/{grade} by {reviewer}: {reason} (closes: "
                f"{closes})",
                "status": CONFIRMED,
                "recorded_at": now,
                "category": category,
                "grade": grade,
                "reviewer": reviewer,
            }
        ],
    )
    return Confirmation(dataset, column, category, grade, reason, reviewer, now, closing)
