"""The extract and validate steps.

Rows and counts (``rows_in = rows_loaded + rows_quarantined`` holds for every run):

* every delivered row of every loaded file, page or query result is counted in ``rows_in``;
  ragged rows (too few or too many fields) are counted too and go to the quarantine table
  (restricted zone) with their line number and raw text, reason ``ragged:<found>/<expected>``;
* a file whose bytes were already loaded for another logical date (same sha256), or that
  repeats another file of the same delivery, is a *duplicate*: its rows are neither loaded nor
  counted in ``rows_in``; it is recorded in ``_meta.source_files`` with ``role = duplicate``
  (and what it duplicates). When every file is a duplicate the run is skipped
  (:class:`~etl.errors.DuplicateDelivery`) and recorded as ``skipped``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DuplicateDelivery, PolicyError, ValidationFailed
from etl.extract import (
    ConnectionResolver,
    Duplicate,
    EnvConnections,
    Extracted,
    PreviousDelivery,
    SourceFingerprint,
    cast_columns,
    compare_schema,
    duplicate_deliveries,
    extract_source,
)
from etl.extract.paths import fill_template
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.lineage import read_meta
from etl.pipeline import amend, staging
from etl.pipeline.context import RunContext, read_json, staging_dir, write_json
from etl.registry import Dataset
from etl.registry.sources import FileSource
from etl.settings import Settings
from etl.validate import SuiteSpec, baseline_suite, load_suite, validate_table

log = logging.getLogger(__name__)

SOURCE_FILE = "_source_file"
SOURCE_SHA256 = "_source_sha256"
SOURCE_ROW = "_source_row"
REASONS = "_reasons"
PROVENANCE = (SOURCE_FILE, SOURCE_SHA256, SOURCE_ROW)


def _previous_deliveries(settings: Settings, dataset: Dataset) -> list[PreviousDelivery]:
    """Deliveries earlier successful runs of this dataset loaded (``_meta.source_files``)."""
    files = read_meta(settings.lake, "source_files")
    if not files.num_rows:
        return []
    mine = files.filter(pc.equal(files.column("dataset"), dataset.id))
    return [p for row in mine.to_pylist() if (p := PreviousDelivery.from_row(row)) is not None]


def _previous_schema(settings: Settings, dataset: Dataset) -> pa.Schema | None:
    """The restricted zone table's current schema (None before the first load)."""
    uri = zone_table_uri(settings.lake, "restricted", dataset.domain, dataset.id)
    return delta.schema(uri) if delta.table_exists(uri) else None


def _label(dataset: Dataset, ctx: RunContext, fingerprints: list[SourceFingerprint]) -> str:
    """How the run's source is named in messages and lineage (no credentials)."""
    if len(fingerprints) == 1:
        return fingerprints[0].relative_path
    if isinstance(dataset.source, FileSource):
        return fill_template(dataset.source.path, ctx.logical_date)
    first = fingerprints[0].relative_path if fingerprints else dataset.source.kind
    return first.split("?", 1)[0]


def _delivery(
    settings: Settings, dataset: Dataset, ctx: RunContext, loaded: list[SourceFingerprint]
) -> dict[str, Any]:
    """One fingerprint for the whole delivery (one file: its own; several: a combined one).

    Several parts hash to the sha256 of their ``<relative_path>:<sha256>`` lines, in reading
    order; their URI is the folder holding the files (file sources) or the first page's URL
    without its query.
    """
    if len(loaded) == 1:
        return loaded[0].to_dict()
    if not loaded:
        return {"uri": None, "relative_path": _label(dataset, ctx, loaded), "sha256": None}
    digest = hashlib.sha256(
        "\n".join(f"{f.relative_path}:{f.sha256}" for f in loaded).encode()
    ).hexdigest()
    if loaded[0].kind == "file":
        folders = [str(settings.landing.resolve() / Path(f.relative_path).parent) for f in loaded]
        uri = Path(os.path.commonpath(folders)).as_uri()
    else:
        uri = loaded[0].uri.split("?", 1)[0]
    encodings = {f.encoding for f in loaded}
    return {
        "uri": uri,
        "relative_path": _label(dataset, ctx, loaded),
        "sha256": digest,
        "bytes": sum(f.bytes for f in loaded),
        "encoding": encodings.pop() if len(encodings) == 1 else None,
        "format": loaded[0].format,
        "rows": sum(f.rows for f in loaded),
        "kind": loaded[0].kind,
    }


