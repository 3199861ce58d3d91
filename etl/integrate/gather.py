"""Read the contributing runs' rows, normalise their keys, and spill them by key bucket.

A contributing run is a run of a dataset a domain lists; its rows are the rows of the dataset's
restricted table that carry its ``_run_id`` (and its ``_logical_date``, which prunes a
partitioned table to one date). :func:`gather` reads them batch by batch, turns each row's key
into the entity key (:func:`etl.integrate.keys.entity_keys`), counts per run the keys delivered
and matched, and writes the matched rows, shaped as candidate rows
(:func:`etl.integrate.tables.candidates_schema`), into a private spill folder partitioned by key
bucket: the engine then reads them back a group of buckets at a time, so memory follows a
group, not the deliveries.

Datasets keyed by the USCC are read before those keyed by the organisation code, whose codes
resolve through the USCCs known: the repository's and those just read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from etl.errors import ConfigError
from etl.extract.parts import SOURCE_FILE, SOURCE_ROW
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.integrate.keys import KeyMatch, OrgCodeLookup, entity_keys
from etl.integrate.model import Contributor, Domain
from etl.integrate.tables import BUCKET, DATASET, attribute_types, candidates_schema, key_buckets
from etl.lake import delta
from etl.lake.layout import Lake, zone_table_uri
from etl.registry import Registry
from etl.text.strings import as_strings
from etl.zones import Zone

__all__ = ["ContributingRun", "Deliveries", "RunMatch", "contributed_rows", "gather"]


@dataclass(frozen=True, order=True)
class ContributingRun:
    """One run of a contributing dataset (what an asset event or ``_meta.lineage_runs`` names).

    Attributes:
        dataset: the dataset id.
        logical_date: the run's logical date (the ``_logical_date`` of its rows).
        run_id: the run's id (the ``_run_id`` of its rows).
    """

    dataset: str
    logical_date: date
    run_id: str


@dataclass(frozen=True)
class RunMatch:
    """What one contributing run delivered and how many of its keys found their entity.

    Attributes:
        run: the run.
        rows: its rows read (0: no row carries the run id any more, e.g. a later run of the
            same date replaced them).
        keys_delivered: rows that delivered a key (not null, not blank).
        keys_matched: rows whose key became an entity key (valid ID numbers; USCCs, or
            organisation codes embedded in a known USCC).
    """

    run: ContributingRun
    rows: int = 0
    keys_delivered: int = 0
    keys_matched: int = 0

    @property
    def match_rate(self) -> float | None:
        """``keys_matched / keys_delivered``; None when no row delivered a key."""
        return self.keys_matched / self.keys_delivered if self.keys_delivered else None

    def plus(self, rows: int, match: KeyMatch) -> RunMatch:
        """This count with one more batch of the run."""
        return RunMatch(
            self.run,
            self.rows + rows,
            self.keys_delivered + match.delivered,
            self.keys_matched + match.matched,
        )


@dataclass
class Deliveries:
    """The matched rows of the runs read, on disk by key bucket (candidate-shaped rows).

    Attributes:
        folder: the spill folder (private; the caller removes it).
        schema: the rows' schema (:func:`etl.integrate.tables.candidates_schema`).
        rows: rows per bucket.
        dates: the logical dates of the rows.
    """

    folder: Path
    schema: pa.Schema
    rows: dict[int, int] = field(default_factory=dict)
    dates: set[date] = field(default_factory=set)

    def read(self, buckets: Sequence[int]) -> pa.Table:
        """Every spilled row of ``buckets``."""
        if not any(self.rows.get(b) for b in buckets):
            return self.schema.empty_table()
        found = pads.dataset(
            self.folder,
            schema=self.schema,
            format="ipc",
            partitioning=_partitioning(),
            ignore_prefixes=["."],  # the folders are "_bucket=<n>", which "_" would hide
        )
        wanted = pc.field(BUCKET).isin(pa.array(list(buckets), pa.int16()))
        return found.to_table(filter=wanted)

    def count(self, batch: pa.RecordBatch) -> None:
        """Add a spilled batch's buckets and dates to :attr:`rows` and :attr:`dates`."""
        self.dates.update(pc.unique(batch.column(LOGICAL_DATE)).to_pylist())
        counts = pc.value_counts(batch.column(BUCKET))
        for bucket, rows in zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        ):
            self.rows[bucket] = self.rows.get(bucket, 0) + rows


