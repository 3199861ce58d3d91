"""Staging files that carry a run's data between its tasks (tasks pass references, never data).

Staging holds raw delivered values (ID and phone numbers among them) outside the lake's
restricted zone, so it is private and short-lived:

* every folder is created ``0700`` and every Arrow file ``0600`` (modes given at creation, so
  no file is ever readable by another OS user, not even for a moment);
* a successful run drops its value files at the end of its record step (:func:`drop_values`);
* a run that stopped (killed, or failed for good) leaves them behind; they are dropped when the
  dataset's next run starts (:func:`run_folder`) or by the maintenance DAG (:func:`purge`),
  once nothing has touched the run's folder for ``IDLE_HOURS``;
* a run's folder itself (its small, value-free JSON summaries) goes after ``KEEP_DAYS``.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.ipc as ipc

RAW = "raw.arrow"  # every source column as delivered (strings) + _source_file/_sha256/_row
TYPED = "typed.arrow"  # declared types applied + _source_file, _source_sha256, _source_row
REJECTED = "rejected.arrow"  # ragged rows (raw text, line, reason): quarantined by validate
VALID = "valid.arrow"  # rows that passed casting and validation (typed)
QUARANTINE = "quarantine.arrow"  # raw rows that failed, with _reasons
# the steps' JSON records (source.json, validation.json, …) are named in etl.runtime.records

#: Staging files live for one run and are read back a few times, whole batches at a time, so
#: they are the Arrow IPC file format, uncompressed: writing is a copy into the page cache and
#: reading maps the file (1M x 18 columns: ~0.1-0.4 s of CPU to write, ~0 to read, against
#: ~0.5/0.1 s with LZ4 frames and ~0.9/0.6 s as LZ4 Parquet, where encoding pages is what costs).
#: The price is disk: ~1.5 GB per 1M rows of a 15-column register while a run is in flight.
STAGING_COMPRESSION = None
_OPTIONS = ipc.IpcWriteOptions(compression=STAGING_COMPRESSION)

log = logging.getLogger(__name__)

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
SPILL = "spill"  # DuckDB's spill folder of the validate step (staged keys)
#: Quarantine columns kept after a run: the record step and the quality alert read these.
QUARANTINE_KEPT = ("_source_file", "_source_row", "_reasons")
#: A run folder untouched this long belongs to a run that is over (killed or failed for good):
#: the longest pause of a live run is a retry delay (2 min doubling per try: 2 and 4 min with
#: the default two retries) or a queued task, far below this.
IDLE_HOURS = 6.0
#: A run folder's JSON summaries (counts, names, no values) are kept this long.
KEEP_DAYS = 7.0


def _mapped(path: Path) -> ipc.RecordBatchFileReader:
    """A reader of a staging file through a memory map: batches point into the page cache.

    Columns are chosen after reading (``select`` is zero-copy): with ``included_fields``
    Arrow copies each batch's whole message body, even from a map. The map lives as long as
    something holds a batch read from it, so a caller walking a large file opens one per batch
    (:func:`iter_tables`): pages of batches already dropped leave the process's RSS.
    """
    return ipc.open_file(pa.memory_map(str(path)))


def _check_columns(path: Path, schema: pa.Schema, columns: Sequence[str] | None) -> None:
    missing = [name for name in columns or () if schema.get_field_index(name) < 0]
    if missing:
        raise KeyError(f"staging table {path.name} has no column(s) {missing}")


def _ordered(table: pa.Table, columns: Sequence[str] | None) -> pa.Table:
    """The columns asked for, in the order asked for (zero-copy)."""
    return table if columns is None else table.select(list(columns))


def write_table(folder: Path, name: str, table: pa.Table) -> Path:
    """Write one staging table atomically (one batch per chunk of ``table``)."""
    with TableWriter(folder, name, table.schema) as writer:
        writer.write(table)
    return folder / name


def read_table(folder: Path, name: str, columns: Sequence[str] | None = None) -> pa.Table:
    """Read one staging table (or some of its columns) whole, without copying.

    A column of a large table holds that column's pages only (the table maps the file).
    """
    reader = _mapped(folder / name)
    _check_columns(folder / name, reader.schema, columns)
    return _ordered(reader.read_all(), columns)


class TableWriter:
    """Writes one staging table batch by batch; the file appears (atomically) on ``close``.

    Each :meth:`write` becomes one record batch, so a reader that walks the batches
    (:func:`iter_tables`) gets them back with the same boundaries; two tables written batch for
    batch (``raw`` and ``typed``) can be read side by side. A batch whose schema differs from
    the first one's is cast to it (an all-null batch of another type, say).
    """

    def __init__(self, folder: Path, name: str, schema: pa.Schema | None = None) -> None:
        self.path = folder / name
        self._tmp = folder / f".{name}.tmp"
        self._schema = schema
        self._writer: ipc.RecordBatchFileWriter | None = None
        self.rows = 0

    @property
    def schema(self) -> pa.Schema | None:
        """The file's schema, once the first batch (or the constructor) set it."""
        return self._schema

    def _start(self, schema: pa.Schema) -> ipc.RecordBatchFileWriter:
        self._schema = schema
        _create_private(self._tmp)
        # Arrow reopens the (private) empty file by name: it keeps its mode, Arrow's O_TRUNC
        # does not change it, and only the pipeline's user can reach the name in its folder
        self._writer = ipc.new_file(str(self._tmp), schema, options=_OPTIONS)
        return self._writer

    def write(self, table: pa.Table) -> None:
        """Append one batch (one record batch)."""
        writer = self._writer or self._start(self._schema or table.schema)
        assert self._schema is not None
        if table.schema != self._schema:
            table = table.select(self._schema.names).cast(self._schema)
        # one record batch per write, whatever the chunking: raw and typed are read in step
        for batch in table.combine_chunks().to_batches():
            writer.write_batch(batch)
        self.rows += table.num_rows

    def close(self, empty: pa.Schema | None = None) -> Path:
        """Finish the file; with no batch written, an empty table of ``empty``'s schema."""
        writer = self._writer or self._start(self._schema or empty or pa.schema([]))
        writer.close()
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Drop what was written (the previous file, if any, stays)."""
        if self._writer is not None:
            self._writer.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def count_rows(folder: Path, name: str) -> int:
    """Rows of a staging table, from its batches' headers (no data read)."""
    return int(_mapped(folder / name).count_rows())


