"""Staging files that carry a run's data between its tasks (tasks pass references, never data)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.ipc as ipc

RAW = "raw.arrow"  # every source column as delivered (strings) + _source_file/_sha256/_row
TYPED = "typed.arrow"  # declared types applied + _source_file, _source_sha256, _source_row
REJECTED = "rejected.arrow"  # ragged rows (raw text, line, reason): quarantined by validate
VALID = "valid.arrow"  # rows that passed casting and validation (typed)
QUARANTINE = "quarantine.arrow"  # raw rows that failed, with _reasons
SOURCE = "source.json"
RUN = "run.json"
VALIDATION = "validation.json"
CLASSIFICATION = "classification.json"
DRIFT = "drift.json"  # classification drift that holds shared/open publishing
LOAD = "load.json"

#: Staging files live for one run and are read back a few times, whole batches at a time, so
#: they are the Arrow IPC file format, uncompressed: writing is a copy into the page cache and
#: reading maps the file (1M x 18 columns: ~0.1-0.4 s of CPU to write, ~0 to read, against
#: ~0.5/0.1 s with LZ4 frames and ~0.9/0.6 s as LZ4 Parquet, where encoding pages is what costs).
#: The price is disk: ~1.5 GB per 1M rows of a 15-column register while a run is in flight.
STAGING_COMPRESSION = None
_OPTIONS = ipc.IpcWriteOptions(compression=STAGING_COMPRESSION)


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


def purge(root: Path, keep_days: float, now: float | None = None) -> tuple[int, int]:
    """Remove run staging folders untouched for ``keep_days`` (they hold raw personal values).

    Staging is ``<root>/<dataset>/<run>/``; a folder whose newest file is younger than the
    retention is kept, so running and recently failed runs (whose failure record and a re-try
    read staging) are never touched.

    Returns:
        (folders removed, bytes freed).
    """
    import shutil
    import time

    cutoff = (time.time() if now is None else now) - keep_days * 86400
    removed = freed = 0
    if not root.is_dir():
        return 0, 0
    for run in sorted(p for p in root.glob("*/*") if p.is_dir()):
        files = [f for f in run.rglob("*") if f.is_file()]
        newest = max((f.stat().st_mtime for f in files), default=run.stat().st_mtime)
        if newest >= cutoff:
            continue
        freed += sum(f.stat().st_size for f in files)
        shutil.rmtree(run)
        removed += 1
    return removed, freed
