"""The classify and load steps."""

from __future__ import annotations

import collections
import contextlib
import functools
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify import (
    DatasetClassification,
    RuleSettings,
    apply_scale_rule,
    classify_table,
    count_distinct_persons,
    detect_drift,
    person_columns,
)
from etl.classify.model import column_overrides
from etl.classify.rules_persons import BIRTH_SOURCES, minors_mask
from etl.classify.scale import count_keys, l4_attributes, person_key, person_keys
from etl.errors import ConcurrentRun
from etl.forked import ForkedPool
from etl.lake import delta
from etl.lake.layout import published_zones, quarantine_table_uri, zone_table_uri
from etl.lineage.published import published_classification
from etl.pipeline import steps_record
from etl.pipeline.overlap import ordered_map
from etl.pipeline.repeat import repeated
from etl.pipeline.table_docs import table_doc
from etl.protect import tokens
from etl.protect.guard import guard, guarded_columns
from etl.protect.keys import load_token_key
from etl.protect.zones import ZoneTarget, project_zone
from etl.registry import Dataset
from etl.runtime import staging
from etl.runtime.context import RunContext, staging_dir
from etl.runtime.records import (
    ColumnLineage,
    DriftHold,
    ExtractResult,
    LoadResult,
    ValidationResult,
    Withheld,
    fired,
    maybe_record,
    read_record,
    write_record,
)
from etl.settings import Settings
from etl.zones import QUARANTINE, Zone

log = logging.getLogger(__name__)


def rule_settings(dataset: Dataset) -> RuleSettings:
    """The dataset's rule thresholds: registry values over the spec's defaults."""
    return RuleSettings.from_mapping(dataset.classification.rules.model_dump(exclude_none=True))


def _history(
    settings: Settings, dataset: Dataset, ctx: RunContext, columns: list[str]
) -> Iterator[pa.Table]:
    """The other loaded dates of a partitioned dataset, ``columns`` only (for R5), in batches.

    Streamed from the restricted zone's files batch by batch: a dataset of many loaded days
    never sits in memory whole.
    """
    uri = zone_table_uri(settings, Zone.RESTRICTED, dataset.domain, dataset.id)
    if dataset.load != "partition" or not delta.table_exists(uri):
        return
    if not set(columns) <= set(delta.schema(uri).names):
        return
    other_days = pc.field("_logical_date") != pa.scalar(ctx.logical_date, pa.date32())
    for batch in delta.dataset(uri).to_batches(
        columns=columns, filter=other_days, batch_size=settings.batch_rows
    ):
        yield pa.Table.from_batches([batch])


def _scale(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    delivery: Callable[[list[str]], Iterable[pa.Table]],
    result: DatasetClassification,
) -> DatasetClassification:
    """R5 over the whole dataset: this delivery (batch by batch) plus every other loaded date."""
    columns = person_columns(result)
    if not columns:
        return result
    tables = itertools.chain(delivery(columns), _history(settings, dataset, ctx, columns))
    rules = rule_settings(dataset)
    persons = count_distinct_persons(tables, result, logical_date=ctx.logical_date, settings=rules)
    return apply_scale_rule(result, persons, rules)


