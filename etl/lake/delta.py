"""Delta Lake reads and writes (delta-rs through the ``deltalake`` package).

Readers must go through the Delta log: a Parquet glob over a table directory also sees files that
a later commit replaced, and double-counts re-run days.
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake import Schema as DeltaSchema
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, Transaction

from etl.errors import ConcurrentRun
from etl.lake import private, store_probe
from etl.lake.dictionary import TableDoc
from etl.lake.storage import filesystem, is_s3, refusal, s3_settings, storage_options

log = logging.getLogger(__name__)

PARTITION_COLUMN = "_logical_date"
# Row groups of 256k rows: delta-rs buffers a row group in memory before writing it, so this
# bounds a writer's memory (the default, 1M rows of a wide table, is hundreds of MB per writer).
_WRITER = WriterProperties(compression="ZSTD", max_row_group_size=262_144)


def _prepare(uri: str) -> None:
    if "://" not in uri:
        private.prepare(uri)  # a restricted table's zone root is owner-only before any write
        Path(uri).mkdir(parents=True, exist_ok=True)
    elif is_s3(uri):
        # Once per process and store: refuse a store that would lose commits silently.
        store_probe.probe(uri, s3_settings(uri=uri))


def _table(uri: str, version: int | None = None) -> DeltaTable:
    try:
        return DeltaTable(uri, version=version, storage_options=storage_options(uri))
    except OSError as exc:  # object_store's errors, a refused key among them
        refused = refusal(uri, exc)
        if refused is None:
            raise
        raise refused from None


def _commit(
    metadata: Mapping[str, Any], txn: Transaction | list[Transaction] | None = None
) -> CommitProperties:
    # Commit metadata values must be JSON; keep them flat strings so every reader shows them.
    flat = {
        k: (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
        for k, v in metadata.items()
    }
    if txn is None:
        return CommitProperties(custom_metadata=flat)
    # A claimed commit must never be re-applied by delta-rs on a newer version: its conflict
    # checker lets two overwrites of one new partition both land (measured: 1 in 4 races of
    # four processes on two busy cores). :func:`commit` retries itself, after checking the claim.
    txns = txn if isinstance(txn, list) else [txn]
    return CommitProperties(custom_metadata=flat, app_transactions=txns, max_commit_retries=0)


def table_exists(uri: str) -> bool:
    """Whether a Delta table exists at ``uri``."""
    try:
        _table(uri)
    except TableNotFoundError:
        return False
    return True


def replace_partition(
    uri: str,
    table: pa.Table | pa.RecordBatchReader,
    logical_date: date,
    metadata: Mapping[str, Any],
    doc: TableDoc | None = None,
) -> int:
    """Replace the rows of one logical date with ``table`` in one atomic commit.

    Re-running a date replaces that date and never duplicates it; rows of other dates are
    untouched; an empty ``table`` clears the date. New columns are merged into the schema.
    A ``RecordBatchReader`` is written as it is read (memory: one batch), still one commit.
    The commit claims the date (:func:`claim`): a concurrent replace of the same date that
    commits first makes this one fail with :class:`~etl.errors.ConcurrentRun`. ``doc`` names
    and describes the table and its columns (see :func:`stage`).

    Returns:
        The Delta version written.
    """
    day = logical_date.isoformat()
    base = snapshot(uri)
    staged = stage(uri, table, day, base, doc)
    return commit(staged, metadata, claim(base, date_app_id(day)))


def replace_all(
    uri: str,
    table: pa.Table | pa.RecordBatchReader,
    metadata: Mapping[str, Any],
    doc: TableDoc | None = None,
) -> int:
    """Replace the whole table (snapshot loads) in one atomic commit; returns the version.

    The table takes the schema of ``table``; a concurrent replace that commits first makes this
    one fail with :class:`~etl.errors.ConcurrentRun`.
    """
    base = snapshot(uri)
    staged = stage(uri, table, None, base, doc)
    return commit(staged, metadata, claim(base, TABLE_APP_ID))


#: Rows per data file of a streamed write (a new file is started past this many rows).
FILE_ROWS = 1_000_000


def _merged_schema(base: DeltaTable, incoming: pa.Schema) -> pa.Schema:
    """The table's schema with the incoming columns added; no column is ever taken away.

    A column both have keeps the table's type and takes the commit's field metadata: its status
    (``etl.lake.dictionary``) and dictionary (a title edited in the registry) are the latest
    load's; Delta's own keys (``delta.*``) stay.

    Raises:
        ValueError: a column exists with another type (the pipeline stops such runs earlier).
    """
    current = pa.schema(base.schema().to_arrow())
    fields = list(current)
    known = {f.name: i for i, f in enumerate(current)}
    for f in incoming:
        if f.name not in known:
            fields.append(f)
            continue
        had = fields[known[f.name]]
        if pa.types.is_null(f.type):
            continue
        if not _same_type(had.type, f.type):
            raise ValueError(f"column {f.name} is {had.type} in the table, not {f.type}")
        if not f.metadata:
            continue  # a writer that says nothing about the column leaves what the table says
        kept = {k: v for k, v in (had.metadata or {}).items() if k.startswith(b"delta.")}
        fields[known[f.name]] = had.with_metadata({**kept, **(f.metadata or {})})
    return pa.schema(fields)


def _same_type(a: pa.DataType, b: pa.DataType) -> bool:
    def base(t: pa.DataType) -> pa.DataType:
        if pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return pa.string()
        if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
            return pa.binary()
        return t

    return bool(base(a) == base(b) or a.equals(b))


#: A column is dictionary-encoded when its first batch has fewer distinct values than this
#: share of its rows; others are written plain, so Parquet does not build a dictionary it
#: would give up after a megabyte (measured: 1M x 19 register columns, 1.17 s -> 0.95 s).
DICTIONARY_SHARE = 0.1
#: Rows of the first batch the choice is made on.
ENCODING_SAMPLE_ROWS = 10_000


def _encodings(sample: pa.Table) -> dict[str, Any]:
    """Parquet writer options by column from a first batch: dictionary, plain or delta ints."""
    dictionary: list[str] = []
    encoding: dict[str, str] = {}
    rows = min(sample.num_rows, ENCODING_SAMPLE_ROWS)
    for name, column in zip(sample.column_names, sample.columns, strict=True):
        kind = column.type
        if pa.types.is_nested(kind) or pa.types.is_dictionary(kind):
            continue  # left to the writer (not dictionary-encoded)
        if rows == 0 or len(column.slice(0, rows).unique()) < DICTIONARY_SHARE * rows:
            dictionary.append(name)
        elif pa.types.is_integer(kind):
            encoding[name] = "DELTA_BINARY_PACKED"  # row numbers and ids: nearly free
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            encoding[name] = "PLAIN"
    return {"use_dictionary": dictionary, "column_encoding": encoding}


def _file_stats(metadata: Any, names: list[str]) -> str:
    """Delta ``stats`` of one written file: rows and null counts from its Parquet footer."""
    nulls: dict[str, int] = {}
    for index, name in enumerate(names):
        total = 0
        for group in range(metadata.num_row_groups):
            stats = metadata.row_group(group).column(index).statistics
            if stats is None or not stats.has_null_count:
                break
            total += int(stats.null_count)
        else:
            nulls[name] = total
    return json.dumps({"numRecords": int(metadata.num_rows), "nullCount": nulls})


# --- The commit protocol -------------------------------------------------------------------
#
# A run replaces one date (or, for snapshot datasets, the whole table) in several tables. Each
# replace is split in two: ``stage`` writes the Parquet files (invisible: no log entry refers to
# them) and ``commit`` adds them and removes the date's previous files in one Delta commit. The
# commit carries the run's *claim* on the date as a Delta application transaction
# (``txn``: app id ``pubdata:<date>``, version = the date's generation), so
#
# - two runs that claim the same date concurrently conflict in delta-rs's conflict checker
#   ("concurrent transaction"), even when the date had no files yet (two blind adds of a new
#   date would otherwise both commit and duplicate it);
# - commits for other dates never conflict (delta-rs retries them on the newer version);
# - every table states which generation of the date it holds: ``transaction_version(app_id)``.
#
# The first table of a run makes the claim: if another run claimed the date after this run read
# the table, this run has lost and stops before anything of it is visible. The later tables of
# the run are committed while the run still owns the date (the first table's generation is still
# its own) and retried on conflicts; a run whose claim was taken over stops (superseded).


#: App id of the claim on one date of a partitioned table.
def date_app_id(day: str) -> str:
    """The Delta application-transaction id that claims one logical date."""
    return f"pubdata:{day}"


#: App id of the claim on a whole (snapshot) table.
TABLE_APP_ID = "pubdata:table"
#: Commit attempts before a conflict that keeps recurring is given up.
COMMIT_ATTEMPTS = 8


@dataclass(frozen=True)
class Claim:
    """A run's claim on what it replaces: the app id and the generation it commits as.

    Attributes:
        app_id: the application transaction of the claim.
        generation: the version it commits as.
        marks: other application transactions (app id, version) the commit records with it.
    """

    app_id: str
    generation: int
    marks: tuple[tuple[str, int], ...] = ()

    def transactions(self) -> list[Transaction]:
        """The claim's transaction first, then its marks'."""
        return [Transaction(self.app_id, self.generation), *(Transaction(*m) for m in self.marks)]


@dataclass
class Staged:
    """Data files written for one replace and not committed yet (no reader can see them).

    Attributes:
        uri: the table.
        day: the logical date replaced, or None: the whole table.
        base: the table as it was before the files were written (None: no table yet); the
            commit is checked against every commit made since.
        schema: the schema of the written rows (with the partition column), its fields
            documented by ``doc``.
        doc: the table's name, description and field docs (None: the table says nothing).
        files: written files with their Parquet footers.
    """

    uri: str
    day: str | None
    base: DeltaTable | None
    schema: pa.Schema
    doc: TableDoc | None = None
    files: list[tuple[str, Any]] = field(default_factory=list)


def snapshot(uri: str) -> DeltaTable | None:
    """The table's current version as the base of a commit, or None when there is no table."""
    try:
        return _table(uri)
    except TableNotFoundError:
        return None


