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

import contextlib
import functools
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
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
)
from etl.extract.api import normalized_comments, read_part
from etl.extract.cast import CastResult
from etl.extract.normalize import normalize_headers
from etl.extract.parts import (
    REASONS,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHA256,
    as_quarantine_rows,
    combine,
    rejected_table,
)
from etl.extract.paths import fill_template
from etl.extract.schema_change import SchemaChange
from etl.extract.sources import Batch, ReadRequest, SourcePart, open_source
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.lineage import read_meta
from etl.pipeline import amend
from etl.pipeline.overlap import WriteBehind, ordered_map, read_ahead
from etl.pipeline.repeat import repeated
from etl.registry import Dataset
from etl.registry.sources import FileSource, Source
from etl.runtime import staging
from etl.runtime.context import RunContext, staging_dir
from etl.runtime.records import (
    Amendment,
    Delivery,
    DuplicateFile,
    ExtractResult,
    Fingerprint,
    RunStart,
    SchemaChangeRecord,
    ValidationResult,
    write_record,
)
from etl.settings import Settings
from etl.validate import SuiteSpec, baseline_suite, load_suite, validate_table
from etl.validate.batches import BatchValidation, duplicate_positions
from etl.validate.causes import FailureCauses
from etl.validate.outcome import ValidationOutcome
from etl.zones import Zone

log = logging.getLogger(__name__)

#: A staged (typed, raw) batch pair with its failed-row mask and reasons.
Checked = tuple[tuple[pa.Table, pa.Table], pa.Array, pa.Array]

PROVENANCE = (SOURCE_FILE, SOURCE_SHA256, SOURCE_ROW)
#: A query result's batches while it is read (its hash is known only at the end).
_SPOOL = "extract-spool.arrow"


def _previous_deliveries(settings: Settings, dataset: Dataset) -> list[PreviousDelivery]:
    """Deliveries earlier successful runs of this dataset loaded (``_meta.source_files``)."""
    files = read_meta(settings.lake, "source_files")
    if not files.num_rows:
        return []
    mine = files.filter(pc.equal(files.column("dataset"), dataset.id))
    return [p for row in mine.to_pylist() if (p := PreviousDelivery.from_row(row)) is not None]


def _previous_schema(settings: Settings, dataset: Dataset) -> pa.Schema | None:
    """The restricted zone table's current schema (None before the first load)."""
    uri = zone_table_uri(settings, Zone.RESTRICTED, dataset.domain, dataset.id)
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
) -> Delivery:
    """One fingerprint for the whole delivery (one file: its own; several: a combined one).

    Several parts hash to the sha256 of their ``<relative_path>:<sha256>`` lines, in reading
    order; their URI is the folder holding the files (file sources) or the first page's URL
    without its query.
    """
    if len(loaded) == 1:
        return Delivery.model_validate(loaded[0].to_dict())
    if not loaded:
        return Delivery(uri=None, relative_path=_label(dataset, ctx, loaded), sha256=None)
    digest = hashlib.sha256(
        "\n".join(f"{f.relative_path}:{f.sha256}" for f in loaded).encode()
    ).hexdigest()
    if loaded[0].kind == "file":
        folders = [str(settings.landing.resolve() / Path(f.relative_path).parent) for f in loaded]
        uri = Path(os.path.commonpath(folders)).as_uri()
    else:
        uri = loaded[0].uri.split("?", 1)[0]
    encodings = {f.encoding for f in loaded}
    return Delivery(
        uri=uri,
        relative_path=_label(dataset, ctx, loaded),
        sha256=digest,
        bytes=sum(f.bytes for f in loaded),
        encoding=encodings.pop() if len(encodings) == 1 else None,
        format=loaded[0].format,
        rows=sum(f.rows for f in loaded),
        kind=loaded[0].kind,
    )


