"""Catalog and lineage views built from the registry and the ``_meta`` tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pyarrow.compute as pc

from etl.cli.table import render
from etl.lake.layout import ZONES
from etl.lineage import read_meta
from etl.lineage.freshness import freshness
from etl.lineage.quality import dataset_pass_rates, run_quality
from etl.registry import Registry
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


def runs_of(settings: Settings, dataset: str) -> list[dict[str, Any]]:
    """One entry per run of a dataset (zones folded together), newest first."""
    by_run: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings, dataset):
        key = f"{row['lineage_run_id']}#{row['try_number']}"
        entry = by_run.setdefault(key, {k: row.get(k) for k in _RUN_KEYS} | {"tables": {}})
        if row["zone"]:
            entry["tables"][row["zone"]] = {
                "uri": row["table_uri"],
                "version": row["delta_version"],
            }
    return list(by_run.values())


def catalog(
    settings: Settings, registry: Registry, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every registered dataset with its latest successful run, freshness and quality.

    Args:
        settings: where the lake is.
        registry: the registry.
        now: the instant freshness is judged at (default: now).

    Returns:
        One JSON-safe entry per dataset, sorted by department and id.
    """
    latest: dict[str, dict[str, Any]] = {}
    last_status: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings):
        last_status.setdefault(row["dataset"], row)
        if row["status"] == "success":
            entry = latest.setdefault(row["dataset"], {"run": row, "zones": []})
            if row["lineage_run_id"] == entry["run"]["lineage_run_id"] and row["zone"]:
                entry["zones"].append(row["zone"])
    quality = run_quality(settings.lake, {e["run"]["lineage_run_id"] for e in latest.values()})
    history = dataset_pass_rates(settings.lake)
    items = []
    for ds in sorted(registry.datasets.values(), key=lambda d: (d.department, d.id)):
        found = latest.get(ds.id)
        run: dict[str, Any] = found["run"] if found else {}
        last = last_status.get(ds.id, {})
        day = run.get("logical_date")
        fresh = freshness(ds.schedule, date.fromisoformat(day) if day else None, now)
        items.append(
            {
                "dataset": ds.id,
                "title": ds.title,
                "department": ds.department,
                "department_title": ds.department_title,
                "domain": ds.domain,
                "owner": ds.owner,
                "schedule": ds.schedule,
                "grade": run.get("dataset_grade"),
                "flags": [f for f in (run.get("flags") or "").split(",") if f],
                "rows_in": run.get("rows_in"),
                "rows_loaded": run.get("rows_loaded"),
                "rows_quarantined": run.get("rows_quarantined"),
                "zones": [z for z in ZONES if found and z in found["zones"]],
                "last_logical_date": day,
                "last_run_id": run.get("run_id"),
                "last_success_at": run.get("finished_at"),
                "last_status": last.get("status"),
                "last_run_date": last.get("logical_date"),
                "last_error": last.get("error_message") if last.get("status") == "failed" else None,
                "freshness": fresh.to_dict() | {"label": fresh.label},
                "quality": {
                    "last_run": quality.get(run.get("lineage_run_id", "")),
                    "history": history.get(ds.id),
                },
            }
        )
    return items


def _quality_label(item: dict[str, Any]) -> str:
    last = item["quality"]["last_run"]
    if not last:
        return "-"
    text = f"{last['passed']}/{last['total']}"
    if last["warnings"]:
        text += f" ({last['warnings']} warn)"
    return text


def _history_label(item: dict[str, Any]) -> str:
    history = item["quality"]["history"]
    return f"{history['pass_rate']:.0%}" if history else "-"


def _last_run_label(item: dict[str, Any]) -> str:
    """``success``, or the status and date of a latest run that failed: ``failed 2024-06-02``."""
    status = item["last_status"]
    if status is None:
        return "never run"
    if status != "success" and item["last_run_date"]:
        return f"{status} {item['last_run_date']}"
    return str(status)


def render_catalog(items: list[dict[str, Any]]) -> str:
    """The catalog as a table for people (``--json`` has every field)."""
    rows = [
        [
            i["dataset"],
            i["department"],
            i["domain"],
            (i["grade"] or "-") + ("+" + "+".join(i["flags"]) if i["flags"] else ""),
            i["rows_loaded"] if i["rows_loaded"] is not None else "-",
            i["rows_quarantined"] if i["rows_quarantined"] is not None else "-",
            ",".join(i["zones"]) or "-",
            i["last_logical_date"] or "-",
            _last_run_label(i),
            i["freshness"]["label"],
            _quality_label(i),
            _history_label(i),
        ]
        for i in items
    ]
    headers = [
        "dataset",
        "department",
        "domain",
        "grade",
        "loaded",
        "quarantined",
        "zones",
        "date",
        "last run",
        "freshness",
        "checks",
        "pass rate",
    ]
    return render(headers, rows)


def render_card(item: dict[str, Any]) -> str:
    """One dataset's catalog entry, one field per line."""
    fields = [
        ("dataset", item["dataset"]),
        ("title", item["title"]),
        ("department", f"{item['department']} {item['department_title'] or ''}".strip()),
        ("domain", item["domain"]),
        ("owner", item["owner"]),
        ("schedule", item["schedule"] or "none"),
        ("grade", item["grade"] or "-"),
        ("flags", ",".join(item["flags"]) or "-"),
        ("zones", ",".join(item["zones"]) or "-"),
        (
            "rows (last run)",
            f"{item['rows_in']} in, {item['rows_loaded']} loaded, "
            f"{item['rows_quarantined']} quarantined"
            if item["rows_in"] is not None
            else "-",
        ),
        ("last loaded date", item["last_logical_date"] or "-"),
        ("last loaded run", item["last_run_id"] or "-"),
        ("last run", _last_run_label(item)),
        ("last error", item["last_error"] or "-"),
        ("freshness", item["freshness"]["label"]),
        ("checks (last run)", _quality_label(item)),
        ("pass rate (all runs)", _history_label(item)),
    ]
    return render(["field", "value"], [[k, v] for k, v in fields])
