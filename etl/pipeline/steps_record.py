"""The record step (lineage after success) and the failure record (lineage after a failure)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.model import DatasetClassification
from etl.lake import delta
from etl.lineage import append_rows, read_meta
from etl.lineage.reviews import IMPORTANT, open_holds, review_rows
from etl.registry import Dataset
from etl.runtime import staging
from etl.runtime.context import RunContext, invocation_path, staging_dir
from etl.runtime.records import (
    ExtractResult,
    LoadClaim,
    LoadResult,
    RunStart,
    RunSummary,
    ValidationResult,
    maybe_record,
    read_record,
    write_record,
    write_record_at,
)
from etl.settings import Settings
from etl.validate.scrub import public_kwargs
from etl.zones import QUARANTINE

log = logging.getLogger(__name__)


def pipeline_version() -> str:
    """The installed pubdata version, recorded with every run."""
    try:
        return package_version("pubdata")
    except PackageNotFoundError:
        return "0+unknown"


def _base(dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    return {
        "lineage_run_id": ctx.lineage_run_id,
        "dataset": dataset.id,
        "logical_date": ctx.logical_date,
    }


def _validation_rows(
    dataset: Dataset, ctx: RunContext, validation: ValidationResult
) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [
        {
            **_base(dataset, ctx),
            "suite": validation.suite_name,
            "expectation_type": r.expectation_type,
            "column": r.column,
            "level": r.level,
            "success": r.success,
            "unexpected_count": r.unexpected_count,
            "unexpected_percent": r.unexpected_percent,
            # suite parameters without value sets: a suite may list real values there
            "kwargs": json.dumps(public_kwargs(r.kwargs), ensure_ascii=False),
            "observed": json.dumps(r.observed, ensure_ascii=False, default=str),
            "severity": r.severity,
            "reason": r.reason,
            "error": r.error,
            "recorded_at": now,
        }
        for r in validation.results
    ]


_FINGERPRINT = ("uri", "relative_path", "sha256", "bytes", "encoding", "format", "rows", "kind")


def _source_rows(
    dataset: Dataset, ctx: RunContext, source: ExtractResult, now: datetime
) -> list[dict[str, Any]]:
    """Fingerprints (no values): one row per part read, per duplicate file, per resubmission.

    A part is a file, an HTTP page or a query result.
    """
    base = _base(dataset, ctx)
    rows = [
        {**base, **part.model_dump(include=set(_FINGERPRINT)), "role": "delivery"}
        for part in source.files
    ]
    rows.extend(
        {
            **base,
            **duplicate.model_dump(include=set(_FINGERPRINT)),
            "role": "duplicate",
            "duplicate_of_run": duplicate.of_run,
            "duplicate_of_path": duplicate.of_path,
        }
        for duplicate in source.duplicates
    )
    rows.extend(
        {
            **base,
            **amendment.model_dump(exclude={"amended_rows"}),
            "encoding": "utf-8",
            "format": "csv",
            "kind": "file",
            "role": "resubmission",
            "amended_rows": amendment.amended_rows,
        }
        for amendment in source.amendments
    )
    return [{**row, "recorded_at": now} for row in rows]


def _quarantine_rows(
    folder: Path, dataset: Dataset, ctx: RunContext, now: datetime
) -> list[dict[str, Any]]:
    """Row numbers and reason codes of the quarantined rows (never their values)."""
    present = staging.table_schema(folder, staging.QUARANTINE).names
    wanted = [c for c in ("_source_row", "_reasons", "_source_file") if c in present]
    bad = staging.read_table(folder, staging.QUARANTINE, wanted)  # never the values
    if not bad.num_rows:
        return []
    base = _base(dataset, ctx)
    numbers = bad.column("_source_row").to_pylist()
    reasons = bad.column("_reasons").to_pylist()
    files = (
        bad.column("_source_file").to_pylist()
        if "_source_file" in bad.column_names
        else [None] * len(numbers)
    )
    return [
        {**base, "source_row": n, "reasons": r, "source_file": f, "recorded_at": now}
        for n, r, f in zip(numbers, reasons, files, strict=True)
    ]


def _classification_rows(
    base: dict[str, Any],
    classification: DatasetClassification,
    flags: str,
    source: ExtractResult,
    now: datetime,
) -> list[dict[str, Any]]:
    """One row per column: its grade and the basis of it (the grading record).

    The basis is the category, the evidence (value-free), the rule that lifted the grade,
    and who decided: the detector (dated by ``recorded_at``) or the registry, with the
    reviewer and day a person confirmed the label on.
    """
    comments = source.column_comments
    # _meta keeps the rules' texts (its stored format; RuleHit.from_stored reads them back)
    rules = json.dumps([hit.text for hit in classification.rules], ensure_ascii=False)
    rows = []
    for column in classification.columns:
        rows.append(
            {
                **base,
                "column": column.name,
                "category": column.category,
                "grade": column.grade,
                "confidence": column.confidence,
                "evidence": column.evidence,
                "decided_by": column.decided_by,
                "dataset_grade": classification.dataset_grade,
                "flags": flags,
                "rules": rules,
                "recorded_at": now,
                "lifted_by": column.lifted_by,
                "reviewer": column.reviewer,
                "reviewed": column.reviewed,
                "column_comment": comments.get(column.name) or None,
            }
        )
    return rows


def _schema_change(source: ExtractResult) -> str | None:
    """The run's schema change as JSON (column and type names only), None when there was none."""
    change = source.schema_change
    return json.dumps(change.to_dict(), ensure_ascii=False) if change.changed else None