def snapshot_schema(base: DeltaTable | None) -> pa.Schema | None:
    """The Arrow schema of a :func:`snapshot` (with field metadata), or None without a table."""
    return None if base is None else pa.schema(base.schema().to_arrow())


def _generation(table: DeltaTable | None, app_id: str) -> int:
    return 0 if table is None else int(table.transaction_version(app_id) or 0)


def claim(base: DeltaTable | None, app_id: str) -> Claim:
    """The next claim on ``app_id`` after the one ``base`` holds."""
    return Claim(app_id, _generation(base, app_id) + 1)


def generation(uri: str, app_id: str) -> int:
    """The generation of ``app_id`` the table holds now (0: never claimed, or no table)."""
    return _generation(snapshot(uri), app_id)


def stage(
    uri: str,
    rows: pa.Table | pa.RecordBatchReader,
    day: str | None,
    base: DeltaTable | None,
    doc: TableDoc | None = None,
) -> Staged:
    """Write the rows as Parquet files with pyarrow, to be committed by :func:`commit`.

    delta-rs 1.6 keeps every batch of a string-heavy stream in memory until its write commits
    (measured: ~27 MB per 100k-row batch of a 19-column register, 3.5 GB before a 19.5M-row
    write finished), so the files are written here, batch by batch (memory: one batch), and
    only the commit goes through delta-rs. Files of a failed write are deleted.

    ``doc``'s field docs go into the schema's field metadata, so both the Parquet files'
    footers and the Delta schema carry them; its name and description go in at the commit.
    """
    reader = (
        pa.RecordBatchReader.from_batches(rows.schema, rows.to_batches())
        if isinstance(rows, pa.Table)
        else rows
    )
    if day is not None and PARTITION_COLUMN not in reader.schema.names:
        raise ValueError(f"table lacks the partition column {PARTITION_COLUMN}")
    _prepare(uri)
    schema = doc.annotate(reader.schema) if doc is not None else reader.schema
    staged = Staged(uri, day, base, schema, doc)
    keep = [f for f in schema if day is None or f.name != PARTITION_COLUMN]
    data_schema = pa.schema(keep)
    fs = _filesystem(uri)
    if fs is None:
        raise ValueError(f"no filesystem for {uri}")
    folder = f"{PARTITION_COLUMN}={day}/" if day is not None else ""
    if folder:
        fs.create_dir(folder.rstrip("/"), recursive=True)
    files = _PartFiles(fs, folder, data_schema, staged)
    try:
        for batch in reader:
            if day is not None:
                _check_day(batch, day)
            files.write(pa.Table.from_batches([batch]).select(data_schema.names).cast(data_schema))
        files.close()
    except BaseException:
        files.abandon()
        discard(staged)
        raise
    return staged