def row_groups(folder: Path, name: str) -> int:
    """Batches of a staging table: more than one means the run was batched."""
    return int(_mapped(folder / name).num_record_batches)


def table_schema(folder: Path, name: str) -> pa.Schema:
    """The Arrow schema of a staging table, from its header."""
    return _mapped(folder / name).schema


def iter_tables(
    folder: Path, name: str, columns: Sequence[str] | None = None
) -> Iterator[pa.Table]:
    """The table's batches as written by :class:`TableWriter`.

    Memory holds one batch at a time; the batch size is the writer's, which follows
    ``Settings.batch_rows`` (tables written in one piece come back in one piece).
    """
    path = folder / name
    reader = _mapped(path)
    _check_columns(path, reader.schema, columns)
    if reader.num_record_batches == 0:
        yield _ordered(reader.schema.empty_table(), columns)
        return
    count = reader.num_record_batches
    del reader
    for index in range(count):
        # a map per batch: zero-copy reads, and memory follows the batches held, not the file
        yield _ordered(pa.Table.from_batches([_mapped(path).get_batch(index)]), columns)


def batches_at(
    folder: Path, name: str, indexes: Sequence[int], columns: Sequence[str] | None = None
) -> list[pa.Table]:
    """The batches at ``indexes`` (as written by :class:`TableWriter`), nothing else read."""
    reader = _mapped(folder / name)
    _check_columns(folder / name, reader.schema, columns)
    return [_ordered(pa.Table.from_batches([reader.get_batch(i)]), columns) for i in indexes]


def _create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (a leftover of an aborted write is replaced)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE))


def _private_folder(path: Path) -> bool:
    """Create ``path`` with mode 0700 unless it exists; whether it was created."""
    try:
        path.mkdir(mode=PRIVATE_FOLDER)
    except FileExistsError:
        return False
    return True


def run_folder(root: Path, dataset: str, run: str) -> Path:
    """The run's staging folder ``<root>/<dataset>/<run>/``, created private (0700) if new.

    A new run folder means a new run of the dataset has started: the values its earlier runs
    left behind (killed, or failed for good) are dropped then (:func:`purge` for this dataset).

    Args:
        root: the staging root (``Settings.staging``).
        dataset: the dataset id.
        run: the run's folder name (a file-name-safe run id).

    Returns:
        The folder.
    """
    root.parent.mkdir(parents=True, exist_ok=True)
    _private_folder(root)
    _private_folder(root / dataset)
    folder = root / dataset / run
    if _private_folder(folder):
        purge(root, dataset=dataset, spare=folder)
    return folder