def _run_identity(dataset: Dataset, ctx: RunContext, started: RunStart | None) -> dict[str, Any]:
    """The columns every ``lineage_runs`` row starts with, whatever the run's outcome."""
    return {
        **_base(dataset, ctx),
        "dag_id": ctx.dag_id,
        "run_id": ctx.run_id,
        "try_number": ctx.try_number,
        "department": dataset.department,
        "domain": dataset.domain,
        "invocation": ctx.invocation,
        "started_at": started.started_at if started else None,
        "pipeline_version": pipeline_version(),
    }


def _summary(settings: Settings, dataset: Dataset, ctx: RunContext, **fields: Any) -> RunSummary:
    """The run's summary, also written where ``pubdata run`` looks for it (its invocation)."""
    summary = RunSummary(
        dataset=dataset.id,
        dag_id=ctx.dag_id,
        run_id=ctx.run_id,
        logical_date=ctx.logical_date,
        **fields,
    )
    if ctx.invocation:
        write_record_at(invocation_path(settings, ctx.invocation), summary)
    return summary


#: ``lineage_runs.status`` a later run of the same date gives a load that recorded no outcome.
SUPERSEDED = "superseded"
#: Commits of a table searched for those of an unfinished load (newest first).
HISTORY_COMMITS = 500


def record_loading(
    settings: Settings, dataset: Dataset, ctx: RunContext, generation: int, tables: dict[str, str]
) -> None:
    """Record in ``_meta.loads`` that the run's load begins, before any table is committed.

    Until the run records its outcome in ``lineage_runs`` (same generation), this row tells
    readers that the date is being replaced, or that the load was killed: the next successful
    run of the date then records it as ``superseded``.
    """
    write_record(staging_dir(settings, ctx), LoadClaim(generation=generation))
    row = {
        "lineage_run_id": ctx.lineage_run_id,
        "dag_id": ctx.dag_id,
        "run_id": ctx.run_id,
        "try_number": ctx.try_number,
        "dataset": dataset.id,
        "logical_date": ctx.logical_date,
        "generation": generation,
        "tables": json.dumps(tables),
        "started_at": datetime.now(UTC),
    }
    append_rows(settings.lake, "loads", [row], (f"{ctx.lineage_run_id}/loading", generation))