class _PartFiles:
    """The Parquet files of one staged write, a new one every :data:`FILE_ROWS` rows.

    Each file is listed in ``staged.files`` when it is closed: with its footer when complete,
    with None when the write failed (so that :func:`discard` deletes it too).
    """

    def __init__(self, fs: pafs.FileSystem, folder: str, schema: pa.Schema, staged: Staged) -> None:
        self._fs = fs
        self._folder = folder
        self._schema = schema
        self._staged = staged
        self._prefix = uuid.uuid4().hex
        self._writer: pq.ParquetWriter | None = None
        self._sink: Any = None
        self._rows = 0
        self._path = ""

    def write(self, part: pa.Table) -> None:
        """Append rows, starting the next file when the current one is full."""
        if self._writer is None or self._rows >= FILE_ROWS:
            self.close()
            self._path = (
                f"{self._folder}part-{len(self._staged.files):05d}-{self._prefix}.zstd.parquet"
            )
            self._sink = self._fs.open_output_stream(self._path)
            self._writer = pq.ParquetWriter(
                self._sink, self._schema, compression="zstd", **self._encodings_of(part)
            )
            self._rows = 0
        self._writer.write_table(part)
        self._rows += part.num_rows

    def _encodings_of(self, part: pa.Table) -> dict[str, Any]:
        # the partitions of one rewrite hold alike rows: their first sizeable one decides
        staged = self._staged
        if not isinstance(staged, StagedPartitions):
            return _encodings(part)
        if staged.encodings is not None:
            return staged.encodings
        found = _encodings(part)
        if part.num_rows >= ENCODING_SAMPLE_ROWS // 10:
            staged.encodings = found
        return found

    def close(self) -> None:
        """Finish the open file, if any, and list it with its footer."""
        if self._writer is not None:
            self._writer.close()
            self._sink.close()  # an S3 upload completes when its stream closes
            self._staged.files.append((self._path, self._writer.writer.metadata))
            self._writer = self._sink = None

    def abandon(self) -> None:
        """Close the open file, if any, and list it without a footer, to be deleted."""
        if self._writer is not None:
            self._writer.close()
            self._sink.close()
            self._staged.files.append((self._path, None))
            self._writer = self._sink = None


