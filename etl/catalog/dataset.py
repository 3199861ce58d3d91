"""One dataset's page: columns, quality history, lineage, runs, holds and quarantine.

Every value comes from the registry, the ``_meta`` tables or a Delta log: column names,
categories, grades, transformations, expectation names, verdicts, counts, file names and
fingerprints, table versions. The ``observed`` and ``kwargs`` fields of validation results are
never read here (they can hold observed values), nor is a data file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pyarrow.compute as pc

from etl.catalog.columns import column_doc
from etl.catalog.runs import runs_of
from etl.lake import delta
from etl.lake.layout import quarantine_table_uri, zone_table_uri
from etl.lineage.columns import latest_run, run_columns
from etl.lineage.meta import read_meta
from etl.lineage.quarantine import quarantine_summary
from etl.lineage.reviews import Hold, action, open_holds
from etl.registry import Dataset
from etl.runtime.context import airflow_run_id
from etl.settings import Settings
from etl.zones import QUARANTINE, ZONES, Zone

#: Zones shown for each column, in order.
COLUMN_ZONES = ZONES
#: Table kinds of the lineage graph, in order: the curated zones and the quarantine table.
TABLE_KINDS = (Zone.RESTRICTED, QUARANTINE, Zone.SHARED, Zone.OPEN)
_ZONE_OF: dict[str, Zone] = {z.value: z for z in ZONES}
#: Runs started in-process (``pubdata`` local runs, tests) have no Airflow run to link to.
LOCAL_RUN_PREFIX = "local__"
#: How many runs and source files the page lists.
RECENT = 20


def airflow_run_path(dag_id: str, run_id: str) -> str | None:
    """The Airflow 3 UI path of a DAG run (relative to the UI root), None for local runs."""
    if run_id.startswith(LOCAL_RUN_PREFIX):
        return None
    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(airflow_run_id(run_id), safe='')}"


def _expectation(row: dict[str, Any]) -> str:
    column = row.get("column")
    return f"{row['expectation_type']}({column})" if column else str(row["expectation_type"])


def quality_series(settings: Settings, dataset: str) -> list[dict[str, Any]]:
    """Per expectation, one point per recorded evaluation (oldest first).

    Returns:
        ``[{"expectation", "severity", "runs", "passed", "pass_rate", "points": [{"date",
        "run_id", "success", "unexpected_percent"}]}]`` sorted by expectation.
    """
    table = read_meta(settings.lake, "validation_results")
    table = table.filter(pc.equal(table["dataset"], dataset)).select(
        [
            "lineage_run_id",
            "logical_date",
            "expectation_type",
            "column",
            "success",
            "unexpected_percent",
            "severity",
            "recorded_at",
        ]
    )
    rows = sorted(table.to_pylist(), key=lambda r: r["recorded_at"])
    series: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = series.setdefault(
            _expectation(row),
            {"expectation": _expectation(row), "severity": "error", "points": []},
        )
        entry["severity"] = row["severity"] or entry["severity"]
        entry["points"].append(
            {
                "date": row["logical_date"].isoformat(),
                "run_id": row["lineage_run_id"].split("/", 1)[-1],
                "success": bool(row["success"]),
                "unexpected_percent": row["unexpected_percent"],
            }
        )
    for entry in series.values():
        points = entry["points"]
        entry["runs"] = len(points)
        entry["passed"] = sum(1 for p in points if p["success"])
        entry["pass_rate"] = round(entry["passed"] / len(points), 4) if points else None
    return [series[k] for k in sorted(series)]


def _table_uri(settings: Settings, ds: Dataset, kind: str) -> str:
    if kind == "quarantine":
        return quarantine_table_uri(settings.lake, ds.domain, ds.id)
    return zone_table_uri(settings.lake, _ZONE_OF[kind], ds.domain, ds.id)


def lineage_graph(settings: Settings, ds: Dataset) -> dict[str, Any]:
    """Source files and queries → the tables their runs wrote, with Delta versions.

    Returns:
        ``{"sources": [{"id", "label", "sha256", "rows", "date", "role", "kind"}],
        "tables": [{"kind", "uri", "version", "exists"}], "edges": [{"source", "table",
        "version"}]}``; sources newest first (at most :data:`RECENT`).
    """
    files = read_meta(settings.lake, "source_files")
    files = files.filter(pc.equal(files["dataset"], ds.id))
    rows = sorted(files.to_pylist(), key=lambda r: r["recorded_at"], reverse=True)[:RECENT]
    runs = read_meta(settings.lake, "lineage_runs")
    runs = runs.filter(pc.equal(runs["dataset"], ds.id))
    written: dict[str, list[tuple[str, int | None]]] = {}
    for run in runs.to_pylist():
        if run["status"] == "success" and run["zone"]:
            written.setdefault(run["lineage_run_id"], []).append(
                (run["zone"], run["delta_version"])
            )
    sources = []
    edges = []
    for index, row in enumerate(rows):
        source_id = f"s{index}"
        sources.append(
            {
                "id": source_id,
                "label": row["relative_path"] or row["uri"] or "-",
                "sha256": (row["sha256"] or "")[:12],
                "rows": row["rows"],
                "date": row["logical_date"].isoformat(),
                "role": row["role"] or "delivery",
                "kind": row["kind"] or "file",
            }
        )
        if (row["role"] or "delivery") == "duplicate":
            continue  # a repeated delivery is recorded, never loaded
        for zone, version in written.get(row["lineage_run_id"], []):
            edges.append({"source": source_id, "table": zone, "version": version})
    tables = []
    for kind in TABLE_KINDS:
        uri = _table_uri(settings, ds, kind)
        version = delta.version(uri)
        tables.append({"kind": kind, "uri": uri, "version": version, "exists": version is not None})
    return {"sources": sources, "tables": tables, "edges": edges}


def registry_file(ds: Dataset) -> str:
    """Where the dataset's registry entry lives, as the team names it."""
    return f"datasets/{ds.department}/{ds.id}.yaml"