def _duplicate_file(duplicate: Duplicate, fingerprint: SourceFingerprint) -> DuplicateFile:
    return DuplicateFile(
        **fingerprint.to_dict(),
        of_run=duplicate.of_run,
        of_logical_date=duplicate.of_logical_date,
        of_path=duplicate.of_path,
        message=duplicate.message,
    )


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
) -> ExtractResult:
    """Read what the source delivered into staging, fingerprint it and apply declared types.

    Any source kind (landing-zone files and globs, databases, HTTP APIs) is opened through the
    source-kind registry (:func:`etl.extract.sources.open_source`) and staged batch by batch as
    its parts are read; parts whose headers differ, and dates with stored resubmissions, are
    combined in memory first. Stored resubmissions of quarantined rows for this date
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
    for name in (staging.REJECTED, ExtractResult.FILE):
        (folder / name).unlink(missing_ok=True)
    write_record(folder, RunStart(started_at=datetime.now(UTC)))
    request = ReadRequest(
        landing=settings.landing,
        logical_date=ctx.logical_date,
        interval=ctx.data_interval,
        connections=connections or EnvConnections(settings.connections),
        limits=settings.limits,
        batch_rows=settings.batch_rows,
        timezone=settings.timezone,
    )
    parts = _open_parts(dataset.source, request)
    try:
        return _extract_parts(settings, dataset, ctx, folder, parts)
    finally:
        for part in parts:
            part.close()


def _extract_parts(
    settings: Settings, dataset: Dataset, ctx: RunContext, folder: Path, parts: list[SourcePart]
) -> ExtractResult:
    """Stage the opened parts of a run (see :func:`extract`)."""
    fingerprints = [part.describe() for part in parts]
    comments: dict[str, str] = {}
    for part in parts:
        for name, text in normalized_comments(part, dataset.normalize).items():
            comments.setdefault(name, text)
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
    duplicate_files = tuple(
        _duplicate_file(by_path[fingerprints[i].relative_path], fingerprints[i]) for i in duplicated
    )
    for duplicate in duplicates:
        log.warning("duplicate delivery: %s; its rows are not loaded again", duplicate.message)
    if len(duplicated) == len(fingerprints):
        skipped = ExtractResult(
            delivery=_delivery(settings, dataset, ctx, []),
            label=_label(dataset, ctx, fingerprints),
            files=(),
            duplicates=duplicate_files,
            column_comments=comments,
            rows_in=0,
        )
        write_record(folder, skipped)
        raise DuplicateDelivery(
            f"dataset {dataset.id}: every delivered file was already loaded"
            f" ({duplicates[0].message}); nothing to do"
        )
    label = _label(dataset, ctx, fingerprints)
    writer = _StagingWriter(settings, dataset, folder, label)
    try:
        if _streams(settings, dataset, ctx, parts):
            wanted = [part for i, part in enumerate(parts) if i not in set(duplicated)]
            # batches are cast two at a time (Arrow kernels), while the next ones are read
            casts = ordered_map(
                lambda batch: (batch, writer.cast(batch[1])),
                read_ahead(_batches(wanted, dataset, folder)),
                settings.workers,
            )
            for (part, table, rows), cast in casts:
                writer.add(table, _constant_provenance(part.describe(), rows), cast)
            loaded = [part.describe() for part in wanted]
            rejected = _rejected_rows(wanted, writer.data_columns)
            amendments: list[Amendment] = []
        else:
            extracted = combine([read_part(part, dataset.normalize) for part in parts])
            data, provenance, rejected = _without_duplicates(extracted, duplicated)
            data, amendments = amend.apply(
                settings,
                dataset.id,
                ctx.logical_date,
                data,
                files=provenance[SOURCE_FILE] if len(fingerprints) > 1 else None,
                rows=provenance[SOURCE_ROW],
            )
            for offset in range(0, max(data.num_rows, 1), settings.batch_rows):
                size = min(settings.batch_rows, data.num_rows - offset)
                writer.add(
                    data.slice(offset, size),
                    {k: v.slice(offset, size) for k, v in provenance.items()},
                )
            read = extracted.fingerprints
            loaded = [f for i, f in enumerate(read) if i not in set(duplicated)]
            # the fingerprints of files read whole (their row counts are known now)
            duplicate_files = tuple(
                _duplicate_file(by_path[read[i].relative_path], read[i]) for i in duplicated
            )
        writer.close(rejected)
    except BaseException:
        writer.abort()
        raise
    change = writer.change
    source = ExtractResult(
        delivery=_delivery(settings, dataset, ctx, loaded),
        label=label,
        files=tuple(Fingerprint.model_validate(f.to_dict()) for f in loaded),
        duplicates=duplicate_files,
        column_comments=comments,
        rows_in=writer.rows + rejected.num_rows,
        rows_rejected=rejected.num_rows,
        rows_cast_failed=writer.cast_failed,
        schema_change=SchemaChangeRecord(**change.to_dict(), warnings=tuple(change.warnings)),
        amendments=tuple(amendments),
    )
    write_record(folder, source)
    log.info(
        "extracted %d rows from %s (%d part(s), %d duplicate(s), sha256 %s); %d ragged rows,"
        " %d rows failed type casting",
        source.rows_in,
        source.label,
        len(loaded),
        len(duplicated),
        str(source.delivery.sha256)[:12],
        rejected.num_rows,
        writer.cast_failed,
    )
    return source


def _open_parts(source: Source, request: ReadRequest) -> list[SourcePart]:
    """Open every part of the run's source (no rows read where the kind streams)."""
    parts: list[SourcePart] = []
    try:
        parts.extend(open_source(source, request))
    except BaseException:
        for part in parts:
            part.close()
        raise
    return parts