def _check_day(batch: pa.RecordBatch, day: str) -> None:
    """Refuse rows of another date: they would be filed under this one."""
    dates = batch.column(PARTITION_COLUMN).cast(pa.string())
    if dates.null_count or not pc.all(pc.equal(dates, day)).as_py():
        raise ValueError(f"rows of another {PARTITION_COLUMN} than {day} in its replace")


# --- Partition rewrites ---------------------------------------------------------------------
#
# A table partitioned by key buckets (the integrated repositories) is updated by rewriting the
# partitions whose rows changed: each is written whole (its unchanged rows copied), and one
# commit removes the partitions' previous files and adds the new ones. This is what a Delta
# MERGE does (copy-on-write of the files holding matched rows), done with pyarrow's writer one
# partition at a time, so memory follows a partition, not the table.


@dataclass
class StagedPartitions(Staged):
    """Partitions written whole and not committed yet (see :func:`stage_partitions`).

    Attributes:
        partition_by: the partition columns, outermost first.
        whole: the commit replaces the whole table (every earlier file is removed, and the
            table takes :attr:`schema`); otherwise only the :attr:`replaced` partitions.
        values: each written file's partition values (column → text, as Delta stores them).
        replaced: the partition values of every partition written, as tuples in
            :attr:`partition_by` order; an empty partition written removes it.
        encodings: the Parquet encodings of every file, chosen once from the first
            partition of a thousand rows or more (earlier, smaller ones choose their own).
    """

    partition_by: tuple[str, ...] = ()
    whole: bool = False
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    replaced: set[tuple[str, ...]] = field(default_factory=set)
    encodings: dict[str, Any] | None = None


