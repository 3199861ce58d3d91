"""``pubdata review``: the holds that wait for a person, and confirming a column's label.

``pubdata review`` lists the open holds of every dataset (classification drift, columns the
publication guard withheld, 重要数据 candidates), once per dataset, kind and column, newest first.
``pubdata review confirm`` writes the person's label into the dataset's registry file (keeping
the file's comments and order), records who confirmed it and when, and says which dates to
re-run. Only column names, categories, grades, counts and commands are printed, never a value.
"""

from __future__ import annotations

import argparse
import getpass
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from etl.cli.output import emit, say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.local_time import today
from etl.registry import Dataset, Registry, load_registry
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.lineage.reviews import Confirmation, Hold

#: Labels of the hold kinds in the listing.
KIND_LABELS = {
    "classification_drift": "drift",
    "withheld_column": "withheld",
    "important_data": "IMP",
}
#: A run of this many digits in a reason is a data value (an ID, phone or card number).
_VALUE_LIKE = re.compile(r"[0-9]{7,}")


def registry_file(registry: Registry, dataset_id: str) -> str:
    """The dataset's registry file, relative to the registry root when it is inside it."""
    path = registry.sources[dataset_id]
    try:
        return str(path.relative_to(registry.root.parent))
    except ValueError:
        return str(path)


def _listing(settings: Settings, registry: Registry, dataset: str | None) -> list[Hold]:
    from etl.lineage.reviews import open_holds

    if dataset is not None:
        registry.get(dataset)
    return open_holds(settings.lake, dataset)


def cmd_review(settings: Settings, args: argparse.Namespace) -> int:
    """List every open hold (or one dataset's), newest first."""
    from etl.lineage.reviews import action

    registry = load_registry(settings.registry)
    holds = _listing(settings, registry, args.dataset)

    def what(hold: Hold) -> str:
        if hold.dataset in registry.sources:
            return action(hold, registry_file(registry, hold.dataset))
        return hold.detail

    if args.json:
        emit([h.to_dict() | {"action": what(h)} for h in holds])
        return 0
    if not holds:
        where = f" of {args.dataset}" if args.dataset else ""
        say(f"no pending holds{where}")
        return 0
    rows = [
        [
            h.dataset,
            h.logical_date.isoformat(),
            KIND_LABELS.get(h.kind, h.kind),
            h.subject or "-",
            h.runs,
            _to_confirm(h),
            h.command or what(h),
        ]
        for h in holds
    ]
    say(render(["dataset", "date", "kind", "column", "runs", "to confirm", "command"], rows))
    return 0


def _to_confirm(hold: Hold) -> str:
    if hold.kind == "withheld_column":
        return f"values look like {hold.category} ({hold.grade})"
    if hold.kind == "classification_drift":
        label = f"{hold.category}/{hold.grade}" if hold.category else "the new label"
        return f"detected as {label}"
    return "重要数据 or not"


def _known_columns(settings: Settings, dataset: Dataset) -> set[str]:
    """Columns the registry declares, the latest runs classified, or a hold names."""
    import pyarrow.compute as pc

    from etl.lineage.meta import read_meta
    from etl.lineage.reviews import open_holds

    rows = read_meta(settings.lake, "classifications").select(["dataset", "column"])
    rows = rows.filter(pc.equal(rows["dataset"], dataset.id))
    known = set(dataset.columns) | set(rows.column("column").to_pylist())
    known |= {h.subject for h in open_holds(settings.lake, dataset.id) if h.subject}
    return known