def _header(part: SourcePart, dataset: Dataset) -> tuple[str, ...]:
    """A part's header as the run will name its columns (normalized)."""
    rel = part.describe().relative_path
    names = pa.schema(
        [(name or f"column {i + 1}", pa.string()) for i, name in enumerate(part.header)]
    )
    table = normalize_headers(names.empty_table(), dataset.normalize, source_name=rel)
    return tuple(table.column_names)


def _streams(
    settings: Settings, dataset: Dataset, ctx: RunContext, parts: list[SourcePart]
) -> bool:
    """Whether the parts are staged batch by batch as they are read, or combined first.

    Parts are streamed when they share one header and no stored resubmission amends the date
    (amendments match rows across the whole delivery; those runs are small by nature). Parts
    whose headers differ are combined in memory, columns matched by name, as
    :func:`etl.extract.parts.combine` does.
    """
    if amend.stored(settings, dataset.id, ctx.logical_date):
        return False
    return len({_header(part, dataset) for part in parts}) <= 1


def _batches(
    parts: list[SourcePart], dataset: Dataset, folder: Path
) -> Iterator[tuple[SourcePart, pa.Table, pa.Array]]:
    """Every batch of ``parts`` in order, headers normalized, with the part it came from.

    A part whose hash is known only once it has been read (a query result) is spooled to a
    private staging file first, so that its rows carry that hash and memory holds one batch.
    """
    for part in parts:
        batches = part.batches() if part.describe().sha256 else _spooled(part, folder)
        rel = part.describe().relative_path
        for batch in batches:
            table = normalize_headers(batch.table, dataset.normalize, source_name=rel)
            yield part, table, batch.rows


def _spooled(part: SourcePart, folder: Path) -> Iterator[Batch]:
    """A part's batches, written to ``folder`` and read back once the part is exhausted."""
    spool = staging.TableWriter(folder, _SPOOL)
    try:
        for batch in part.batches():
            spool.write(batch.table.append_column(SOURCE_ROW, batch.rows))
        spool.close()
    except BaseException:
        spool.abort()
        raise
    try:
        for table in staging.iter_tables(folder, _SPOOL):
            yield Batch(table.drop_columns([SOURCE_ROW]), table.column(SOURCE_ROW).combine_chunks())
    finally:
        (folder / _SPOOL).unlink(missing_ok=True)


def _constant_provenance(fingerprint: SourceFingerprint, rows: pa.Array) -> dict[str, pa.Array]:
    n = len(rows)
    return {
        SOURCE_FILE: repeated(fingerprint.relative_path, n),
        SOURCE_SHA256: repeated(fingerprint.sha256, n),
        SOURCE_ROW: rows,
    }


def _rejected_rows(parts: list[SourcePart], columns: list[str]) -> pa.Table:
    """The ragged rows of streamed parts, shaped as :meth:`Extracted.quarantine_rows` does."""
    table = rejected_table([(p.describe(), r) for p in parts for r in p.rejected()])
    return as_quarantine_rows(table, columns)


def _write_pair(
    first: staging.TableWriter, a: pa.Table, second: staging.TableWriter, b: pa.Table
) -> None:
    first.write(a)
    second.write(b)