def _duplicate_dict(duplicate: Duplicate, fingerprint: SourceFingerprint) -> dict[str, Any]:
    return {
        **fingerprint.to_dict(),
        "of_run": duplicate.of_run,
        "of_logical_date": (
            duplicate.of_logical_date.isoformat() if duplicate.of_logical_date else None
        ),
        "of_path": duplicate.of_path,
        "message": duplicate.message,
    }


def _without_duplicates(
    extracted: Extracted, duplicated: list[int]
) -> tuple[pa.Table, dict[str, pa.Array], pa.Table]:
    """The data, its provenance and its ragged rows, without the duplicated files' rows."""
    data_columns = [c for c in extracted.table.column_names if not c.startswith("_")]
    table = extracted.table.select(data_columns)
    provenance = extracted.provenance()
    rejected = extracted.quarantine_rows(data_columns)
    if duplicated:
        keep = pc.invert(
            pc.is_in(extracted.source_index, value_set=pa.array(duplicated, pa.int32()))
        )
        table = table.filter(keep)
        provenance = {k: v.filter(keep) for k, v in provenance.items()}
        paths = pa.array([extracted.fingerprints[i].relative_path for i in duplicated])
        rejected = rejected.filter(
            pc.invert(pc.is_in(rejected.column(SOURCE_FILE), value_set=paths))
        )
    return table, provenance, rejected