def stage_partitions(
    uri: str,
    base: DeltaTable | None,
    schema: pa.Schema,
    partition_by: tuple[str, ...],
    *,
    whole: bool = False,
    doc: TableDoc | None = None,
) -> StagedPartitions:
    """Start a rewrite of some partitions of ``uri`` (or of the whole table, ``whole``).

    Args:
        uri: the table.
        base: the table as read before its partitions were computed (:func:`snapshot`).
        schema: the table's schema, partition columns included.
        partition_by: the partition columns.
        whole: replace the whole table rather than the partitions written.
        doc: the table's name, description and field docs.

    Returns:
        The stage to :func:`write_partition` into, then :func:`commit` (or :func:`discard`).
    """
    _prepare(uri)
    if _filesystem(uri) is None:
        raise ValueError(f"no filesystem for {uri}")
    annotated = doc.annotate(schema) if doc is not None else schema
    return StagedPartitions(uri, None, base, annotated, doc, partition_by=partition_by, whole=whole)


_PARTITION_VALUE = re.compile(r"[A-Za-z0-9_.-]+")


def write_partition(staged: StagedPartitions, values: Mapping[str, str], rows: pa.Table) -> None:
    """Write the whole new content of one partition (no rows: the partition goes).

    Args:
        staged: the rewrite.
        values: the partition's value of each partition column, as text (identifiers and
            numbers: Hive-style folder names need no escaping).
        rows: every row the partition holds after the commit, with or without the partition
            columns (their values are ``values``).
    """
    key = tuple(values[c] for c in staged.partition_by)
    if not all(_PARTITION_VALUE.fullmatch(v) for v in key):
        raise ValueError(f"partition values must be identifiers or numbers, not {key}")
    staged.replaced.add(key)
    if rows.num_rows == 0:
        return
    data = pa.schema([f for f in staged.schema if f.name not in staged.partition_by])
    fs = _filesystem(staged.uri)
    assert fs is not None  # stage_partitions checked it
    folder = "".join(f"{c}={v}/" for c, v in zip(staged.partition_by, key, strict=True))
    fs.create_dir(folder.rstrip("/"), recursive=True)
    before = len(staged.files)
    files = _PartFiles(fs, folder, data, staged)
    try:
        for start in range(0, rows.num_rows, FILE_ROWS):
            files.write(rows.slice(start, FILE_ROWS).select(data.names).cast(data))
        files.close()
    except BaseException:
        files.abandon()
        raise
    for name, _ in staged.files[before:]:
        staged.values[name] = dict(zip(staged.partition_by, key, strict=True))


def partition_rows(
    base: DeltaTable | None, partition_by: tuple[str, ...]
) -> dict[tuple[str, ...], int]:
    """Rows per partition of a table, from its log (no data file is opened).

    Returns:
        Partition values (as text, in ``partition_by`` order) → rows; empty without a table.
        With no ``partition_by``, the table's rows under ``()``.
    """
    if base is None:
        return {}
    actions = pa.table(base.get_add_actions(flatten=True))
    counts: dict[tuple[str, ...], int] = {}
    columns = [actions.column(f"partition.{c}").cast(pa.string()).to_pylist() for c in partition_by]
    keys: Iterable[tuple[str, ...]] = (
        zip(*columns, strict=True) if columns else itertools.repeat((), actions.num_rows)
    )
    for key, rows in zip(keys, actions.column("num_records").to_pylist(), strict=True):
        counts[key] = counts.get(key, 0) + int(rows or 0)
    return counts


def snapshot_dataset(base: DeltaTable, uri: str, dictionary: Sequence[str] = ()) -> pads.Dataset:
    """The files of one :func:`snapshot` as a pyarrow dataset (partition filters prune files).

    Args:
        base: the snapshot.
        uri: its table.
        dictionary: string columns to read as dictionary arrays (their type in the dataset):
            for columns of few distinct values, decoding them is then a fraction of the work.
    """
    options = pads.ParquetReadOptions(dictionary_columns=list(dictionary)) if dictionary else None
    return base.to_pyarrow_dataset(filesystem=_filesystem(uri), parquet_read_options=options)


def _create(
    staged: Staged | StagedPartitions,
    adds: list[AddAction],
    partition_by: list[str],
    properties: CommitProperties,
) -> None:
    """Create the table at ``staged.uri`` whose first commit adds the staged files."""
    from deltalake.transaction import create_table_with_add_actions

    create_table_with_add_actions(
        staged.uri,
        DeltaSchema.from_arrow(staged.schema),
        adds,
        mode="error",
        partition_by=partition_by,
        name=staged.doc.name if staged.doc else None,
        description=staged.doc.description if staged.doc else None,
        storage_options=storage_options(staged.uri),
        commit_properties=properties,
    )