class _StagingWriter:
    """Casts each batch, checks the schema once, and writes ``raw`` and ``typed`` batch for batch.

    ``raw`` keeps every source column as delivered (strings) for the quarantine; ``typed`` has
    the declared types and ``__cast_reasons`` for validation. Both get the provenance columns.
    """

    def __init__(self, settings: Settings, dataset: Dataset, folder: Path, label: str) -> None:
        self.settings = settings
        self.dataset = dataset
        self.types = dataset.column_types  # once, not per batch
        self.folder = folder
        self.label = label
        self.raw = staging.TableWriter(folder, staging.RAW)
        self.typed = staging.TableWriter(folder, staging.TYPED)
        self._behind = WriteBehind()
        self.rows = 0
        self.cast_failed = 0
        self.change: SchemaChange = compare_schema(None, pa.schema([]), None)
        self.data_columns: list[str] = []
        self._checked = False

    def cast(self, data: pa.Table) -> CastResult:
        """The declared types applied to one batch (safe to call from several threads)."""
        return cast_columns(
            data,
            self.types,
            source_name=self.label,
            normalize=self.dataset.normalize,
        )

    def add(
        self, data: pa.Table, provenance: dict[str, pa.Array], cast: CastResult | None = None
    ) -> None:
        """Stage the next batch (in order), cast here unless ``cast`` is its :meth:`cast`."""
        cast = cast or self.cast(data)
        if not self._checked:
            self._checked = True
            self.data_columns = list(data.column_names)
            self.change = compare_schema(
                _previous_schema(self.settings, self.dataset),
                cast.table.schema,
                self.dataset.schema_changes,
            )
            self.change.raise_for_errors(self.dataset.id)
            for warning in self.change.warnings:
                log.warning("dataset %s: %s", self.dataset.id, warning)
        raw, typed = data, cast.table
        for name in PROVENANCE:
            raw = raw.append_column(name, provenance[name])
            typed = typed.append_column(name, provenance[name])
        self._behind.submit(
            _write_pair,
            self.raw,
            raw,
            self.typed,
            typed.append_column("__cast_reasons", cast.row_reasons),
        )
        self.rows += data.num_rows
        self.cast_failed += int(pc.sum(cast.failed_rows).as_py() or 0)

    def close(self, rejected: pa.Table) -> None:
        self._behind.close()
        staging.write_table(self.folder, staging.REJECTED, rejected)
        self.raw.close()
        self.typed.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):  # the error being handled is the one to report
            self._behind.close()
        self.raw.abort()
        self.typed.abort()


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


def _batch_checker(
    settings: Settings,
    folder: Path,
    suite: SuiteSpec,
    columns: list[str],
    total: int,
    schema: pa.Schema,
) -> BatchValidation | None:
    """The batch-by-batch validation of a table staged in several batches; None for one batch."""
    if staging.row_groups(folder, staging.TYPED) <= 1:
        return None
    return BatchValidation(
        suite,
        columns,
        total,
        read_columns=lambda names: staging.read_table(folder, staging.TYPED, names),
        duplicates=lambda names: duplicate_positions(
            staging.iter_tables(folder, staging.TYPED, names), names, folder / "spill"
        ),
        schema=schema,
        workers=settings.workers,
    )


def _refuse_failed(
    dataset: Dataset,
    outcome: ValidationOutcome,
    rows_in: int,
    quarantined: int,
    causes: FailureCauses,
) -> None:
    """Stop the run before anything is published: a table-level failure, or too many bad rows.

    Raises:
        ValidationFailed: naming the expectation, or the count, the share and why rows failed.
    """
    if not outcome.table_success:
        first = outcome.table_failures[0]
        target = f"({first.column})" if first.column else ""
        raise ValidationFailed(
            f"dataset {dataset.id}: table-level expectation {first.expectation_type}{target} "
            f"failed in suite {outcome.suite_name}; nothing was published"
        )
    limit = dataset.quality.max_quarantine_share
    if rows_in and quarantined / rows_in > limit:
        raise ValidationFailed(
            f"dataset {dataset.id}: {quarantined} of {rows_in} rows failed validation "
            f"({quarantined / rows_in:.1%}), above the dataset's limit of {limit:.0%}; "
            f"nothing was published. Why: {causes.describe()}"
        )