def extract(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    connections: ConnectionResolver | None = None,
) -> dict[str, Any]:
    """Read what the source delivered into staging, fingerprint it and apply declared types.

    Any source kind (landing-zone files and globs, databases, HTTP APIs) goes through
    :func:`etl.extract.extract_source`. Stored resubmissions of quarantined rows for this date
    are applied before the types (:mod:`etl.pipeline.amend`). The typed columns are compared
    with the restricted table's current schema: an added column is a warning (recorded in
    ``source.json`` and lineage), a removed or retyped one stops the run unless declared.

    Args:
        settings: locations; its ``AIRFLOW_CONN_*`` values resolve connections when
            ``connections`` is None.
        dataset: the registry entry.
        ctx: the run (its data interval bounds incremental reads).
        connections: resolves ``conn_id`` of sql and http sources (the DAG passes one over
            Airflow's connections).

    Raises:
        PolicyError: the dataset is CORE, or its path escapes the landing zone.
        SourceNotReady: the file(s) for this logical date have not been delivered.
        DuplicateDelivery: every delivered file was already loaded (the run is skipped).
        ConfigError: a bad connection, table or column.
        TransientError: the database or API could not be reached.
        DataError: the source cannot be read as declared.
        ValidationFailed: a column disappeared or changed type without a declaration.
    """
    if dataset.classification.core:
        raise PolicyError(
            f"dataset {dataset.id} is flagged CORE (核心数据): runs are refused before any write"
        )
    folder = staging_dir(settings, ctx)
    for name in (staging.REJECTED, staging.SOURCE):
        (folder / name).unlink(missing_ok=True)
    write_json(folder / staging.RUN, {"started_at": datetime.now(UTC).isoformat()})
    extracted = extract_source(
        dataset.source,
        landing=settings.landing,
        logical_date=ctx.logical_date,
        interval=ctx.data_interval,
        connections=connections or EnvConnections(settings.connections),
        normalize=dataset.normalize,
    )
    fingerprints = list(extracted.fingerprints)
    duplicates = duplicate_deliveries(
        fingerprints,
        logical_date=ctx.logical_date,
        previous=_previous_deliveries(settings, dataset),
        run_id=ctx.lineage_run_id,
    )
    by_path = {d.relative_path: d for d in duplicates}
    duplicated = [
        i for i, f in enumerate(fingerprints) if f.kind == "file" and f.relative_path in by_path
    ]
    loaded = [f for i, f in enumerate(fingerprints) if i not in set(duplicated)]
    source: dict[str, Any] = {
        **_delivery(settings, dataset, ctx, loaded),
        "label": _label(dataset, ctx, fingerprints),
        "files": [f.to_dict() for f in loaded],
        "duplicates": [
            _duplicate_dict(by_path[fingerprints[i].relative_path], fingerprints[i])
            for i in duplicated
        ],
        "column_comments": dict(extracted.column_comments),
    }
    for duplicate in duplicates:
        log.warning("duplicate delivery: %s; its rows are not loaded again", duplicate.message)
    if not loaded:
        write_json(folder / staging.SOURCE, {**source, "rows_in": 0, "amendments": []})
        raise DuplicateDelivery(
            f"dataset {dataset.id}: every delivered file was already loaded"
            f" ({duplicates[0].message}); nothing to do"
        )
    data, provenance, rejected = _without_duplicates(extracted, duplicated)
    data, amendments = amend.apply(
        settings,
        dataset.id,
        ctx.logical_date,
        data,
        files=provenance[SOURCE_FILE] if len(fingerprints) > 1 else None,
        rows=provenance[SOURCE_ROW],
    )
    cast = cast_columns(
        data, dataset.columns, source_name=source["label"], normalize=dataset.normalize
    )
    change = compare_schema(
        _previous_schema(settings, dataset), cast.table.schema, dataset.schema_changes
    )
    change.raise_for_errors(dataset.id)
    for warning in change.warnings:
        log.warning("dataset %s: %s", dataset.id, warning)
    raw = data
    typed = cast.table
    for name in PROVENANCE:
        raw = raw.append_column(name, provenance[name])
        typed = typed.append_column(name, provenance[name])
    staging.write_table(folder, staging.RAW, raw)
    staging.write_table(
        folder, staging.TYPED, typed.append_column("__cast_reasons", cast.row_reasons)
    )
    staging.write_table(folder, staging.REJECTED, rejected)
    rows_in = data.num_rows + rejected.num_rows
    schema_change = {**change.to_dict(), "warnings": change.warnings}
    write_json(
        folder / staging.SOURCE,
        {
            **source,
            "rows_in": rows_in,
            "rows_rejected": rejected.num_rows,
            "schema_change": schema_change,
            "amendments": amendments,
        },
    )
    cast_failed = int(pc.sum(cast.failed_rows).as_py() or 0)
    log.info(
        "extracted %d rows from %s (%d part(s), %d duplicate(s), sha256 %s); %d ragged rows,"
        " %d rows failed type casting",
        rows_in,
        source["label"],
        len(loaded),
        len(duplicated),
        str(source["sha256"])[:12],
        rejected.num_rows,
        cast_failed,
    )
    return {
        "rows_in": rows_in,
        "rows_rejected": rejected.num_rows,
        "rows_cast_failed": cast_failed,
        "source_sha256": source["sha256"],
        "source": source["label"],
        "files": len(loaded),
        "duplicates": [d["relative_path"] for d in source["duplicates"]],
        "schema_change": change.warnings,
        "resubmissions": len(amendments),
    }


def suite_for(settings: Settings, dataset: Dataset, columns: list[str]) -> SuiteSpec:
    """The dataset's suite: the named one, ``<id>.json`` if present, else the baseline."""
    if dataset.expectations:
        path = settings.expectations / f"{dataset.expectations}.json"
        if not path.is_file():
            raise ConfigError(
                f"dataset {dataset.id}: expectation suite {dataset.expectations!r} not found "
                f"at {path}"
            )
        return load_suite(path)
    default = settings.expectations / f"{dataset.id}.json"
    if default.is_file():
        return load_suite(default)
    return baseline_suite(columns)