def _commit_partitions_once(
    staged: StagedPartitions, base: DeltaTable | None, properties: CommitProperties
) -> None:
    from deltalake.transaction import RemoveAction

    fs = _filesystem(staged.uri)
    assert fs is not None  # stage_partitions checked it
    data_names = [n for n in staged.schema.names if n not in staged.partition_by]
    now = int(datetime.now(UTC).timestamp() * 1000)
    adds: list[AddAction | RemoveAction] = [
        AddAction(
            path=name,
            size=int(fs.get_file_info(name).size or 0),
            partition_values=dict(staged.values[name]),
            modification_time=now,
            data_change=True,
            stats=_file_stats(footer, data_names),
        )
        for name, footer in staged.files
    ]
    partition_by = list(staged.partition_by)
    if base is None:
        _create(staged, [a for a in adds if isinstance(a, AddAction)], partition_by, properties)
        return
    if staged.whole:
        base.create_write_transaction(
            adds,
            mode="overwrite",
            schema=staged.schema,
            partition_by=partition_by,
            commit_properties=properties,
        )
        return
    actions = pa.table(base.get_add_actions(flatten=True))
    keys = zip(
        *(actions.column(f"partition.{c}").cast(pa.string()).to_pylist() for c in partition_by),
        strict=True,
    )
    removes = [
        RemoveAction(path, True, now, size, dict(zip(partition_by, key, strict=True)))
        for path, size, key in zip(
            actions.column("path").to_pylist(),
            actions.column("size_bytes").to_pylist(),
            keys,
            strict=True,
        )
        if key in staged.replaced
    ]
    base.create_write_transaction(
        [*adds, *removes],
        mode="append",
        schema=staged.schema,
        partition_by=partition_by,
        commit_properties=properties,
    )


def discard(staged: Staged) -> None:
    """Delete the files of a replace that will not be committed."""
    fs = _filesystem(staged.uri)
    for name, _ in staged.files:
        try:
            if fs is not None:
                fs.delete_file(name)
        except OSError:
            log.warning("could not remove uncommitted file %s of %s", name, staged.uri)
    staged.files.clear()


def commit(
    staged: Staged,
    metadata: Mapping[str, Any],
    claim: Claim,
    owner: Callable[[], bool] | None = None,
) -> int:
    """Commit staged files as one atomic replace of the date (or table), carrying ``claim``.

    Args:
        staged: what :func:`stage` wrote.
        metadata: commit metadata (flat strings; see :func:`_commit`).
        claim: the run's claim on the date.
        owner: None when this commit makes the claim (the run's first table): a concurrent
            claim of the same date that committed first makes it lose. Otherwise a check that
            the run still owns the date, made before every attempt: conflicts are retried on
            the newer version while it holds.

    Returns:
        The Delta version written.

    Raises:
        ConcurrentRun: another run claimed the date first (nothing of this commit is visible;
            its files are deleted), or took it over from this run.
    """
    base = staged.base
    token = uuid.uuid4().hex
    meta = {**metadata, "pubdata.commit": token}
    attempt = 0
    while True:
        attempt += 1
        if owner is not None and not owner():
            discard(staged)
            raise ConcurrentRun(f"{_what(staged)}: {_took_over(staged)}")
        try:
            _commit_once(staged, base, meta, claim)
        except DeltaError as exc:
            created = base is None and "already exists" in str(exc)
            if not (isinstance(exc, CommitFailedError) or created) or attempt == COMMIT_ATTEMPTS:
                discard(staged)
                raise
            fresh = _table(staged.uri)
            if owner is None and _generation(fresh, claim.app_id) != claim.generation - 1:
                discard(staged)
                raise ConcurrentRun(f"{_what(staged)}: {_took_over(staged)}") from None
            if isinstance(staged, StagedPartitions) and not staged.whole:
                # its partitions were computed from the rows the base held: replacing them on
                # a newer version would drop what the commits since added to them
                discard(staged)
                raise ConcurrentRun(
                    f"{_what(staged)}: the table changed while it was rewritten"
                ) from None
            log.info("commit to %s conflicted (%s); retrying on the newer version", staged.uri, exc)
            base = fresh
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # concurrent writers desynchronise
            continue
        staged.files.clear()  # committed: the files belong to the table now
        committed = _committed_version(staged.uri, token)
        if base is not None and staged.doc is not None:
            _describe(staged.uri, staged.doc)
        private.seal(staged.uri)
        return committed


