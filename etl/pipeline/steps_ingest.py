"""The extract and validate steps."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, PolicyError, ValidationFailed
from etl.extract import cast_columns, read_source, resolve_source_path
from etl.pipeline import amend, staging
from etl.pipeline.context import RunContext, read_json, staging_dir, write_json
from etl.registry import Dataset
from etl.settings import Settings
from etl.validate import SuiteSpec, baseline_suite, load_suite, validate_table

log = logging.getLogger(__name__)

SOURCE_ROW = "_source_row"
REASONS = "_reasons"


def extract(settings: Settings, dataset: Dataset, ctx: RunContext) -> dict[str, Any]:
    """Read the delivered source into staging, fingerprint it and apply declared types.

    Stored resubmissions of quarantined rows for this date are applied before the types
    (:mod:`etl.pipeline.amend`).

    Raises:
        PolicyError: the dataset is CORE, or its path escapes the landing zone.
        SourceNotReady: the file for this logical date has not been delivered.
        DataError: the file cannot be read as declared.
    """
    if dataset.classification.core:
        raise PolicyError(
            f"dataset {dataset.id} is flagged CORE (核心数据): runs are refused before any write"
        )
    folder = staging_dir(settings, ctx)
    write_json(folder / staging.RUN, {"started_at": datetime.now(UTC).isoformat()})
    path = resolve_source_path(settings.landing, dataset.source.path, ctx.logical_date)
    raw, fingerprint = read_source(path, dataset.source, landing=settings.landing)
    raw, amendments = amend.apply(settings, dataset.id, ctx.logical_date, raw)
    rows = pa.array(range(1, raw.num_rows + 1), type=pa.int64())
    cast = cast_columns(raw, dataset.columns, source_name=fingerprint.relative_path)
    staging.write_table(folder, staging.RAW, raw.append_column(SOURCE_ROW, rows))
    typed = cast.table.append_column(SOURCE_ROW, rows).append_column(
        "__cast_reasons", cast.row_reasons
    )
    staging.write_table(folder, staging.TYPED, typed)
    write_json(folder / staging.SOURCE, {**fingerprint.to_dict(), "amendments": amendments})
    cast_failed = int(pc.sum(cast.failed_rows).as_py() or 0)
    log.info(
        "extracted %d rows from %s (sha256 %s); %d rows failed type casting",
        raw.num_rows,
        fingerprint.relative_path,
        fingerprint.sha256[:12],
        cast_failed,
    )
    return {
        "rows_in": raw.num_rows,
        "rows_cast_failed": cast_failed,
        "source_sha256": fingerprint.sha256,
        "source": fingerprint.relative_path,
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
    write_json(folder / staging.VALIDATION, outcome.to_dict())
    if not outcome.table_success:
        first = outcome.table_failures[0]
        target = f"({first.column})" if first.column else ""
        raise ValidationFailed(
            f"dataset {dataset.id}: table-level expectation {first.expectation_type}{target} "
            f"failed in suite {outcome.suite_name}; nothing was published"
        )
    failed = pc.or_(pc.invert(pc.is_null(cast_reasons)), outcome.failed_rows)
    reasons = _join_reasons(cast_reasons, outcome.row_reasons)
    rows_in = data.num_rows
    quarantined = int(pc.sum(failed).as_py() or 0)
    limit = dataset.quality.max_quarantine_share
    if rows_in and quarantined / rows_in > limit:
        raise ValidationFailed(
            f"dataset {dataset.id}: {quarantined} of {rows_in} rows failed validation "
            f"({quarantined / rows_in:.1%}), above the dataset's limit of {limit:.0%}; "
            "nothing was published"
        )
    staging.write_table(folder, staging.VALID, data.filter(pc.invert(failed)))
    bad = raw.filter(failed).append_column(REASONS, reasons.filter(failed))
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
