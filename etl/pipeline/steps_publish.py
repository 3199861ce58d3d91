"""The classify and load steps."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa

from etl.classify import ColumnOverride, DatasetClassification, classify_table
from etl.lake import delta
from etl.lake.layout import Zone, quarantine_table_uri, zone_table_uri
from etl.pipeline import staging
from etl.pipeline.context import RunContext, read_json, staging_dir, write_json
from etl.protect import load_token_key, project_zone
from etl.registry import Dataset
from etl.settings import Settings

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_run_id", "_source_sha256", "_source_row", "_logical_date")


def classify(settings: Settings, dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    """Grade every column and the dataset; registry overrides win."""
    folder = staging_dir(settings, ctx)
    raw = staging.read_table(folder, staging.RAW)
    data = raw.select([c for c in raw.column_names if not c.startswith("_")])
    spec = dataset.classification
    overrides = {
        name: ColumnOverride(category=o.category, grade=o.grade, reason=o.reason)
        for name, o in spec.columns.items()
    }
    flags = [flag for flag, on in (("IMP", spec.important), ("CORE", spec.core)) if on]
    result = classify_table(data, overrides=overrides, floor=spec.floor, flags=flags)
    write_json(folder / staging.CLASSIFICATION, result.to_dict())
    log.info("dataset %s graded %s (flags: %s)", dataset.id, result.dataset_grade, result.flags)
    return {
        "dataset_grade": result.dataset_grade,
        "flags": list(result.flags),
        "columns": [
            {"name": c.name, "category": c.category, "grade": c.grade} for c in result.columns
        ],
    }


def zones_for(dataset: Dataset, classification: DatasetClassification) -> list[Zone]:
    """Zones this run publishes to: IMP data stays in the restricted zone."""
    if "IMP" in classification.flags:
        return ["restricted"]
    zones: list[Zone] = ["restricted", "shared"]
    if dataset.open:
        zones.append("open")
    return zones


def _with_lineage(table: pa.Table, ctx: RunContext, sha256: str) -> pa.Table:
    n = table.num_rows
    table = table.append_column("_run_id", pa.array([ctx.run_id] * n, pa.string()))
    table = table.append_column("_source_sha256", pa.array([sha256] * n, pa.string()))
    return table.append_column("_logical_date", pa.array([ctx.logical_date] * n, pa.date32()))


def _write(
    uri: str, table: pa.Table, dataset: Dataset, ctx: RunContext, meta: dict[str, Any]
) -> int:
    if dataset.load == "snapshot":
        return delta.replace_all(uri, table, meta)
    return delta.replace_partition(uri, table, ctx.logical_date, meta)


def load(settings: Settings, dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    """Write the zones and the quarantine table for this logical date.

    Each table is replaced for the run's logical date in one atomic Delta commit (the whole
    table for ``snapshot`` loads), so re-running a date never duplicates rows.
    """
    folder = staging_dir(settings, ctx)
    source = read_json(folder / staging.SOURCE)
    validation = read_json(folder / staging.VALIDATION)
    classification = DatasetClassification.from_dict(read_json(folder / staging.CLASSIFICATION))
    valid = _with_lineage(staging.read_table(folder, staging.VALID), ctx, source["sha256"])
    key = load_token_key(settings.home, settings.token_key)
    commit_meta = {
        "pubdata.dag_id": ctx.dag_id,
        "pubdata.run_id": ctx.run_id,
        "pubdata.logical_date": ctx.logical_date.isoformat(),
        "pubdata.source_sha256": source["sha256"],
        "pubdata.suite": validation.get("suite_name"),
        "pubdata.dataset_grade": classification.dataset_grade,
    }
    tables: dict[str, str] = {}
    versions: dict[str, int] = {}
    column_lineage: list[dict[str, Any]] = []
    for zone in zones_for(dataset, classification):
        projection = project_zone(valid, classification, zone, key)
        uri = zone_table_uri(settings.lake, zone, dataset.domain, dataset.id)
        versions[zone] = _write(uri, projection.table, dataset, ctx, {**commit_meta, "zone": zone})
        tables[zone] = uri
        column_lineage.extend(
            {
                "zone": zone,
                "source_column": c.source,
                "output_column": c.output,
                "transformation": c.transformation,
            }
            for c in projection.columns
        )
    bad = _with_lineage(staging.read_table(folder, staging.QUARANTINE), ctx, source["sha256"])
    q_uri = quarantine_table_uri(settings.lake, dataset.domain, dataset.id)
    versions["quarantine"] = delta.replace_partition(
        q_uri, bad, ctx.logical_date, {**commit_meta, "zone": "quarantine"}
    )
    tables["quarantine"] = q_uri
    result = {
        "tables": tables,
        "versions": versions,
        "rows_loaded": valid.num_rows,
        "rows_quarantined": bad.num_rows,
        "column_lineage": column_lineage,
    }
    write_json(folder / staging.LOAD, result)
    log.info(
        "loaded %d rows of %s into %s; %d rows quarantined",
        valid.num_rows,
        dataset.id,
        ", ".join(tables),
        bad.num_rows,
    )
    return {k: v for k, v in result.items() if k != "column_lineage"}
