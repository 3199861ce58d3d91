"""Quality history from ``_meta.validation_results``: pass rates per dataset and expectation.

Every recorded evaluation counts once (a run's suite evaluates each expectation once; a failed
try that got as far as validation is recorded too). Nothing here reads data: the rows hold
expectation names, verdicts and counts.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyarrow.compute as pc

from etl.lineage.meta import read_meta


def _label(row: dict[str, Any]) -> str:
    column = row.get("column")
    return f"{row['expectation_type']}({column})" if column else str(row["expectation_type"])


def _rows(lake: str, dataset: str | None) -> list[dict[str, Any]]:
    table = read_meta(lake, "validation_results")
    if dataset is not None:
        table = table.filter(pc.equal(table["dataset"], dataset))
    rows: list[dict[str, Any]] = table.to_pylist()
    rows.sort(key=lambda r: (r["recorded_at"] is None, r["recorded_at"]))
    return rows


def quality_history(lake: str, dataset: str | None = None) -> list[dict[str, Any]]:
    """Pass rate over runs per dataset and expectation.

    Args:
        lake: the lake root.
        dataset: only this dataset, or all.

    Returns:
        One entry per (dataset, expectation): ``dataset``, ``expectation`` (``type(column)``),
        ``severity``, ``runs`` (evaluations), ``passed``, ``failed``, ``pass_rate`` (0..1),
        ``unexpected_total`` (flagged rows summed over runs), ``last_logical_date``,
        ``last_success`` and ``last_failed_run`` (a lineage run id or None).
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in _rows(lake, dataset):
        key = (row["dataset"], _label(row))
        entry = groups.setdefault(
            key,
            {
                "dataset": key[0],
                "expectation": key[1],
                "severity": row.get("severity") or "error",
                "runs": 0,
                "passed": 0,
                "failed": 0,
                "unexpected_total": 0,
                "last_logical_date": None,
                "last_success": None,
                "last_failed_run": None,
            },
        )
        entry["runs"] += 1
        entry["severity"] = row.get("severity") or entry["severity"]
        if row["success"]:
            entry["passed"] += 1
        else:
            entry["failed"] += 1
            entry["last_failed_run"] = row["lineage_run_id"]
        entry["unexpected_total"] += row.get("unexpected_count") or 0
        entry["last_logical_date"] = _iso(row["logical_date"])
        entry["last_success"] = bool(row["success"])
    for entry in groups.values():
        entry["pass_rate"] = round(entry["passed"] / entry["runs"], 4) if entry["runs"] else None
    return sorted(groups.values(), key=lambda e: (e["dataset"], e["expectation"]))


def run_quality(lake: str, lineage_run_ids: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Expectations passed/failed/warned per lineage run.

    Args:
        lake: the lake root.
        lineage_run_ids: only these runs, or all.

    Returns:
        ``{lineage_run_id: {"total", "passed", "failed", "warnings", "pass_rate"}}``.
    """
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"total": 0, "passed": 0, "failed": 0, "warnings": 0}
    )
    for row in _rows(lake, None):
        run = row["lineage_run_id"]
        if lineage_run_ids is not None and run not in lineage_run_ids:
            continue
        entry = out[run]
        entry["total"] += 1
        if row["success"]:
            entry["passed"] += 1
        else:
            entry["failed"] += 1
            if row.get("severity") == "warn":
                entry["warnings"] += 1
    for entry in out.values():
        entry["pass_rate"] = round(entry["passed"] / entry["total"], 4) if entry["total"] else None
    return dict(out)


def dataset_pass_rates(lake: str) -> dict[str, dict[str, Any]]:
    """Over all recorded runs, per dataset: evaluations, passed and the pass rate."""
    totals: dict[str, dict[str, Any]] = defaultdict(lambda: {"evaluations": 0, "passed": 0})
    for row in _rows(lake, None):
        entry = totals[row["dataset"]]
        entry["evaluations"] += 1
        entry["passed"] += 1 if row["success"] else 0
    for entry in totals.values():
        entry["pass_rate"] = round(entry["passed"] / entry["evaluations"], 4)
    return dict(totals)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
