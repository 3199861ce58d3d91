"""Pass rates on rows, per expectation and per dataset, from the ``_meta`` tables.

A pass rate is the share of rows that passed: per expectation, rows checked minus rows flagged
over rows checked (``_meta.validation_results``); per dataset, rows loaded over rows delivered
(``_meta.lineage_runs``). How many evaluations (runs) passed is kept beside it, named as such:
an expectation that flags 3 rows of 1,000 every day has passed no run but 99.7% of rows.

Every recorded evaluation counts once (a run's suite evaluates each expectation once; a failed
try that got as far as validation is recorded too). Nothing here reads data: the rows hold
expectation names, verdicts and counts.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import pyarrow.compute as pc

from etl.lineage.meta import read_meta
from etl.lineage.quarantine import latest_by_date
from etl.validate.describe import describe_expectation


def expectation_label(row: dict[str, Any]) -> str:
    """How an evaluation's expectation is named: ``type(column)``, or ``type`` for a table."""
    column = row.get("column")
    return f"{row['expectation_type']}({column})" if column else str(row["expectation_type"])


def _rows(lake: str, dataset: str | None) -> list[dict[str, Any]]:
    table = read_meta(lake, "validation_results")
    if dataset is not None:
        table = table.filter(pc.equal(table["dataset"], dataset))
    rows: list[dict[str, Any]] = table.to_pylist()
    rows.sort(key=lambda r: (r["recorded_at"] is None, r["recorded_at"]))
    return rows


def history_cells(entry: dict[str, Any]) -> list[Any]:
    """An expectation's :func:`quality_history` entry as table cells, the CLI's and Data Docs'.

    Severity, rows passed (a rate), rows flagged, rows checked, runs passed (``n/m``).
    """
    checked = entry["rows_checked"]
    return [
        entry["severity"],
        percent(entry["rows_pass_rate"]),
        entry["rows_flagged"] if checked else "-",
        checked or "-",
        f"{entry['passed']}/{entry['runs']}",
    ]


def percent(rate: float | None) -> str:
    """A pass rate as people read it: one decimal, never rounded up to 100% (``99.6%``).

    The one format of a rate in the pages, the CLI and Data Docs: 1,992 of 2,000 rows is
    ``99.6%``, and 1,999,999 of 2,000,000 is ``99.9%``, not ``100%``.
    """
    if rate is None:
        return "-"
    if rate >= 1:
        return "100%"
    return f"{math.floor(rate * 1000 + 1e-9) / 10:.1f}%"


def rows_checked(row: dict[str, Any]) -> tuple[int, int] | None:
    """``(rows checked, rows flagged)`` of one recorded evaluation, when both were recorded.

    The rows checked are the ``element_count`` the scrubber keeps in ``observed`` (a count; see
    :mod:`etl.validate.scrub`); nothing else of ``observed`` is read. Table-level expectations
    (row count, column set) flag no rows and have no such numbers.
    """
    flagged = row.get("unexpected_count")
    if flagged is None:
        return None
    checked = json.loads(row.get("observed") or "{}").get("element_count")
    if not isinstance(checked, int) or isinstance(checked, bool) or checked <= 0:
        return None
    return checked, min(int(flagged), checked)


def _rate(part: int, whole: int) -> float | None:
    # not rounded: percent() floors, and a rounded 0.99999 would read "100%"
    return part / whole if whole else None


def quality_history(
    lake: str, dataset: str | None = None, *, points: bool = False
) -> list[dict[str, Any]]:
    """Per dataset and expectation: the share of rows that passed, and the runs that passed.

    Args:
        lake: the lake root.
        dataset: only this dataset, or all.
        points: add ``points``, one per evaluation (oldest first): ``date``, ``run_id``,
            ``success``, ``unexpected_percent``.

    Returns:
        One entry per (dataset, expectation): ``dataset``, ``expectation`` (``type(column)``),
        ``reason`` (its quarantine reason code), ``description`` (what it checks, value-free),
        ``severity``; on rows: ``rows_checked``, ``rows_flagged`` (summed over the evaluations
        that recorded both) and ``rows_pass_rate`` (0..1, None for a table-level expectation);
        on runs: ``runs`` (evaluations), ``passed``, ``failed``, ``runs_pass_rate``;
        ``last_logical_date``, ``last_success`` and ``last_failed_run`` (a lineage run id or
        None).
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    latest: dict[tuple[str, str], dict[str, Any]] = {}  # the newest evaluation describes it
    for row in _rows(lake, dataset):
        key = (row["dataset"], expectation_label(row))
        entry = groups.setdefault(
            key,
            {
                "dataset": key[0],
                "expectation": key[1],
                "reason": None,
                "description": None,
                "severity": row.get("severity") or "error",
                "rows_checked": 0,
                "rows_flagged": 0,
                "rows_pass_rate": None,
                "runs": 0,
                "passed": 0,
                "failed": 0,
                "runs_pass_rate": None,
                "last_logical_date": None,
                "last_success": None,
                "last_failed_run": None,
            }
            | ({"points": []} if points else {}),
        )
        entry["runs"] += 1
        entry["severity"] = row.get("severity") or entry["severity"]
        entry["reason"] = row.get("reason") or key[1]
        latest[key] = row
        if row["success"]:
            entry["passed"] += 1
        else:
            entry["failed"] += 1
            entry["last_failed_run"] = row["lineage_run_id"]
        counted = rows_checked(row)
        if counted is not None:
            entry["rows_checked"] += counted[0]
            entry["rows_flagged"] += counted[1]
        entry["last_logical_date"] = _iso(row["logical_date"])
        entry["last_success"] = bool(row["success"])
        if points:
            entry["points"].append(
                {
                    "date": _iso(row["logical_date"]),
                    "run_id": row["lineage_run_id"].split("/", 1)[-1],
                    "success": bool(row["success"]),
                    "unexpected_percent": row["unexpected_percent"],
                }
            )
    for key, entry in groups.items():
        row = latest[key]
        entry["description"] = describe_expectation(
            row["expectation_type"], row.get("column"), json.loads(row.get("kwargs") or "{}")
        )
        checked = entry["rows_checked"]
        entry["rows_pass_rate"] = _rate(checked - entry["rows_flagged"], checked)
        entry["runs_pass_rate"] = _rate(entry["passed"], entry["runs"])
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
    """Per dataset, the share of delivered rows that passed: rows loaded / rows in.

    Counted over the latest successful run of each loaded date (what the lake holds now; a
    re-run of a date replaces it, so it is not counted twice).

    Returns:
        ``{dataset: {"dates", "rows_in", "rows_loaded", "rows_pass_rate"}}`` (the rate 0..1,
        None when no row came in).
    """
    runs = read_meta(lake, "lineage_runs")
    by_dataset: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in runs.filter(pc.equal(runs["status"], "success")).to_pylist():
        by_dataset[row["dataset"]].append(row)
    out: dict[str, dict[str, Any]] = {}
    for name, rows in by_dataset.items():
        latest = latest_by_date(rows).values()
        rows_in = sum(r["rows_in"] or 0 for r in latest)
        loaded = sum(r["rows_loaded"] or 0 for r in latest)
        out[name] = {
            "dates": len(latest),
            "rows_in": rows_in,
            "rows_loaded": loaded,
            "rows_pass_rate": _rate(loaded, rows_in),
        }
    return out


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