def classify(settings: Settings, dataset: Dataset, ctx: RunContext) -> DatasetClassification:
    """Grade every column and the dataset; registry overrides win; drift holds publishing."""
    folder = staging_dir(settings, ctx)
    names = [c for c in staging.table_schema(folder, staging.RAW).names if not c.startswith("_")]
    source = read_record(folder, ExtractResult)
    spec = dataset.classification
    overrides = column_overrides(spec.columns)
    flags = [flag for flag, on in (("IMP", spec.important), ("CORE", spec.core)) if on]
    batched = staging.row_groups(folder, staging.RAW) > 1

    def grade(table: pa.Table) -> DatasetClassification:
        return classify_table(
            table,
            overrides=overrides,
            comments=source.column_comments or None,
            floor=spec.floor,
            baseline=spec.baseline,
            flags=flags,
            logical_date=ctx.logical_date,
            settings=rule_settings(dataset),
            whole_column=(
                (lambda name: staging.read_table(folder, staging.RAW, [name]).column(name))
                if batched
                else None
            ),
            workers=settings.workers,
        )

    def delivery(columns: list[str]) -> Iterable[pa.Table]:
        return staging.iter_tables(folder, staging.RAW, columns)

    if not batched:
        result = grade(staging.read_table(folder, staging.RAW, names))
        result = _scale(settings, dataset, ctx, delivery, result)
    else:
        sample = _row_sample(folder, names, ctx)
        result = _every_row(settings, dataset, ctx, folder, names, sample, grade(sample), grade)
    drifts = detect_drift(
        published_classification(settings.lake, dataset.id), result, confirmed=set(spec.columns)
    )
    held = [d.message for d in drifts]
    write_record(folder, result)
    write_record(folder, DriftHold(held=tuple(held)))
    for message in held:
        log.warning(
            "classification drift in %s: %s; shared/open publishing is held until the "
            "registry confirms it (classification.columns)",
            dataset.id,
            message,
        )
    log.info("dataset %s graded %s (flags: %s)", dataset.id, result.dataset_grade, result.flags)
    return result


#: Rows a batched delivery's columns are decided on (a seeded, uniform sample of every batch).
SAMPLE_ROWS = 200_000


def _row_sample(folder: Path, names: list[str], ctx: RunContext) -> pa.Table:
    """A seeded uniform sample of the staged rows, read batch by batch (memory: the sample).

    The seed comes from the run's logical date, so re-running a date decides on the same rows.
    """
    total = staging.count_rows(folder, staging.RAW)
    rng = np.random.default_rng(ctx.logical_date.toordinal())
    wanted = np.sort(rng.choice(total, size=min(total, SAMPLE_ROWS), replace=False))
    parts: list[pa.Table] = []
    offset = 0
    for batch in staging.iter_tables(folder, staging.RAW, names):
        lo, hi = np.searchsorted(wanted, [offset, offset + batch.num_rows])
        if hi > lo:
            parts.append(batch.take(pa.array(wanted[lo:hi] - offset)))
        offset += batch.num_rows
    return pa.concat_tables(parts) if parts else staging.read_table(folder, staging.RAW, names)


def _key_name(result: DatasetClassification) -> str:
    key = person_key(result)
    assert key is not None  # callers check person_columns first
    return key.name


def _rule_inputs(result: DatasetClassification) -> tuple[object, ...]:
    """What R4 and R5 read of a classification: birth sources, the person key, L4 attributes."""
    births = sorted(c.name for c in result.columns if c.category in BIRTH_SOURCES)
    l4 = sorted(c.name for c in l4_attributes(result))
    key = person_key(result)
    return tuple(births), (key.name, key.category) if key else None, tuple(l4)


def _every_row(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    folder: Path,
    names: list[str],
    sample: pa.Table,
    result: DatasetClassification,
    grade: Callable[[pa.Table], DatasetClassification],
) -> DatasetClassification:
    """R4 and R5 over every row of a batched delivery, in one pass over the batches.

    The minors of each batch are found once and serve both rules: R4 witnesses (rows of
    minors the sample missed are added to it and the sample is graded again, so R4 fires
    and names what it lifted, exactly as over the whole table) and R5's count of distinct
    persons with an L4 attribute (being a minor is one), over this delivery and every other
    loaded date.
    """
    rules = rule_settings(dataset)
    births = [c.name for c in result.columns if c.category in BIRTH_SOURCES]
    counted = person_columns(result)
    want_witnesses = bool(births) and not fired(result.rules, "R4")
    needed = [n for n in names if n in set(births) | set(counted)]
    found: list[tuple[int, np.ndarray]] = []

    def look(item: tuple[int, pa.Table]) -> tuple[int, np.ndarray, Any]:
        # Arrow kernels only: batches are looked at two at a time (ordered_map's threads)
        index, batch = item
        minors, _ = minors_mask(batch, result.columns, ctx.logical_date, rules)
        return index, minors, person_keys(batch, minors, result) if counted else None

    def delivery() -> Iterator[Any]:
        batches = enumerate(staging.iter_tables(folder, staging.RAW, needed))
        for index, minors, keys in ordered_map(look, batches, settings.workers):
            if want_witnesses and minors.any():
                found.append((index, np.flatnonzero(minors)))
            yield keys

    persons = None
    if counted:
        history = _history_keys(settings, dataset, ctx, result, rules)
        persons = count_keys(itertools.chain(delivery(), history), _key_name(result))
    elif want_witnesses:
        collections.deque(delivery(), maxlen=0)  # only the witnesses are wanted
    if found:
        regraded = _with_witnesses(folder, names, sample, found, grade)
        if _rule_inputs(regraded) != _rule_inputs(result):
            # the second look decided the person columns differently: count again by them
            return _scale(
                settings,
                dataset,
                ctx,
                lambda cols: staging.iter_tables(folder, staging.RAW, cols),
                regraded,
            )
        result = regraded
    return apply_scale_rule(result, persons, rules) if persons is not None else result