def _partitioning() -> pads.Partitioning:
    return pads.partitioning(pa.schema([(BUCKET, pa.int16())]), flavor="hive")


def _restricted_uri(lake: Lake, registry: Registry, dataset_id: str) -> str:
    dataset = registry.datasets.get(dataset_id)
    if dataset is None:
        raise ConfigError(f"contributing dataset {dataset_id!r} is not in the registry")
    return zone_table_uri(lake, Zone.RESTRICTED, dataset.domain, dataset.id)


def contributed_rows(lake: Lake, registry: Registry, domain: Domain) -> int:
    """Rows the contributors' restricted tables hold (from their logs: no data file is read)."""
    total = 0
    for dataset_id in domain.datasets:
        table = delta.snapshot(_restricted_uri(lake, registry, dataset_id))
        total += sum(delta.partition_rows(table, ()).values())
    return total


def _run_filter(runs: Sequence[ContributingRun]) -> Any:
    wanted = None
    for run in runs:
        one = (pc.field(RUN_ID) == run.run_id) & (
            pc.field(LOGICAL_DATE) == pa.scalar(run.logical_date, pa.date32())
        )
        wanted = one if wanted is None else wanted | one
    return wanted


@dataclass
class _Reader:
    """Reads one contributor's rows for :func:`gather` (its counts and the USCCs it saw)."""

    domain: Domain
    dataset_id: str
    uri: str
    lookup: OrgCodeLookup | None
    buckets: int
    batch_rows: int
    counts: dict[tuple[str, date], RunMatch] = field(default_factory=dict)
    usccs: list[pa.Array] = field(default_factory=list, repr=False)

    @property
    def contributor(self) -> Contributor:
        return self.domain.contributor(self.dataset_id)

    def batches(self, runs: Sequence[ContributingRun] | None) -> Iterator[pa.RecordBatch]:
        """The candidate-shaped rows of ``runs`` (None: every row), matched keys only."""
        names = set(delta.schema(self.uri).names)
        lineage = [RUN_ID, LOGICAL_DATE, SOURCE_ROW, SOURCE_FILE]
        columns = [c for c in (*self.contributor.columns, *lineage) if c in names]
        missing = {RUN_ID, LOGICAL_DATE, SOURCE_ROW, self.contributor.key} - names
        if missing:
            raise ConfigError(
                f"{self.uri} has no column {sorted(missing)[0]!r}: not a restricted table "
                f"of {self.dataset_id}"
            )
        source = delta.dataset(self.uri).to_batches(
            columns=columns,
            filter=None if runs is None else _run_filter(runs),
            batch_size=self.batch_rows,
        )
        for batch in source:
            for run_id in pc.unique(batch.column(RUN_ID)).to_pylist():
                piece = batch.filter(pc.equal(batch.column(RUN_ID), run_id))
                shaped = self._shape(pa.Table.from_batches([piece]), run_id)
                if shaped.num_rows:
                    yield from shaped.to_batches()

    def _shape(self, piece: pa.Table, run_id: str) -> pa.Table:
        day = piece.column(LOGICAL_DATE)[0].as_py()
        match = entity_keys(
            piece.column(self.contributor.key),
            self.domain.key_form_of(self.dataset_id),
            self.lookup,
        )
        run = ContributingRun(self.dataset_id, day, run_id)
        self.counts[(run_id, day)] = self.counts.get((run_id, day), RunMatch(run)).plus(
            piece.num_rows, match
        )
        kept = pc.is_valid(match.keys)
        rows = piece.filter(kept)
        keys = match.keys.filter(kept)
        if self.domain.key_form_of(self.dataset_id) == "uscc":
            self.usccs.append(keys)
        return self._candidate_rows(rows, keys)

    def _candidate_rows(self, rows: pa.Table, keys: pa.Array) -> pa.Table:
        n = rows.num_rows
        schema = candidates_schema(self.domain)
        columns: dict[str, Any] = {
            BUCKET: key_buckets(keys, self.buckets),
            self.domain.key.name: keys,
            DATASET: pa.repeat(pa.scalar(self.dataset_id), n),
        }
        mapped = self.contributor.attributes
        for name, kind in attribute_types(self.domain).items():
            column = mapped.get(name)
            if column is None or column not in rows.column_names:
                columns[name] = pa.nulls(n, kind)
            else:
                columns[name] = _cast(rows.column(column), kind, self.dataset_id, column)
        for name in (RUN_ID, SOURCE_FILE, SOURCE_ROW, LOGICAL_DATE):
            kind = schema.field(name).type
            present = name in rows.column_names
            columns[name] = rows.column(name).cast(kind) if present else pa.nulls(n, kind)
        return pa.table(columns, schema=schema)