def _superseded(
    settings: Settings, dataset: Dataset, ctx: RunContext, loaded: LoadResult, now: datetime
) -> list[dict[str, Any]]:
    """``superseded`` rows for earlier loads of this date that recorded no outcome.

    Such a load was killed (or is still running behind this run, which has replaced the date
    under it). Each table commit it made, found by its run id in the commit metadata, gets its
    row, so no commit of a zone table is left without a lineage record.
    """
    day_filter = pa.scalar(ctx.logical_date, pa.date32())
    loads = read_meta(settings.lake, "loads")
    loads = loads.filter(
        pc.and_(pc.equal(loads["dataset"], dataset.id), pc.equal(loads["logical_date"], day_filter))
    )
    ours = loaded.generation
    candidates = [
        row
        for row in loads.to_pylist()
        # a later claim may still overtake this run: only earlier (or equal, lost) ones
        if int(row["generation"]) <= ours
        and (row["lineage_run_id"], row["generation"]) != (ctx.lineage_run_id, ours)
    ]
    if not candidates:
        return []
    runs = read_meta(settings.lake, "lineage_runs")
    outcomes: dict[tuple[str, int], set[str]] = {}
    for r in (
        runs.filter(pc.equal(runs["dataset"], dataset.id))
        .select(["lineage_run_id", "generation", "status"])
        .to_pylist()
    ):
        outcomes.setdefault((r["lineage_run_id"], r["generation"]), set()).add(r["status"])
    # a load that recorded success (or was recorded superseded) is accounted for; a failed
    # one is too unless it committed tables before it failed (overtaken after its first)
    unfinished = [
        (r, outcomes.get((r["lineage_run_id"], r["generation"]), set()))
        for r in candidates
        if not outcomes.get((r["lineage_run_id"], r["generation"]), set()) & {"success", SUPERSEDED}
    ]
    if not unfinished:
        return []
    day = ctx.logical_date.isoformat()
    commits = {name: delta.history(uri, HISTORY_COMMITS) for name, uri in loaded.tables.items()}
    rows: list[dict[str, Any]] = []
    for load, recorded in unfinished:
        outcome = {
            "lineage_run_id": load["lineage_run_id"],
            "dag_id": load["dag_id"],
            "run_id": load["run_id"],
            "try_number": load["try_number"],
            "logical_date": ctx.logical_date,
            "dataset": dataset.id,
            "department": dataset.department,
            "domain": dataset.domain,
            "status": SUPERSEDED,
            "error_stage": "load",
            "error_message": f"its commits of {day} were replaced by run {ctx.run_id}"
            + ("" if recorded else "; it stopped before recording an outcome"),
            "started_at": load["started_at"],
            "finished_at": now,
            "generation": load["generation"],
            "pipeline_version": pipeline_version(),
        }
        found = [
            {"zone": name, "table_uri": loaded.tables[name], "delta_version": c["version"]}
            for name, entries in commits.items()
            for c in entries
            if c.get("pubdata.run_id") == load["run_id"]
            and c.get("pubdata.logical_date") == day
            and c.get("pubdata.generation") == str(load["generation"])
        ]
        if found or not recorded:
            rows.extend({**outcome, **f} for f in found or [{}])
    return rows


def record(settings: Settings, dataset: Dataset, ctx: RunContext) -> RunSummary:
    """Write lineage rows for a successful run and return its scrubbed summary."""
    folder = staging_dir(settings, ctx)
    source = read_record(folder, ExtractResult)
    validation = read_record(folder, ValidationResult)
    classification = read_record(folder, DatasetClassification)
    loaded = read_record(folder, LoadResult)
    started = maybe_record(folder, RunStart)
    now = datetime.now(UTC)
    base = _base(dataset, ctx)
    rows_in = validation.rows_in
    held = list(loaded.held)
    withheld = loaded.withheld
    # DRIFT marks a run whose shared/open publishing was held: it is not the next baseline;
    # WITHHELD a run that kept columns the guard found personal values in out of shared/open
    flag_list = [
        *classification.flags,
        *(["DRIFT"] if held else []),
        *(["WITHHELD"] if withheld else []),
    ]
    flags = ",".join(flag_list)
    # Every append is made once per claim: a record step killed half-way and run again (an
    # Airflow retry) adds what is missing and doubles nothing. lineage_runs comes last, so a
    # ``success`` row exists only once everything else of the run is recorded.
    once = (f"{ctx.lineage_run_id}/record", loaded.generation)
    lake = settings.lake
    append_rows(lake, "source_files", _source_rows(dataset, ctx, source, now), once)
    append_rows(lake, "quarantine_rows", _quarantine_rows(folder, dataset, ctx, now), once)
    append_rows(lake, "validation_results", _validation_rows(dataset, ctx, validation), once)
    append_rows(
        lake,
        "classifications",
        _classification_rows(base, classification, flags, source, now),
        once,
    )
    append_rows(
        lake,
        "column_lineage",
        [{**base, **c.to_dict(), "recorded_at": now} for c in loaded.column_lineage],
        once,
    )
    append_rows(
        lake,
        "reviews",
        review_rows(
            lineage_run_id=ctx.lineage_run_id,
            dataset=dataset.id,
            logical_date=ctx.logical_date,
            classification=classification,
            held=held,
            registry_important=dataset.classification.important,
            now=now,
            withheld=withheld,
            important_pending="IMP" not in flag_list
            and any(h.kind == IMPORTANT for h in open_holds(lake, dataset.id)),
        ),
        once,
    )
    runs = [
        {
            **_run_identity(dataset, ctx, started),
            "zone": zone,
            "table_uri": uri,
            "delta_version": loaded.versions.get(zone),
            "rows_in": rows_in,
            "rows_loaded": loaded.rows_loaded,
            "rows_quarantined": loaded.rows_quarantined,
            "dataset_grade": classification.dataset_grade,
            "flags": flags,
            "source_sha256": source.delivery.sha256,
            "suite": validation.suite_name,
            "suite_success": validation.table_success,
            "status": "success",
            "schema_change": _schema_change(source),
            "finished_at": now,
            "generation": loaded.generation,
        }
        for zone, uri in loaded.tables.items()
    ]
    superseded = _superseded(settings, dataset, ctx, loaded, now)
    append_rows(lake, "lineage_runs", [*superseded, *runs], once)
    summary = _summary(
        settings,
        dataset,
        ctx,
        status="success",
        rows_in=rows_in,
        rows_loaded=loaded.rows_loaded,
        rows_quarantined=loaded.rows_quarantined,
        dataset_grade=classification.dataset_grade,
        flags=tuple(flag_list),
        held=tuple(held),
        withheld=withheld,
        tables={z: u for z, u in loaded.tables.items() if z != QUARANTINE},
        quarantine_table=loaded.tables.get(QUARANTINE),
        versions=loaded.versions,
        source_sha256=source.delivery.sha256,
        source_files=len(source.files),
        duplicates=tuple(d.relative_path for d in source.duplicates),
        schema_change=source.schema_change.warnings,
    )
    # recorded: the delivered values staged for the run are not kept (reasons and counts are)
    staging.drop_values(folder)
    return summary


