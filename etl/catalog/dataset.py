"""One dataset's page: columns, quality history, lineage, runs, holds and quarantine.

Every value comes from the registry, the ``_meta`` tables or a Delta log: column names,
categories, grades, transformations, expectation names, verdicts, counts, file names and
fingerprints, table versions. Of validation results, only counts and published parameters are
read (through :mod:`etl.lineage.quality`), never a data file.
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
from etl.lineage.quality import quality_history
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


def quality_series(settings: Settings, dataset: str) -> list[dict[str, Any]]:
    """Per expectation, its pass rates and one point per recorded evaluation (oldest first).

    Returns:
        :func:`etl.lineage.quality.quality_history` entries with ``points``: ``[{"date",
        "run_id", "success", "unexpected_percent"}]``, sorted by expectation.
    """
    return quality_history(settings.lake, dataset, points=True)


def _table_uri(settings: Settings, ds: Dataset, kind: str) -> str:
    if kind == "quarantine":
        return quarantine_table_uri(settings, ds.domain, ds.id)
    return zone_table_uri(settings, _ZONE_OF[kind], ds.domain, ds.id)


def _source_key(row: dict[str, Any]) -> str:
    """What makes two ``source_files`` rows one file: its content (sha256), else the row itself."""
    return row["sha256"] or f"{row['uri']}#{row['lineage_run_id']}"


def _sources(files: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One node per delivered file (newest first), however many runs read or repeated it.

    A re-run of a date reads the same file again, and a file delivered again for another date
    is recorded as a ``duplicate`` (not loaded): the node keeps the dates it was loaded for,
    the dates it was repeated for and every run, and is labelled by the path it was loaded from.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for row in sorted(files, key=lambda r: r["recorded_at"], reverse=True):
        role = row["role"] or "delivery"
        node = nodes.setdefault(
            _source_key(row),
            {
                "label": row["relative_path"] or row["uri"] or "-",
                "sha256": (row["sha256"] or "")[:12],
                "rows": row["rows"],
                "role": role,
                "kind": row["kind"] or "file",
                "dates": set(),
                "repeated": set(),
                "runs": set(),
                "loaded_by": set(),
            },
        )
        day = row["logical_date"].isoformat()
        node["runs"].add(row["lineage_run_id"])
        if role == "duplicate":  # a repeated delivery is recorded, never loaded
            node["repeated"].add(day)
            continue
        node["dates"].add(day)
        node["loaded_by"].add(row["lineage_run_id"])
        if node["role"] == "duplicate":  # named as the file that was loaded
            node.update(label=row["relative_path"] or row["uri"] or "-", role=role)
    return nodes


def lineage_graph(settings: Settings, ds: Dataset) -> dict[str, Any]:
    """Source files and queries → the tables their runs wrote, with Delta versions.

    A file appears once however often it was read: re-runs of its date and deliveries of the
    same content (same sha256) for other dates are one source, with every date and run.

    Returns:
        ``{"sources": [{"id", "label", "sha256", "rows", "date", "dates", "repeated", "runs",
        "role", "kind"}], "tables": [{"kind", "uri", "version", "exists"}], "edges":
        [{"source", "table", "versions"}]}``; sources newest first (at most :data:`RECENT`):
        ``dates`` they were loaded for, ``repeated`` the other dates they were delivered again
        for, ``date`` the newest of these, ``runs`` how many runs read them; ``versions`` are
        the Delta versions their runs wrote to the table.
    """
    files = read_meta(settings.lake, "source_files")
    nodes = _sources(files.filter(pc.equal(files["dataset"], ds.id)).to_pylist())
    runs = read_meta(settings.lake, "lineage_runs")
    runs = runs.filter(pc.equal(runs["dataset"], ds.id))
    written: dict[str, list[tuple[str, int | None]]] = {}
    for run in runs.to_pylist():
        if run["status"] == "success" and run["zone"]:
            written.setdefault(run["lineage_run_id"], []).append(
                (run["zone"], run["delta_version"])
            )
    sources: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for index, node in enumerate(list(nodes.values())[:RECENT]):
        source_id = f"s{index}"
        dates = sorted(node["dates"])
        repeated = sorted(node["repeated"] - node["dates"])
        sources.append(
            {
                "id": source_id,
                "label": node["label"],
                "sha256": node["sha256"],
                "rows": node["rows"],
                "date": (dates or repeated)[-1],
                "dates": dates,
                "repeated": repeated,
                "runs": len(node["runs"]),
                "role": node["role"],
                "kind": node["kind"],
            }
        )
        versions: dict[str, set[int]] = {}
        for run_id in node["loaded_by"]:
            for zone, version in written.get(run_id, []):
                versions.setdefault(zone, set()).update([] if version is None else [version])
        edges.extend(
            {"source": source_id, "table": zone, "versions": sorted(found)}
            for zone, found in sorted(versions.items())
        )
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
    """The dataset's latest runs: start, end and duration, counts, tables and the Airflow link."""
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
                "error_message": run["error_message"],
                "started_at": run["started_at"],
                "finished_at": run["finished_at"],
                "seconds": run["seconds"],
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