def drop_values(folder: Path) -> int:
    """Remove a run's files that hold delivered values; returns the bytes freed.

    ``typed``, ``valid`` and ``rejected``, the spill folder and any unfinished ``.tmp`` write
    go; ``raw`` keeps its schema and no row (the source schema of the run's lineage facets);
    ``quarantine`` keeps only :data:`QUARANTINE_KEPT` (file, row number, reason codes), which
    the record step and the quality alert read. The JSON summaries stay: they hold counts and
    names, never values.
    """
    freed = sum(_remove(path) for path in _value_paths(folder))
    for name in (RAW, QUARANTINE):
        if _holds_rows(folder, name):
            before = (folder / name).stat().st_size
            write_table(folder, name, _value_free(folder, name))
            freed += before - (folder / name).stat().st_size
    return freed


def holds_values(folder: Path) -> bool:
    """Whether a run folder still holds delivered values (see :func:`drop_values`)."""
    return bool(_value_paths(folder)) or any(_holds_rows(folder, n) for n in (RAW, QUARANTINE))


def _value_paths(folder: Path) -> list[Path]:
    """The value files and folders of a run that exist (raw and quarantine are shrunk instead)."""
    names = [TYPED, VALID, REJECTED, SPILL]
    names += [f".{name}.tmp" for name in (RAW, TYPED, VALID, REJECTED, QUARANTINE)]
    return [folder / name for name in names if (folder / name).exists()]


def _holds_rows(folder: Path, name: str) -> bool:
    """Whether ``raw`` has rows, or ``quarantine`` columns beyond :data:`QUARANTINE_KEPT`."""
    if not (folder / name).is_file():
        return False
    if name == RAW:
        return count_rows(folder, RAW) > 0
    return bool(set(table_schema(folder, name).names) - set(QUARANTINE_KEPT))


def _value_free(folder: Path, name: str) -> pa.Table:
    schema = table_schema(folder, name)
    if name == RAW:
        return schema.empty_table()
    return read_table(folder, name, [n for n in QUARANTINE_KEPT if n in schema.names])


def _remove(path: Path) -> int:
    if path.is_dir():
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        shutil.rmtree(path)
        return size
    size = path.stat().st_size
    path.unlink()
    return size


@dataclass(frozen=True)
class Purged:
    """What a staging sweep did.

    Attributes:
        folders_removed: run folders removed whole (older than the keep time).
        runs_emptied: run folders whose value files were dropped (idle runs that are over).
        bytes_freed: bytes removed.
    """

    folders_removed: int = 0
    runs_emptied: int = 0
    bytes_freed: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (a DAG task's return value)."""
        return {
            "folders_removed": self.folders_removed,
            "runs_emptied": self.runs_emptied,
            "bytes_freed": self.bytes_freed,
        }


def purge(
    root: Path,
    *,
    keep_days: float = KEEP_DAYS,
    idle_hours: float = IDLE_HOURS,
    dataset: str | None = None,
    spare: Path | None = None,
    now: float | None = None,
) -> Purged:
    """Drop the values of runs that are over, and remove run folders past the keep time.

    Staging is ``<root>/<dataset>/<run>/``. A run folder whose newest file is older than
    ``idle_hours`` belongs to a run that is over: its value files go (:func:`drop_values`). One
    older than ``keep_days`` is removed whole. Anything touched more recently (a running run,
    or one between its tasks or retries) is left alone.

    Args:
        root: the staging root.
        keep_days: age after which a run folder is removed whole.
        idle_hours: age after which a run's value files are dropped.
        dataset: only this dataset's runs (the sweep a new run does); None sweeps all.
        spare: a run folder never touched (the run doing the sweep).
        now: the current time (seconds since the epoch), for tests.

    Returns:
        What was removed.
    """
    clock = time.time() if now is None else now
    removed = emptied = freed = 0
    runs = root.glob(f"{dataset}/*" if dataset is not None else "*/*") if root.is_dir() else ()
    for run in sorted(p for p in runs if p.is_dir() and not p.is_symlink() and p != spare):
        try:
            files = [f for f in run.rglob("*") if f.is_file()]
            newest = max((f.stat().st_mtime for f in files), default=run.stat().st_mtime)
            if newest < clock - keep_days * 86400:
                size = sum(f.stat().st_size for f in files)
                shutil.rmtree(run)
                removed, freed = removed + 1, freed + size
            elif newest < clock - idle_hours * 3600 and holds_values(run):
                freed += drop_values(run)
                emptied += 1
        except (OSError, pa.ArrowException) as exc:  # another sweep got there first, or so
            log.warning("staging: could not sweep %s: %s", run.name, type(exc).__name__)
    if removed or emptied:
        log.info(
            "staging: %d run folders removed, %d runs' values dropped (%d bytes)",
            removed,
            emptied,
            freed,
        )
    return Purged(removed, emptied, freed)