def record_failure(
    settings: Settings, dataset: Dataset, ctx: RunContext, stage: str, message: str
) -> RunSummary:
    """Record a failed run: a ``lineage_runs`` row with the stage and the one-line reason.

    ``message`` must already be scrubbed (pubdata errors never carry data values; other
    exceptions are reduced to their type by the caller).
    """
    folder = staging_dir(settings, ctx)
    source = maybe_record(folder, ExtractResult)
    validation = maybe_record(folder, ValidationResult)
    started = maybe_record(folder, RunStart)
    claim = maybe_record(folder, LoadClaim)  # the load began: its claim's generation
    if validation is not None:
        append_rows(settings.lake, "validation_results", _validation_rows(dataset, ctx, validation))
    rows_in = validation.rows_in if validation else source.rows_in if source else None
    row = {
        **_run_identity(dataset, ctx, started),
        "rows_in": rows_in,
        "source_sha256": source.delivery.sha256 if source else None,
        "suite": validation.suite_name if validation else None,
        "suite_success": validation.table_success if validation else None,
        "status": "failed",
        "error_stage": stage,
        "error_message": message,
        "finished_at": datetime.now(UTC),
        "generation": claim.generation if claim else None,
    }
    append_rows(settings.lake, "lineage_runs", [row])
    summary = _summary(
        settings, dataset, ctx, status="failed", stage=stage, error=message, rows_in=rows_in
    )
    log.info("recorded failure of %s at stage %s", dataset.id, stage)
    return summary


def record_duplicate(
    settings: Settings, dataset: Dataset, ctx: RunContext, message: str
) -> RunSummary:
    """Record a run skipped because every delivered file was already loaded.

    ``_meta.source_files`` gets the duplicate files (``role = duplicate``) and ``lineage_runs``
    a ``skipped`` row with nothing loaded; ``message`` names what the files duplicate.
    """
    folder = staging_dir(settings, ctx)
    source = read_record(folder, ExtractResult)  # extract writes it before it skips the run
    started = maybe_record(folder, RunStart)
    now = datetime.now(UTC)
    append_rows(settings.lake, "source_files", _source_rows(dataset, ctx, source, now))
    row = {
        **_run_identity(dataset, ctx, started),
        "rows_in": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "source_sha256": source.delivery.sha256,
        "status": "skipped",
        "error_stage": "extract",
        "error_message": message,
        "finished_at": now,
    }
    append_rows(settings.lake, "lineage_runs", [row])
    summary = _summary(
        settings,
        dataset,
        ctx,
        status="skipped",
        stage="extract",
        error=message,
        rows_in=0,
        rows_loaded=0,
        rows_quarantined=0,
        duplicates=tuple(d.relative_path for d in source.duplicates),
    )
    log.info("recorded %s as skipped: duplicate delivery", dataset.id)
    return summary