def validate(settings: Settings, dataset: Dataset, ctx: RunContext) -> ValidationResult:
    """Run the dataset's suite; split rows into valid and quarantined.

    A table staged in one batch is validated in one GX run; a larger one batch by batch
    (:class:`etl.validate.batches.BatchValidation`), with whole-table checks kept exact.
    Table-level failures and a quarantine share above the dataset's limit raise
    :class:`ValidationFailed` before anything is published.
    """
    folder = staging_dir(settings, ctx)
    schema = staging.table_schema(folder, staging.TYPED)
    columns = [c for c in schema.names if not c.startswith("_")]
    suite = suite_for(settings, dataset, columns)
    rejected = _rejected(folder)
    total = staging.count_rows(folder, staging.TYPED)
    batches = read_ahead(
        zip(
            staging.iter_tables(folder, staging.TYPED),
            staging.iter_tables(folder, staging.RAW),
            strict=True,
        )
    )
    checker = _batch_checker(settings, folder, suite, columns, total, schema)
    quarantined = rejected.num_rows
    causes = FailureCauses()
    if rejected.num_rows:
        causes.add(rejected.column(REASONS).combine_chunks())
    single: list[ValidationOutcome] = []

    def whole(pairs: Iterable[tuple[pa.Table, pa.Table]]) -> Iterator[Checked]:
        for pair in pairs:  # one batch: one GX validation of the whole table
            single.append(validate_table(pair[0].select(columns), suite))
            yield pair, single[-1].failed_rows, single[-1].row_reasons

    checked = (
        whole(batches)
        if checker is None
        else checker.check_all(
            batches,
            lambda pair: pair[0].select(columns),
            read=functools.partial(staging.batches_at, folder, staging.TYPED),
        )
    )
    valid = staging.TableWriter(folder, staging.VALID)
    bad = staging.TableWriter(folder, staging.QUARANTINE)
    behind = WriteBehind()
    try:
        for (typed, raw), flagged, row_reasons in checked:
            cast_reasons = typed.column("__cast_reasons").combine_chunks()
            data = typed.drop_columns(["__cast_reasons"])
            failed = pc.or_(pc.invert(pc.is_null(cast_reasons)), flagged)
            reasons = _join_reasons(cast_reasons, row_reasons)
            failing = np.flatnonzero(failed.to_numpy(zero_copy_only=False))
            quarantined += len(failing)
            if len(failing):
                causes.add(reasons.take(failing), raw.take(failing))
            # the copy of the valid rows is made on the writing thread
            behind.submit(
                _write_split,
                valid,
                data,
                failing,
                bad,
                _quarantined(raw.take(failing), reasons.take(failing), rejected),
            )
        behind.close()
        if rejected.num_rows:
            bad.write(rejected)
        outcome = checker.outcome() if checker is not None else single[-1]
        result = ValidationResult.model_validate(
            {
                **outcome.to_dict(),
                # every delivered row: validated ones plus ragged rows quarantined by extract
                "rows_in": outcome.rows_in + rejected.num_rows,
                "rows_validated": outcome.rows_in,
                "rows_rejected": rejected.num_rows,
                "rows_quarantined": quarantined,
            }
        )
        write_record(folder, result)
        rows_in = total + rejected.num_rows
        _refuse_failed(dataset, outcome, rows_in, quarantined, causes)
        valid.close()
        bad.close()
    except BaseException:
        with contextlib.suppress(Exception):  # the error being handled is the one to report
            behind.close()
        valid.abort()
        bad.abort()
        raise
    finally:
        if checker is not None:
            checker.close()
    log.info(
        "validated %d rows with suite %s: %d valid, %d quarantined",
        rows_in,
        outcome.suite_name,
        rows_in - quarantined,
        quarantined,
    )
    if quarantined:
        log.info("quarantined because: %s", causes.describe())
    return result


def _without_rows(table: pa.Table, positions: np.ndarray) -> pa.Table:
    """``table`` without the rows at ``positions`` (sorted).

    ``take`` of the rows kept: Arrow's ``filter`` on string columns is several times slower
    when nearly every row stays (measured 27-120 ms against 10 ms per 100k-row batch).
    """
    if positions.size == 0:
        return table
    keep = np.ones(table.num_rows, dtype=bool)
    keep[positions] = False
    return table.take(np.flatnonzero(keep))


def _write_split(
    valid: staging.TableWriter,
    data: pa.Table,
    failing: np.ndarray,
    bad: staging.TableWriter,
    failed: pa.Table,
) -> None:
    valid.write(_without_rows(data, failing))
    bad.write(failed)


def _quarantined(raw: pa.Table, reasons: pa.Array, rejected: pa.Table) -> pa.Table:
    """Failed rows in the quarantine's layout.

    Raw values, provenance and reasons, and (when the run has ragged rows) their
    ``_source_line``/``_raw_line`` columns, null here.
    """
    table = raw.append_column(REASONS, reasons)
    for name in rejected.column_names:
        if name not in table.column_names:
            table = table.append_column(
                name, pa.nulls(table.num_rows, rejected.schema.field(name).type)
            )
    return table