def hold_action(ds: Dataset, hold: Hold) -> str:
    """What a person must do to release a hold: the command, or the registry field."""
    return action(hold, registry_file(ds))


def recent_runs(settings: Settings, ds: Dataset) -> list[dict[str, Any]]:
    """The dataset's latest runs with counts, tables and the Airflow link."""
    out = []
    for run in runs_of(settings, ds.id)[:RECENT]:
        run_id = run["run_id"] or ""
        out.append(
            {
                "run_id": run_id,
                "logical_date": run["logical_date"],
                "status": run["status"],
                "try_number": run["try_number"],
                "rows_in": run["rows_in"],
                "rows_loaded": run["rows_loaded"],
                "rows_quarantined": run["rows_quarantined"],
                "grade": run["dataset_grade"],
                "flags": [f for f in (run["flags"] or "").split(",") if f],
                "error_stage": run["error_stage"],
                "finished_at": run["finished_at"],
                "tables": run["tables"],
                "airflow_path": airflow_run_path(ds.dag_id, run_id),
            }
        )
    return out


def holds(settings: Settings, ds: Dataset) -> list[dict[str, Any]]:
    """Open holds (drift, withheld columns, IMP), once each, with what needs confirming.

    Each is :meth:`etl.lineage.reviews.Hold.to_dict` plus ``action``: the confirm command
    (the one ``pubdata review`` prints) or the registry field to decide.
    """
    return [h.to_dict() | {"action": hold_action(ds, h)} for h in open_holds(settings.lake, ds.id)]


def dataset_page(settings: Settings, ds: Dataset) -> dict[str, Any]:
    """Everything the dataset page shows, JSON-safe."""
    run = latest_run(settings.lake, ds.id)
    columns = run_columns(settings.lake, run["lineage_run_id"]) if run else []
    return {
        "dataset": {
            "id": ds.id,
            "title": ds.title,
            "department": ds.department,
            "department_title": ds.department_title,
            "domain": ds.domain,
            "owner": ds.owner,
            "schedule": ds.schedule,
            "load": ds.load,
            "open": ds.open,
            "dag_id": ds.dag_id,
            "important": ds.classification.important,
            "core": ds.classification.core,
        },
        "latest": None
        if run is None
        else {
            "run_id": run["run_id"],
            "logical_date": run["logical_date"].isoformat(),
            "grade": run["dataset_grade"],
            "flags": [f for f in (run["flags"] or "").split(",") if f],
        },
        "columns": [
            column_doc(ds, c["column"], c["comment"])
            | {
                "category": c["category"],
                "grade": c["grade"],
                "decided_by": c["decided_by"],
                "zones": {z: c["zones"].get(z) for z in COLUMN_ZONES},
            }
            for c in columns
        ],
        "quality": quality_series(settings, ds.id),
        "lineage": lineage_graph(settings, ds),
        "runs": recent_runs(settings, ds),
        "holds": holds(settings, ds),
        "quarantine": quarantine_summary(settings.lake, ds.id),
    }