def _join_reasons(a: pa.Array, b: pa.Array) -> pa.Array:
    # binary_join_element_wise(null_handling="skip") drops all-null rows in pyarrow 26; emit_null
    # (the default) keeps the length, and the one-sided cases are picked explicitly.
    both = pc.binary_join_element_wise(a, b, ";")
    return pc.if_else(pc.is_null(a), b, pc.if_else(pc.is_null(b), a, both))


def _rejected(folder: Path) -> pa.Table:
    """The ragged rows extract set aside (none when an older staging folder has no file)."""
    path = folder / staging.REJECTED
    return staging.read_table(folder, staging.REJECTED) if path.is_file() else pa.table({})


def validate(settings: Settings, dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    """Run the dataset's suite; split rows into valid and quarantined.

    Table-level failures and a quarantine share above the dataset's limit raise
    :class:`ValidationFailed` before anything is published.
    """
    folder = staging_dir(settings, ctx)
    typed = staging.read_table(folder, staging.TYPED)
    raw = staging.read_table(folder, staging.RAW)
    cast_reasons = typed.column("__cast_reasons").combine_chunks()
    data = typed.drop_columns(["__cast_reasons"])
    columns = [c for c in data.column_names if not c.startswith("_")]
    suite = suite_for(settings, dataset, columns)
    outcome = validate_table(data.select(columns), suite)
    rejected = _rejected(folder)
    rows_rejected = rejected.num_rows
    write_json(
        folder / staging.VALIDATION,
        {
            **outcome.to_dict(),
            # every delivered row: validated ones plus ragged rows quarantined by extract
            "rows_in": outcome.rows_in + rows_rejected,
            "rows_validated": outcome.rows_in,
            "rows_rejected": rows_rejected,
        },
    )
    if not outcome.table_success:
        first = outcome.table_failures[0]
        target = f"({first.column})" if first.column else ""
        raise ValidationFailed(
            f"dataset {dataset.id}: table-level expectation {first.expectation_type}{target} "
            f"failed in suite {outcome.suite_name}; nothing was published"
        )
    failed = pc.or_(pc.invert(pc.is_null(cast_reasons)), outcome.failed_rows)
    reasons = _join_reasons(cast_reasons, outcome.row_reasons)
    rows_in = data.num_rows + rejected.num_rows
    quarantined = int(pc.sum(failed).as_py() or 0) + rejected.num_rows
    limit = dataset.quality.max_quarantine_share
    if rows_in and quarantined / rows_in > limit:
        raise ValidationFailed(
            f"dataset {dataset.id}: {quarantined} of {rows_in} rows failed validation "
            f"({quarantined / rows_in:.1%}), above the dataset's limit of {limit:.0%}; "
            "nothing was published"
        )
    staging.write_table(folder, staging.VALID, data.filter(pc.invert(failed)))
    bad = raw.filter(failed).append_column(REASONS, reasons.filter(failed))
    if rejected.num_rows:
        bad = pa.concat_tables([bad, rejected], promote_options="default")
    staging.write_table(folder, staging.QUARANTINE, bad)
    log.info(
        "validated %d rows with suite %s: %d valid, %d quarantined",
        rows_in,
        outcome.suite_name,
        rows_in - quarantined,
        quarantined,
    )
    return {
        "suite": outcome.suite_name,
        "rows_in": rows_in,
        "rows_valid": rows_in - quarantined,
        "rows_quarantined": quarantined,
        "expectations_failed": sum(1 for r in outcome.results if not r.success),
        "warnings": len(outcome.warnings),
    }


def load_validation(settings: Settings, ctx: RunContext) -> dict[str, Any] | None:
    """The staged, scrubbed validation outcome of a run, if validation got that far."""
    path = staging_dir(settings, ctx) / staging.VALIDATION
    return dict(read_json(path)) if path.is_file() else None
