"""Quarantine counts by reason, and the commands that move fixed rows back in.

The counts come from ``_meta.quarantine_rows`` (row numbers and codes only).
"""

from __future__ import annotations

import shlex
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pyarrow.compute as pc

from etl.lineage.meta import read_meta

#: The clearance ``--export`` and ``--resubmit`` need (they read the quarantined rows' values).
CLEARANCE_PREFIX = "PUBDATA_CLEARANCE=restricted"


def export_file(dataset: str, day: str) -> str:
    """The file name the commands suggest for a date's rows to fix."""
    return f"{dataset}_{day}_quarantine.csv"


def export_command(dataset: str, day: str, path: str | None = None) -> str:
    """The command that writes a date's quarantined rows to a CSV for a person to fix.

    One definition for the CLI and the pages; the clearance is part of it, so it runs as shown.
    """
    target = shlex.quote(path or export_file(dataset, day))
    return f"{CLEARANCE_PREFIX} pubdata quarantine {dataset} --date {day} --export {target}"


def resubmit_command(dataset: str, day: str, path: str | None = None) -> str:
    """The command that stores the fixed rows of a date and re-runs it (see ``export_command``)."""
    target = shlex.quote(path or export_file(dataset, day))
    return f"{CLEARANCE_PREFIX} pubdata quarantine {dataset} --date {day} --resubmit {target}"


def latest_by_date(runs: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Of ``lineage_runs`` rows, the newest per logical date (ISO); a re-run replaces a date."""
    latest: dict[str, dict[str, Any]] = {}
    for row in runs:
        day = row["logical_date"].isoformat()
        if day not in latest or row["finished_at"] > latest[day]["finished_at"]:
            latest[day] = row
    return latest


def latest_runs_by_date(lake: str, dataset: str) -> dict[str, dict[str, Any]]:
    """The newest successful ``lineage_runs`` row per logical date (ISO) of a dataset."""
    runs = read_meta(lake, "lineage_runs")
    runs = runs.filter(
        pc.and_(pc.equal(runs["dataset"], dataset), pc.equal(runs["status"], "success"))
    )
    return latest_by_date(runs.to_pylist())


def quarantine_summary(lake: str, dataset: str, day: str | None = None) -> list[dict[str, Any]]:
    """Quarantined rows by reason for each loaded date (its latest successful run).

    Args:
        lake: the lake root.
        dataset: the registry id.
        day: only this logical date (ISO), or every date.

    Returns:
        One entry per date, newest first: ``logical_date``, ``run_id``, ``rows_in``,
        ``rows_quarantined``, ``by_reason`` (reason code → rows; a row failing two checks counts
        under both) and ``recorded`` (False for runs older than ``_meta.quarantine_rows``).
    """
    runs = latest_runs_by_date(lake, dataset)
    if day is not None:
        runs = {d: r for d, r in runs.items() if d == day}
    rows = read_meta(lake, "quarantine_rows")
    rows = rows.filter(pc.equal(rows["dataset"], dataset))
    by_run: dict[str, Counter[str]] = {}
    for row in rows.select(["lineage_run_id", "reasons"]).to_pylist():
        counter = by_run.setdefault(row["lineage_run_id"], Counter())
        counter.update(r for r in (row["reasons"] or "").split(";") if r)
    out = []
    for logical_date in sorted(runs, reverse=True):
        run = runs[logical_date]
        counts = by_run.get(run["lineage_run_id"])
        out.append(
            {
                "logical_date": logical_date,
                "run_id": run["run_id"],
                "rows_in": run["rows_in"],
                "rows_quarantined": run["rows_quarantined"],
                "by_reason": dict(sorted((counts or Counter()).items())),
                "recorded": counts is not None or not run["rows_quarantined"],
            }
        )
    return out