def _cast(values: Any, kind: pa.DataType, dataset_id: str, column: str) -> Any:
    try:
        return values.cast(kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ConfigError(
            f"column {column!r} of {dataset_id}'s restricted table is {values.type}, "
            f"not the attribute's {kind}"
        ) from None


def gather(
    lake: Lake,
    registry: Registry,
    domain: Domain,
    runs: Sequence[ContributingRun] | None,
    known_usccs: Any,
    buckets: int,
    folder: Path,
    batch_rows: int,
) -> tuple[Deliveries, list[RunMatch]]:
    """Read the runs' rows into ``folder``, bucket by bucket, and count their keys.

    Args:
        lake: the lake (a deployment's settings, or a root URI).
        registry: the dataset registry (each contributor's table URI).
        domain: the repository.
        runs: the runs to read; None reads every row of every contributor (a full build).
        known_usccs: for legal entities, the USCCs the repository knows already (a string
            array; organisation codes resolve through them and the USCCs read).
        buckets: the repository's bucket count (:func:`~etl.integrate.tables.key_buckets`).
        folder: an empty private folder for the spill.
        batch_rows: rows per batch read (memory follows it).

    Returns:
        The spilled rows and, per run, its counts (every run asked for, even one that has no
        row any more; for a full build, every run found), in run order.
    """
    deliveries = Deliveries(folder, candidates_schema(domain))
    ordered = sorted(domain.datasets, key=lambda d: domain.key_form_of(d) == "org_code")
    seen: list[pa.Array] = [as_strings(known_usccs)]
    found: dict[tuple[str, str, date], RunMatch] = {}
    for dataset_id in ordered:
        wanted = None if runs is None else [r for r in runs if r.dataset == dataset_id]
        if wanted == []:
            continue
        uri = _restricted_uri(lake, registry, dataset_id)
        if not delta.table_exists(uri):
            continue
        lookup = None
        if domain.key_form_of(dataset_id) in ("org_code", "uscc"):
            # USCC datasets too: an old 税务登记证号 among their USCCs joins by its org code
            lookup = OrgCodeLookup.from_usccs(pa.chunked_array(seen, pa.string()))
        reader = _Reader(domain, dataset_id, uri, lookup, buckets, batch_rows)
        _spill(deliveries, reader.batches(wanted), dataset_id)
        seen += reader.usccs
        found.update({(dataset_id, *k): v for k, v in reader.counts.items()})
    matches = [found.get((r.dataset, r.run_id, r.logical_date), RunMatch(r)) for r in runs or []]
    if runs is None:
        matches = sorted(found.values(), key=lambda m: m.run)
    return deliveries, matches


def _spill(deliveries: Deliveries, batches: Iterator[pa.RecordBatch], dataset_id: str) -> None:
    def counted() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            deliveries.count(batch)
            yield batch

    options = pads.IpcFileFormat().make_write_options(compression="lz4")
    pads.write_dataset(
        counted(),
        deliveries.folder,
        schema=deliveries.schema,
        format="ipc",
        file_options=options,
        partitioning=_partitioning(),
        basename_template=f"{dataset_id}-{{i}}.arrow",
        existing_data_behavior="overwrite_or_ignore",
    )