def _what(staged: Staged) -> str:
    if isinstance(staged, StagedPartitions) and not staged.whole:
        return f"{staged.uri} ({len(staged.replaced)} partitions)"
    return f"{staged.uri} ({'date ' + staged.day if staged.day else 'whole table'})"


def _took_over(staged: Staged) -> str:
    """Who claimed the date instead, from the newest commit that names it."""
    for entry in history(staged.uri, limit=50):
        if staged.day is None or entry.get("pubdata.logical_date") == staged.day:
            run = entry.get("pubdata.run_id")
            if run:
                return f"run {run} replaced it while this run was loading; that run's rows stand"
    return "another run replaced it while this run was loading; that run's rows stand"


def _commit_once(
    staged: Staged, base: DeltaTable | None, metadata: Mapping[str, Any], claim: Claim
) -> None:
    if isinstance(staged, StagedPartitions):
        _commit_partitions_once(staged, base, _commit(metadata, claim.transactions()))
        return
    fs = _filesystem(staged.uri)
    assert fs is not None  # stage() checked it
    partitioned = staged.day is not None
    data_names = [n for n in staged.schema.names if not partitioned or n != PARTITION_COLUMN]
    now = int(datetime.now(UTC).timestamp() * 1000)
    adds = [
        AddAction(
            path=name,
            size=int(fs.get_file_info(name).size or 0),
            partition_values={PARTITION_COLUMN: staged.day} if partitioned else {},
            modification_time=now,
            data_change=True,
            stats=_file_stats(footer, data_names),
        )
        for name, footer in staged.files
    ]
    properties = _commit(metadata, claim.transactions())
    partition_by = [PARTITION_COLUMN] if partitioned else []
    if base is None:
        _create(staged, adds, partition_by, properties)
        return
    schema = _merged_schema(base, staged.schema) if partitioned else staged.schema
    base.create_write_transaction(
        list(adds),
        mode="overwrite",
        schema=schema,
        partition_by=partition_by,
        partition_filters=[(PARTITION_COLUMN, "=", staged.day)] if partitioned else None,
        commit_properties=properties,
    )


def _describe(uri: str, doc: TableDoc) -> None:
    """Give an existing table ``doc``'s name and description if it has others.

    A new table gets them in its first commit; an existing one (created before, or whose
    registry title changed) gets a commit of its own for each, only when it differs. That
    commit is not the run's: failing it (a concurrent writer, an object-store error) is logged,
    and the next load tries again.
    """
    properties = CommitProperties(custom_metadata={"pubdata.describe": "registry"})
    try:
        table = _table(uri)
        current = table.metadata()
        if doc.name != current.name:
            table.alter.set_table_name(doc.name, commit_properties=properties)
        if doc.description is not None and doc.description != current.description:
            table.alter.set_table_description(doc.description, commit_properties=properties)
    except (DeltaError, OSError) as exc:  # the data is committed: a lost race or a store blip
        log.warning(
            "could not set the name and description of %s (%s); next load", uri, type(exc).__name__
        )


def _committed_version(uri: str, token: str) -> int:
    """The version of the commit carrying ``token`` (other writers may have committed since)."""
    for entry in history(uri, limit=100):
        if entry.get("pubdata.commit") == token:
            return int(entry["version"])
    return int(_table(uri).version())


def append(
    uri: str,
    table: pa.Table,
    metadata: Mapping[str, Any] | None = None,
    once: tuple[str, int] | None = None,
) -> int | None:
    """Append rows (used by the ``_meta`` tables); returns the version written.

    Appends never conflict with each other, but the first commits to a new table do (two
    writers creating it): those are retried. ``once`` (app id, version) makes the append
    idempotent: it is committed as that Delta application transaction and skipped (None is
    returned) when the table already holds it, so a step killed after some of its appends can
    be run again without doubling them.
    """
    _prepare(uri)
    txn = Transaction(*once) if once else None
    attempt = 0
    while True:
        attempt += 1
        if once is not None and _generation(snapshot(uri), once[0]) >= once[1]:
            return None
        try:
            write_deltalake(
                uri,
                table,
                storage_options=storage_options(uri),
                mode="append",
                schema_mode="merge",
                writer_properties=_WRITER,
                commit_properties=_commit(metadata or {}, txn),
            )
        except CommitFailedError:
            if attempt == COMMIT_ATTEMPTS:
                raise
            time.sleep(random.uniform(0.01, 0.05) * attempt)
            continue
        private.seal(uri)
        return int(_table(uri).version())