def _history_keys(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    classified: DatasetClassification,
    rules: RuleSettings,
) -> Iterator[Any]:
    """The person keys of every other loaded date, batch by batch (R5 counts them too)."""
    for table in _history(settings, dataset, ctx, person_columns(classified)):
        minors = minors_mask(table, classified.columns, ctx.logical_date, rules)[0]
        yield person_keys(table, minors, classified)


def _with_witnesses(
    folder: Path,
    names: list[str],
    sample: pa.Table,
    found: list[tuple[int, np.ndarray]],
    grade: Callable[[pa.Table], DatasetClassification],
) -> DatasetClassification:
    """The sample graded again with the rows of minors it missed (``found``: batch, rows)."""
    log.info("R4: minors found outside the classification sample; grading again with them")
    batches = staging.batches_at(folder, staging.RAW, [i for i, _ in found], names)
    witnesses = [b.take(pa.array(rows)) for b, (_, rows) in zip(batches, found, strict=True)]
    return grade(pa.concat_tables([sample, *witnesses]))


def zones_for(
    dataset: Dataset, classification: DatasetClassification, held: bool = False
) -> list[Zone]:
    """Zones this run publishes to: IMP data, and data held for drift, stay restricted."""
    if "IMP" in classification.flags or held:
        return [Zone.RESTRICTED]
    return list(published_zones(dataset))


def _guard(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    folder: Path,
    classification: DatasetClassification,
    zones: list[Zone],
) -> list[Withheld]:
    """The publication guard over every value that would go out unprotected."""
    columns = guarded_columns(classification, zones, cleared=dataset.classification.columns)
    if not columns:
        return []
    withheld = guard(
        staging.iter_tables(folder, staging.VALID, columns),
        classification,
        columns,
        map_batches=lambda look, batches: ordered_map(look, batches, settings.workers),
    )
    for w in withheld:
        log.warning(
            "publication guard: column %s of %s looks like %s in %d of %d values; withheld "
            "from shared/open until a person confirms it: pubdata review confirm %s %s "
            "--category %s --grade %s --reason ... (or --category none to clear it), then "
            "re-run %s",
            w.column,
            dataset.id,
            w.category,
            w.values,
            w.checked,
            dataset.id,
            w.column,
            w.category,
            w.grade,
            ctx.logical_date.isoformat(),
        )
    return withheld


def _with_lineage(table: pa.Table, ctx: RunContext, sha256: str) -> pa.Table:
    # Multi-file deliveries stage a per-row ``_source_sha256``; single files get it here.
    n = table.num_rows
    table = table.append_column("_run_id", repeated(ctx.run_id, n))
    if "_source_sha256" not in table.column_names:
        table = table.append_column("_source_sha256", repeated(sha256, n))
    return table.append_column("_logical_date", repeated(ctx.logical_date, n, pa.date32()))


