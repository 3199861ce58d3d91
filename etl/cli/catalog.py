"""Catalog and lineage views built from the registry and the ``_meta`` tables."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.lake.layout import ZONES
from etl.lineage import read_meta
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


def runs_of(settings: Settings, dataset: str) -> list[dict[str, Any]]:
    """One entry per run of a dataset (zones folded together), newest first."""
    by_run: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings, dataset):
        key = f"{row['lineage_run_id']}#{row['try_number']}"
        entry = by_run.setdefault(
            key,
            {
                k: row[k]
                for k in (
                    "run_id",
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
            }
            | {"tables": {}},
        )
        if row["zone"]:
            entry["tables"][row["zone"]] = {
                "uri": row["table_uri"],
                "version": row["delta_version"],
            }
    return list(by_run.values())


def catalog(settings: Settings, registry: Registry) -> list[dict[str, Any]]:
    """Every registered dataset with its latest successful run (if any)."""
    latest: dict[str, dict[str, Any]] = {}
    last_status: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings):
        last_status.setdefault(row["dataset"], row)
        if row["status"] == "success":
            entry = latest.setdefault(row["dataset"], {"run": row, "zones": []})
            if row["lineage_run_id"] == entry["run"]["lineage_run_id"] and row["zone"]:
                entry["zones"].append(row["zone"])
    items = []
    for ds in sorted(registry.datasets.values(), key=lambda d: (d.department, d.id)):
        found = latest.get(ds.id)
        run: dict[str, Any] = found["run"] if found else {}
        items.append(
            {
                "dataset": ds.id,
                "title": ds.title,
                "department": ds.department,
                "domain": ds.domain,
                "owner": ds.owner,
                "grade": run.get("dataset_grade"),
                "flags": [f for f in (run.get("flags") or "").split(",") if f],
                "rows_loaded": run.get("rows_loaded"),
                "rows_quarantined": run.get("rows_quarantined"),
                "zones": [z for z in ZONES if found and z in found["zones"]],
                "last_logical_date": run.get("logical_date"),
                "last_status": last_status.get(ds.id, {}).get("status"),
            }
        )
    return items
