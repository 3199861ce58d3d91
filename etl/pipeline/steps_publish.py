"""The classify and load steps."""

from __future__ import annotations

import logging
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify import (
    ColumnOverride,
    DatasetClassification,
    RuleSettings,
    apply_scale_rule,
    classification_from_meta,
    classify_table,
    count_distinct_persons,
    detect_drift,
    person_columns,
)
from etl.lake import delta
from etl.lake.layout import Zone, quarantine_table_uri, zone_table_uri
from etl.lineage import read_meta
from etl.pipeline import staging
from etl.pipeline.context import RunContext, read_json, staging_dir, write_json
from etl.protect import load_token_key, project_zone
from etl.registry import Dataset
from etl.settings import Settings

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = ("_run_id", "_source_sha256", "_source_row", "_logical_date")


def rule_settings(dataset: Dataset) -> RuleSettings:
    """The dataset's rule thresholds: registry values over the spec's defaults."""
    return RuleSettings.from_mapping(dataset.classification.rules.model_dump(exclude_none=True))


def _previous_classification(settings: Settings, dataset: Dataset) -> DatasetClassification | None:
    """The classification of the dataset's last published run (held runs do not count).

    Comparing with a held run would let drift disappear on the next run without anyone
    confirming it, so runs whose ``lineage_runs.flags`` carry ``DRIFT`` are skipped.
    """
    runs = read_meta(settings.lake, "lineage_runs")
    runs = runs.filter(pc.equal(runs["dataset"], dataset.id))
    published = {
        r["lineage_run_id"]
        for r in runs.select(["lineage_run_id", "status", "flags"]).to_pylist()
        if r["status"] == "success" and "DRIFT" not in (r["flags"] or "").split(",")
    }
    if not published:
        return None
    rows = read_meta(settings.lake, "classifications")
    rows = rows.filter(pc.equal(rows["dataset"], dataset.id))
    return classification_from_meta(r for r in rows.to_pylist() if r["lineage_run_id"] in published)


def _scale(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    data: pa.Table,
    result: DatasetClassification,
) -> DatasetClassification:
    """R5 over the whole dataset: this delivery plus every other date already loaded."""
    columns = person_columns(result)
    if not columns:
        return result
    tables = [data.select(columns)]
    uri = zone_table_uri(settings.lake, "restricted", dataset.domain, dataset.id)
    if dataset.load == "partition" and delta.table_exists(uri):
        present = set(delta.schema(uri).names)
        if set(columns) <= present:
            history = delta.read(uri, columns=[*columns, "_logical_date"])
            other_days = pc.not_equal(
                history["_logical_date"], pa.scalar(ctx.logical_date, pa.date32())
            )
            tables.append(history.filter(other_days).select(columns))
    rules = rule_settings(dataset)
    persons = count_distinct_persons(tables, result, logical_date=ctx.logical_date, settings=rules)
    return apply_scale_rule(result, persons, rules)


def classify(settings: Settings, dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    """Grade every column and the dataset; registry overrides win; drift holds publishing."""
    folder = staging_dir(settings, ctx)
    raw = staging.read_table(folder, staging.RAW)
    data = raw.select([c for c in raw.column_names if not c.startswith("_")])
    source = read_json(folder / staging.SOURCE)
    spec = dataset.classification
    overrides = {
        name: ColumnOverride(category=o.category, grade=o.grade, reason=o.reason)
        for name, o in spec.columns.items()
    }
    flags = [flag for flag, on in (("IMP", spec.important), ("CORE", spec.core)) if on]
    result = classify_table(
        data,
        overrides=overrides,
        comments=source.get("column_comments") or None,
        floor=spec.floor,
        flags=flags,
        logical_date=ctx.logical_date,
        settings=rule_settings(dataset),
    )
    result = _scale(settings, dataset, ctx, data, result)
    drifts = detect_drift(
        _previous_classification(settings, dataset), result, confirmed=set(spec.columns)
    )
    held = [d.message for d in drifts]
    write_json(folder / staging.CLASSIFICATION, result.to_dict())
    write_json(folder / staging.DRIFT, {"held": held})
    for message in held:
        log.warning(
            "classification drift in %s: %s; shared/open publishing is held until the "
            "registry confirms it (classification.columns)",
            dataset.id,
            message,
        )
    log.info("dataset %s graded %s (flags: %s)", dataset.id, result.dataset_grade, result.flags)
    return {
        "dataset_grade": result.dataset_grade,
        "flags": list(result.flags),
        "drift": held,
        "columns": [
            {"name": c.name, "category": c.category, "grade": c.grade} for c in result.columns
        ],
    }


def zones_for(
    dataset: Dataset, classification: DatasetClassification, held: bool = False
) -> list[Zone]:
    """Zones this run publishes to: IMP data, and data held for drift, stay restricted."""
    if "IMP" in classification.flags or held:
        return ["restricted"]
    zones: list[Zone] = ["restricted", "shared"]
    if dataset.open:
        zones.append("open")
    return zones


def _with_lineage(table: pa.Table, ctx: RunContext, sha256: str) -> pa.Table:
    # Multi-file deliveries stage a per-row ``_source_sha256``; single files get it here.
    n = table.num_rows
    # pa.repeat builds the constant columns natively (no Python list of n items).
    table = table.append_column("_run_id", pa.repeat(pa.scalar(ctx.run_id, pa.string()), n))
    if "_source_sha256" not in table.column_names:
        table = table.append_column("_source_sha256", pa.repeat(pa.scalar(sha256, pa.string()), n))
    return table.append_column(
        "_logical_date", pa.repeat(pa.scalar(ctx.logical_date, pa.date32()), n)
    )


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
    drift_path = folder / staging.DRIFT
    held = list(read_json(drift_path).get("held", [])) if drift_path.is_file() else []
    for zone in zones_for(dataset, classification, held=bool(held)):
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
        "held": held,
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