def _stream(
    folder: Path,
    name: str,
    ctx: RunContext,
    sha256: str,
    transform: Callable[[pa.Table], pa.Table],
    workers: int = 1,
) -> pa.RecordBatchReader:
    """A staging table as a batch stream with the lineage columns, transformed batch by batch.

    With several ``workers``, batches are transformed side by side (tokens and masks are
    Arrow and DuckDB work, which release the GIL) and handed on in order. Every batch is cast
    to the first one's schema, so an all-null batch cannot change a type.
    """
    batches = ordered_map(
        lambda t: transform(_with_lineage(t, ctx, sha256)),
        staging.iter_tables(folder, name),
        workers,
    )
    first = next(batches)
    schema = first.schema

    def rest() -> Iterator[pa.RecordBatch]:
        yield from first.to_batches()
        for table in batches:
            yield from table.select(schema.names).cast(schema).to_batches()

    return pa.RecordBatchReader.from_batches(schema, rest())


#: The order a run commits its tables in. The restricted table comes first and claims the date
#: (see ``etl.lake.delta``); zones that publish less follow, so after a crash between two
#: commits the shared and open zones hold the previous run's rows of the date (or none), never
#: rows whose restricted source is not there. ``_meta`` is recorded after all of them.
COMMIT_ORDER: tuple[str, ...] = (Zone.RESTRICTED, QUARANTINE, Zone.SHARED, Zone.OPEN)


def _held(folder: Path) -> list[str]:
    """What the classify step held from publishing for drift (nothing when it held nothing)."""
    drift = maybe_record(folder, DriftHold)
    return list(drift.held) if drift is not None else []


def _app_id(name: str, *, whole: bool, day: str) -> str:
    """The Delta application id a table's commits claim: the date, or a snapshot's table."""
    return delta.TABLE_APP_ID if whole and name != QUARANTINE else delta.date_app_id(day)


