"""``pubdata trace``: where one curated row came from and what was done to it.

The answer names the department, the delivered file (fingerprint and the row's place in it), a
resubmission if the row's values were fixed later, the run, the suite and what it said about
this row, the zones holding the row (checked at the run's Delta versions, in the tables the
caller is granted) and what each zone did to each column. It never contains a value of the row.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError
from etl.lake import delta
from etl.lineage.columns import latest_run, run_columns
from etl.lineage.meta import read_meta
from etl.read.access import TableRef, granted_tables
from etl.registry import Dataset
from etl.runtime.context import CLEARED
from etl.settings import Settings
from etl.zones import TableZone

_LOCATION = {
    "csv": "line {line} of the file (data row {row} after the header)",
    "excel": "sheet row {line} (data row {row} after the header)",
    "jsonl": "line {row}",
    "json": "array element {row} (1-based)",
    "parquet": "row {row} (1-based)",
}


def _rows(lake: str, table: str, **equal: Any) -> list[dict[str, Any]]:
    data = read_meta(lake, table)
    for column, value in equal.items():
        data = data.filter(pc.equal(data[column], value))
    rows: list[dict[str, Any]] = data.to_pylist()
    return rows


def resolve_run(settings: Settings, dataset: Dataset, run: str | None, day: str | None) -> str:
    """The lineage run id for ``--run`` (an Airflow run id or lineage run id) or ``--date``.

    Raises:
        ConfigError: neither given, or no such run of this dataset.
    """
    if run is None and day is None:
        raise ConfigError("name the run (--run RUN_ID) or the logical date (--date D)")
    if run is None:
        found = latest_run(settings.lake, dataset.id, day)
        if found is None:
            raise ConfigError(f"dataset {dataset.id} has no successful run for {day}")
        return str(found["lineage_run_id"])
    lineage_run_id = run if "/" in run else f"{dataset.dag_id}/{run}"
    if _rows(settings.lake, "lineage_runs", lineage_run_id=lineage_run_id):
        return lineage_run_id
    # an Airflow run id: its latest execution (a cleared run was executed again)
    executions = [
        r
        for r in _rows(settings.lake, "lineage_runs", dataset=dataset.id)
        if str(r["lineage_run_id"]).startswith(lineage_run_id + CLEARED)
    ]
    if not executions:
        raise ConfigError(f"dataset {dataset.id} has no run {run!r} (see pubdata lineage)")
    return str(max(executions, key=lambda r: r["started_at"] or r["finished_at"])["lineage_run_id"])


def trace_row(
    settings: Settings, dataset: Dataset, lineage_run_id: str, source_row: int
) -> dict[str, Any]:
    """Trace one source row of one run.

    Args:
        settings: the lake and the caller's clearance.
        dataset: the registry entry.
        lineage_run_id: ``<dag_id>/<run_id>`` (see :func:`resolve_run`).
        source_row: the 1-based data row number (``_source_row``).

    Returns:
        A JSON-safe answer (see the module docstring); no data values.

    Raises:
        ConfigError: the run recorded no source file, or the row is outside the file.
    """
    lake = settings.lake
    runs = _rows(lake, "lineage_runs", lineage_run_id=lineage_run_id)
    run = max(runs, key=lambda r: (r["status"] == "success", r["finished_at"]))
    files = _rows(lake, "source_files", lineage_run_id=lineage_run_id)
    delivery = next((f for f in files if (f.get("role") or "delivery") == "delivery"), None)
    if delivery is None:
        raise ConfigError(f"run {run['run_id']} of {dataset.id} recorded no source file")
    if not 1 <= source_row <= int(delivery["rows"]):
        raise ConfigError(f"source row {source_row} is outside 1..{delivery['rows']} of the file")
    amended = [
        f
        for f in files
        if f.get("role") == "resubmission" and source_row in json.loads(f["amended_rows"] or "[]")
    ]
    reasons = [
        r["reasons"]
        for r in _rows(lake, "quarantine_rows", lineage_run_id=lineage_run_id)
        if r["source_row"] == source_row
    ]
    row_reasons = reasons[-1].split(";") if reasons else []
    status = run["status"]
    outcome = "quarantined" if row_reasons else ("loaded" if status == "success" else "not loaded")
    return {
        "dataset": dataset.id,
        "title": dataset.title,
        "department": {
            "id": dataset.department,
            "title": dataset.department_title,
            "owner": dataset.owner,
        },
        "source": {
            **{k: delivery[k] for k in ("relative_path", "uri", "sha256", "bytes", "encoding")},
            "format": delivery["format"],
            "rows": delivery["rows"],
            "source_row": source_row,
            "location": _LOCATION.get(delivery["format"] or "", "row {row}").format(
                row=source_row, line=source_row + 1
            ),
            "resubmitted_in": [
                {"relative_path": f["relative_path"], "sha256": f["sha256"]} for f in amended
            ],
        },
        "run": {
            "lineage_run_id": lineage_run_id,
            "run_id": run["run_id"],
            "dag_id": run["dag_id"],
            "logical_date": run["logical_date"].isoformat(),
            "status": status,
            "error_stage": run.get("error_stage"),
            "started_at": _iso(run.get("started_at")),
            "finished_at": _iso(run.get("finished_at")),
            "pipeline_version": run.get("pipeline_version"),
            "dataset_grade": run.get("dataset_grade"),
            "rows_in": run.get("rows_in"),
            "rows_loaded": run.get("rows_loaded"),
            "rows_quarantined": run.get("rows_quarantined"),
        },
        "row": {"outcome": outcome, "reasons": row_reasons},
        "checks": _checks(lake, lineage_run_id, run, row_reasons, outcome),
        "zones": _zones(settings, dataset, runs, run["run_id"], source_row),
        "columns": run_columns(lake, lineage_run_id),
    }


def _checks(
    lake: str, lineage_run_id: str, run: dict[str, Any], reasons: list[str], outcome: str
) -> dict[str, Any]:
    results = _rows(lake, "validation_results", lineage_run_id=lineage_run_id)
    checks = []
    for r in results:
        label = f"{r['expectation_type']}({r['column']})" if r["column"] else r["expectation_type"]
        severity = r.get("severity") or "error"
        if r["level"] != "row":
            this_row = "table-level"
        elif severity == "warn":
            this_row = "not recorded per row (warn)"
        elif outcome == "loaded":
            this_row = "passed"
        else:
            this_row = "failed" if _reason_of(r) in reasons else "passed"
        checks.append(
            {
                "expectation": label,
                "level": r["level"],
                "severity": severity,
                "run_result": "passed" if r["success"] else "failed",
                "unexpected_count": r["unexpected_count"],
                "this_row": this_row,
            }
        )
    casts = [r for r in reasons if r.startswith("cast:")]
    return {
        "suite": run.get("suite"),
        "suite_success": run.get("suite_success"),
        "passed": sum(1 for c in checks if c["run_result"] == "passed"),
        "total": len(checks),
        "expectations": checks,
        "type_casts_failed": casts,
    }


def _reason_of(result: dict[str, Any]) -> str:
    if result.get("reason"):
        return str(result["reason"])
    column = result["column"]
    return f"{result['expectation_type']}({column})" if column else result["expectation_type"]


def _zones(
    settings: Settings, dataset: Dataset, runs: list[dict[str, Any]], run_id: str, source_row: int
) -> list[dict[str, Any]]:
    """Whether each table of the run holds the row, at the version the run wrote.

    Only the tables the caller is granted are opened; the others say why not.
    """
    tables = {
        r["table_uri"]: TableRef(dataset.id, r["zone"], dataset.domain, r["table_uri"])
        for r in runs
        if r["zone"]
    }
    granted = granted_tables(settings, list(tables.values()), strict=False)
    out = []
    for r in sorted(runs, key=lambda r: r["zone"] or ""):
        if not r["zone"]:
            continue
        zone: TableZone = r["zone"]
        entry: dict[str, Any] = {
            "zone": zone,
            "table": r["table_uri"],
            "version": r["delta_version"],
        }
        reason = granted.refused.get(tables[r["table_uri"]])
        if reason is not None:
            entry["holds_row"] = None
            entry["note"] = f"not checked: {reason}"
        else:
            entry["holds_row"] = _holds(r["table_uri"], r["delta_version"], run_id, source_row)
        out.append(entry)
    return out


def _holds(uri: str, version: int | None, run_id: str, source_row: int) -> bool | None:
    try:
        source = delta.dataset(uri, version)
    except Exception:  # a vacuumed or moved table: say we could not tell
        return None
    match = (pc.field("_run_id") == run_id) & (pc.field("_source_row") == pa.scalar(source_row))
    return bool(source.count_rows(filter=match))


def find_rows(
    settings: Settings, dataset: Dataset, uri: str, column: str, value: str
) -> list[tuple[str, int]]:
    """``(run_id, source_row)`` of the rows of a table whose ``column`` equals ``value``.

    The comparison is on the column's text form, so a key is given the way it is written.
    The caller checks clearance for the table first.
    """
    source = delta.dataset(uri)
    if column not in source.schema.names or column.startswith("_"):
        raise ConfigError(f"dataset {dataset.id} has no data column {column!r} in {uri}")
    table = source.to_table(columns=[column, "_run_id", "_source_row"])
    hits = table.filter(pc.equal(pc.cast(table[column], pa.string()), value))
    return sorted(zip(hits["_run_id"].to_pylist(), hits["_source_row"].to_pylist(), strict=True))


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