def confirm(
    settings: Settings,
    dataset_id: str,
    column: str,
    *,
    category: str,
    grade: str,
    reason: str,
    reviewer: str,
    today: date,
    now: datetime,
) -> tuple[Confirmation, str]:
    """Label a column in the registry and record the confirmation.

    Returns:
        The recorded confirmation and the registry file written.

    Raises:
        ConfigError: an unknown dataset, column or category, a grade outside L1..L4, an empty
            reason or one that quotes a data value, or a registry file the edit would break.
    """
    from etl.classify.grades import check_category
    from etl.lineage.reviews import record_confirmation
    from etl.registry.edit import set_column_override, validate_override, write

    registry = load_registry(settings.registry)
    dataset = registry.get(dataset_id)
    check_category(category)
    if not reason.strip():
        raise ConfigError("--reason is required: say why, in a few words")
    if _VALUE_LIKE.search(reason):
        raise ConfigError("--reason must not quote a data value (it has a long run of digits)")
    if column not in _known_columns(settings, dataset):
        raise ConfigError(
            f"unknown column {column!r} of {dataset_id}: not declared in the registry, "
            "classified by a run or named by a hold"
        )
    where = registry_file(registry, dataset_id)
    if dataset.columns and column not in dataset.columns:
        raise ConfigError(
            f"column {column!r} is not declared under columns in {where}; declare its type "
            "there first (a declared column must be in every delivery), then confirm it"
        )
    override = validate_override(
        category=category, grade=grade, reason=reason, reviewer=reviewer, reviewed=today
    )
    edit = set_column_override(registry.sources[dataset_id], column, override)
    write(edit)
    confirmation = record_confirmation(
        settings.lake,
        dataset=dataset_id,
        column=column,
        category=category,
        grade=grade,
        reason=reason,
        reviewer=reviewer,
        now=now,
    )
    return confirmation, where


def cmd_confirm(settings: Settings, args: argparse.Namespace) -> int:
    """Write a column's label into the registry and say which dates to re-run."""
    from etl.lineage.reviews import rerun_command

    confirmation, where = confirm(
        settings,
        args.dataset,
        args.column,
        category=args.category,
        grade=args.grade,
        reason=args.reason,
        reviewer=args.by or getpass.getuser(),
        today=today(settings.zone),  # the reviewer's day in the city
        now=datetime.now(UTC),
    )
    reruns = [rerun_command(args.dataset, d) for d in confirmation.dates]
    if args.json:
        emit(_confirmation_dict(confirmation, where, reruns))
        return 0
    say(
        f"{args.dataset}.{args.column}: {confirmation.category}/{confirmation.grade} confirmed "
        f"by {confirmation.reviewer}, written to {where} "
        f"(classification.columns.{args.column})"
    )
    for hold in confirmation.closed:
        say(
            f"closed: {KIND_LABELS.get(hold.kind, hold.kind)} hold "
            f"({hold.runs} run(s), {', '.join(d.isoformat() for d in hold.dates)})"
        )
    if reruns:
        say("re-run to publish shared/open:")
        for command in reruns:
            say(f"  {command}")
    else:
        say("no hold was open on this column; the label applies from the next run")
    return 0


def _confirmation_dict(confirmation: Confirmation, where: str, reruns: list[str]) -> dict[str, Any]:
    return {
        "dataset": confirmation.dataset,
        "column": confirmation.column,
        "category": confirmation.category,
        "grade": confirmation.grade,
        "reviewer": confirmation.reviewer,
        "recorded_at": confirmation.recorded_at.isoformat(),
        "registry_file": where,
        "closed": [h.to_dict() for h in confirmation.closed],
        "rerun": reruns,
    }


def register(sub: Any) -> None:
    """Add ``review`` and ``review confirm`` to the ``pubdata`` parser."""
    review = sub.add_parser("review", help="pending holds: drift, withheld columns, IMP")
    review.add_argument("--dataset", help="only this dataset's holds")
    review.add_argument("--json", action="store_true")
    review.set_defaults(func=cmd_review)
    review_sub = review.add_subparsers(dest="review_command")
    conf = review_sub.add_parser(
        "confirm", help="label a column in the registry (closes its holds)"
    )
    conf.add_argument("dataset")
    conf.add_argument("column")
    conf.add_argument("--category", required=True, help="category id, or none (not sensitive)")
    conf.add_argument("--grade", required=True, choices=["L1", "L2", "L3", "L4"])
    conf.add_argument("--reason", required=True, help="why, in a person's words (no values)")
    conf.add_argument("--by", help="who confirms (default: the OS user)")
    conf.add_argument("--json", action="store_true")
    conf.set_defaults(func=cmd_confirm)