def load(settings: Settings, dataset: Dataset, ctx: RunContext) -> LoadResult:
    """Write the zones and the quarantine table for this logical date.

    Each table is replaced for the run's logical date in one atomic Delta commit (the whole
    table for ``snapshot`` loads), so re-running a date never duplicates rows. The tables'
    files are written side by side, then committed one after the other in
    :data:`COMMIT_ORDER`, each commit carrying the run's claim on the date: a run that another
    run of the same date overtook stops with :class:`~etl.errors.ConcurrentRun`.
    """
    folder = staging_dir(settings, ctx)
    source = read_record(folder, ExtractResult)
    validation = read_record(folder, ValidationResult)
    classification = read_record(folder, DatasetClassification)
    key = load_token_key(settings.home, settings.token_key)
    sha256 = str(source.delivery.sha256)
    commit_meta = {
        "pubdata.dag_id": ctx.dag_id,
        "pubdata.run_id": ctx.run_id,
        "pubdata.logical_date": ctx.logical_date.isoformat(),
        "pubdata.source_sha256": sha256,
        "pubdata.suite": validation.suite_name,
        "pubdata.dataset_grade": classification.dataset_grade,
    }
    column_lineage: list[ColumnLineage] = []
    held = _held(folder)
    rows_loaded = staging.count_rows(folder, staging.VALID)
    zones = zones_for(dataset, classification, held=bool(held))
    withheld = _guard(settings, dataset, ctx, folder, classification, zones)
    keep_out = frozenset(w.column for w in withheld)
    day = ctx.logical_date.isoformat()
    whole = dataset.load == "snapshot"
    tables: dict[str, str] = {
        zone: zone_table_uri(settings, zone, dataset.domain, dataset.id) for zone in zones
    }
    tables[QUARANTINE] = quarantine_table_uri(settings, dataset.domain, dataset.id)
    order = [name for name in COMMIT_ORDER if name in tables]
    # every base is read before anything is written: a claim made by another run after this
    # point conflicts with this run's commits
    bases = {name: delta.snapshot(uri) for name, uri in tables.items()}

    app_id = functools.partial(_app_id, whole=whole, day=day)
    claim = delta.claim(bases[Zone.RESTRICTED], app_id(Zone.RESTRICTED))
    steps_record.record_loading(
        settings, dataset, ctx, claim.generation, {n: tables[n] for n in order}
    )

    def stage_zone(zone: Zone) -> tuple[delta.Staged, list[Any]]:
        # every batch has the same column lineage; batches may be projected on two threads
        projected: dict[str, Any] = {}
        # the table's columns stay, as nulls where this date has no values for them
        target = ZoneTarget(delta.snapshot_schema(bases[zone]), ctx.logical_date)

        def project(batch: pa.Table) -> pa.Table:
            projection = project_zone(
                batch, classification, zone, key, token_workers, withheld=keep_out, target=target
            )
            projected.setdefault("columns", projection.columns)
            return projection.table

        workers = settings.workers if zone != Zone.RESTRICTED else 1  # nothing to compute there
        stream = _stream(folder, staging.VALID, ctx, sha256, project, workers)
        lineage = list(projected.get("columns", ()))  # the first batch is projected by now
        doc = table_doc(dataset, zone, stream.schema.names, lineage, source.column_comments)
        staged = delta.stage(tables[zone], stream, None if whole else day, bases[zone], doc)
        return staged, lineage

    def stage_quarantine() -> tuple[delta.Staged, list[Any]]:
        bad = _stream(folder, staging.QUARANTINE, ctx, sha256, lambda t: t)
        doc = table_doc(dataset, QUARANTINE, bad.schema.names, (), source.column_comments)
        return delta.stage(tables[QUARANTINE], bad, day, bases[QUARANTINE], doc), []

    def owner() -> bool:
        return delta.generation(tables[Zone.RESTRICTED], claim.app_id) == claim.generation

    # The C token loop releases the GIL and runs on the projection threads. Where it was not
    # built, the hashlib loop holds the GIL: it runs in processes forked now, before any
    # thread starts, while this process masks and writes. The tables' files are written side
    # by side (Parquet encoding releases the GIL); only the commits are one after the other.
    # Only a run of several batches is worth processes (the open zone has nothing to tokenize).
    forks = (
        not tokens.NATIVE
        and Zone.SHARED in zones
        and settings.workers > 1
        and rows_loaded > settings.batch_rows
    )
    token_workers = ForkedPool.start(settings.workers) if forks else None
    pending: dict[str, Future[tuple[delta.Staged, list[Any]]]] = {}
    versions: dict[str, int] = {}
    try:
        with (
            token_workers or contextlib.nullcontext(),
            ThreadPoolExecutor(max_workers=2, thread_name_prefix="load") as pool,
        ):
            pending = {zone: pool.submit(stage_zone, zone) for zone in zones}
            pending[QUARANTINE] = pool.submit(stage_quarantine)
        for name in order:
            _, projected = pending[name].result()
            column_lineage.extend(
                ColumnLineage(
                    zone=name,
                    source_column=c.source,
                    output_column=c.output,
                    transformation=c.transformation,
                )
                for c in projected
            )
        for name in order:
            versions[name] = delta.commit(
                pending[name].result()[0],
                {**commit_meta, "zone": name, "pubdata.generation": str(claim.generation)},
                delta.Claim(app_id(name), claim.generation),
                owner=None if name == Zone.RESTRICTED else owner,
            )
        if not owner():
            raise ConcurrentRun(
                f"{dataset.id} {day}: a later run of the same date replaced this run's tables "
                "while it was loading; that run's rows stand"
            )
    finally:
        # files of tables not committed (a failed stage or commit) are not left behind
        for future in pending.values():
            if future.done() and future.exception() is None:
                delta.discard(future.result()[0])  # a no-op for a committed table
    rows_bad = staging.count_rows(folder, staging.QUARANTINE)
    result = LoadResult(
        tables=tables,
        versions=versions,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_bad,
        generation=claim.generation,
        held=tuple(held),
        withheld=tuple(withheld),
        column_lineage=tuple(column_lineage),
    )
    write_record(folder, result)
    log.info(
        "loaded %d rows of %s into %s; %d rows quarantined",
        rows_loaded,
        dataset.id,
        ", ".join(tables),
        rows_bad,
    )
    return result