def append_claimed(
    uri: str,
    table: pa.Table,
    metadata: Mapping[str, Any],
    txn: tuple[str, int],
    base: DeltaTable | None,
    configuration: Mapping[str, str] | None = None,
) -> bool:
    """Append rows on top of ``base`` as the application transaction ``txn``, or not at all.

    For writers that must commit in order (the access log's hash chain): the commit is made
    once, without delta-rs's own retries, so any commit since ``base`` (another writer's, a
    compaction) makes it fail and the caller reads the table again.

    Args:
        uri: the table.
        table: the rows.
        metadata: commit metadata (flat strings; see :func:`_commit`).
        txn: (app id, version) the commit records.
        base: the table as the caller read it (None: no table yet, the commit creates it).
        configuration: Delta table properties of a table this commit creates.

    Returns:
        True when committed, False when another commit came first (nothing was written).
    """
    _prepare(uri)
    properties = _commit(metadata, Transaction(*txn))
    try:
        if base is None:
            write_deltalake(
                uri,
                table,
                storage_options=storage_options(uri),
                mode="append",
                configuration=configuration,
                writer_properties=_WRITER,
                commit_properties=properties,
            )
        else:
            write_deltalake(
                base,
                table,
                mode="append",
                schema_mode="merge",
                writer_properties=_WRITER,
                commit_properties=properties,
            )
    except CommitFailedError:
        return False
    except DeltaError as exc:
        if base is None and "already exists" in str(exc):  # another writer created it first
            return False
        raise
    return True


def _filesystem(uri: str) -> pafs.FileSystem | None:
    # A native pyarrow filesystem rooted at the table, local or S3 (see etl.lake.storage).
    return filesystem(uri)


def read(uri: str, *, columns: list[str] | None = None, version: int | None = None) -> pa.Table:
    """Read a Delta table through its log (never by globbing Parquet files)."""
    dt = _table(uri, version=version)
    return dt.to_pyarrow_table(columns=columns, filesystem=_filesystem(uri))


AsOf = int | datetime | str | None


def open_table(uri: str, as_of: AsOf = None) -> DeltaTable:
    """Open a Delta table, optionally as of a version or a point in time.

    Args:
        uri: the table URI.
        as_of: None for the latest version, an ``int`` version, or a ``datetime``/ISO-8601
            string (naive means UTC): the version that was current at that instant.

    Returns:
        The table at that version.

    Raises:
        TableNotFoundError: there is no table at ``uri``.
        ValueError: the version or instant does not exist (before the table was created, or a
            version not yet written).
    """
    if as_of is None:
        return _table(uri)
    if isinstance(as_of, bool):
        raise ValueError("as_of must be a version or an instant, not a bool")
    if isinstance(as_of, int):
        latest = int(_table(uri).version())
        if not 0 <= as_of <= latest:
            raise ValueError(f"version {as_of} does not exist (latest is {latest})")
        return _table(uri, version=as_of)
    instant = datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    millis = instant.timestamp() * 1000
    commits = [c for c in _table(uri).history() if int(c["timestamp"]) <= millis]
    if not commits:
        raise ValueError(f"the table did not exist yet at {instant.isoformat()}")
    return _table(uri, version=max(int(c["version"]) for c in commits))


def schema(uri: str, as_of: AsOf = None) -> pa.Schema:
    """The Arrow schema of a table at one version (read from the log, no data file opened)."""
    return pa.schema(open_table(uri, as_of).schema().to_arrow())


def dataset(uri: str, as_of: AsOf = None) -> pads.Dataset:
    """The table's files at one version as a pyarrow dataset (for DuckDB or lazy scans).

    The file list comes from the Delta log, so files a later commit replaced are never read.
    """
    return open_table(uri, as_of).to_pyarrow_dataset(filesystem=_filesystem(uri))


def version(uri: str) -> int | None:
    """The current version of the table at ``uri``, or None when there is no table."""
    try:
        return int(_table(uri).version())
    except TableNotFoundError:
        return None


def history(uri: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Commit history (newest first), including the custom commit metadata."""
    return list(_table(uri).history(limit))
