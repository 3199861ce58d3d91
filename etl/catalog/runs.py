"""A dataset's runs as ``_meta.lineage_runs`` records them (zones folded into one entry per run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow.compute as pc

from etl.lineage import read_meta
from etl.settings import Settings


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def lineage_rows(settings: Settings, dataset: str | None = None) -> list[dict[str, Any]]:
    """``lineage_runs`` rows (newest first), optionally for one dataset."""
    runs = read_meta(settings.lake, "lineage_runs")
    if dataset is not None:
        runs = runs.filter(pc.equal(runs["dataset"], dataset))
    rows = [{k: _jsonable(v) for k, v in row.items()} for row in runs.to_pylist()]
    rows.sort(key=lambda r: (r["finished_at"] or "", r["zone"] or ""), reverse=True)
    return rows


_RUN_KEYS = (
    "run_id",
    "lineage_run_id",
    "try_number",
    "logical_date",
    "status",
    "rows_in",
    "rows_loaded",
    "rows_quarantined",
    "dataset_grade",
    "flags",
    "source_sha256",
    "suite",
    "error_stage",
    "error_message",
    "started_at",
    "finished_at",
)


def run_seconds(started_at: str | None, finished_at: str | None) -> float | None:
    """How long a run took, from its ``lineage_runs`` start and end (ISO timestamps).

    None when either is unknown: a run refused before its first step recorded its start.
    """
    if not started_at or not finished_at:
        return None
    elapsed = datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)
    return round(max(elapsed.total_seconds(), 0.0), 3)


def runs_of(settings: Settings, dataset: str) -> list[dict[str, Any]]:
    """One entry per run of a dataset (zones folded together), newest first.

    Each entry has the ``lineage_runs`` fields of :data:`_RUN_KEYS` (``started_at`` and
    ``finished_at`` as ISO timestamps), ``seconds`` (:func:`run_seconds`) and ``tables``.
    """
    by_run: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings, dataset):
        key = f"{row['lineage_run_id']}#{row['try_number']}"
        entry = by_run.setdefault(
            key,
            {k: row.get(k) for k in _RUN_KEYS}
            | {"seconds": run_seconds(row["started_at"], row["finished_at"]), "tables": {}},
        )
        if row["zone"]:
            entry["tables"][row["zone"]] = {
                "uri": row["table_uri"],
                "version": row["delta_version"],
            }
    return list(by_run.values())


def failure_line(settings: Settings, dataset: str, day: str | None = None) -> str | None:
    """Why the dataset's latest run (of ``day``, if given) failed, or None when it did not.

    ``the run of <date> failed at <stage>: <reason>``: the value-free reason the run recorded,
    for commands that would otherwise show nothing about a run that published nothing.
    """
    runs = [r for r in runs_of(settings, dataset) if day is None or r["logical_date"] == day]
    if not runs or runs[0]["status"] != "failed":
        return None
    latest = runs[0]
    return (
        f"the run of {latest['logical_date']} failed at {latest['error_stage']}: "
        f"{latest['error_message']}"
    )
