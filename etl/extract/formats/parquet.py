"""Parquet files as parts, streamed row group by row group.

The footer is checked when the file is opened (columns, nesting, reserved names, rows x
columns); the rows are then decoded ``batch_rows`` at a time and turned into text
(:func:`etl.extract.parquet_reader.column_to_text`), numbered 1..n. The text the file decodes
to is still counted against ``PUBDATA_MAX_WHOLE_READ_BYTES``, so a small file that expands to
gigabytes is refused within one batch of the limit, as when files were read whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from etl.extract._table import StreamedHeader, kept_names
from etl.extract.file_scan import FileScan
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.formats import file_fingerprint
from etl.extract.parquet_reader import check_schema, column_to_text, not_parquet, text_limit
from etl.extract.parts import Rejected
from etl.extract.paths import OpenedFile
from etl.extract.sources import Batch
from etl.registry.sources import FileSource
from etl.settings import ReadLimits


class ParquetPart:
    """One Parquet file whose footer was checked; its rows are decoded in :meth:`batches`."""

    def __init__(
        self,
        opened: OpenedFile,
        parquet: pq.ParquetFile,
        fingerprint: SourceFingerprint,
        limits: ReadLimits,
        batch_rows: int,
    ) -> None:
        self.opened = opened
        self.parquet = parquet
        self.limits = limits
        self.batch_rows = batch_rows
        self.comments: Mapping[str, str] = {}
        self._names = list(parquet.schema_arrow.names)
        self._fingerprint = fingerprint

    @property
    def header(self) -> tuple[str, ...]:
        """The columns' names from the footer, cleaned (empty ones dropped)."""
        return kept_names(self._names)

    def describe(self) -> SourceFingerprint:
        """The fingerprint (``rows`` from the footer)."""
        return self._fingerprint

    def batches(self) -> Iterator[Batch]:
        """The rows as text, ``batch_rows`` at a time (the handle is closed after).

        Raises:
            DataError: not a readable Parquet file, a column that cannot be turned into text,
                an empty-named column with values, or more text than the limit allows.
        """
        rel = self.opened.relative_path
        try:
            header = StreamedHeader(self._names, rel)
            held, first = 0, 1
            for batch in self._decoded():
                columns = [
                    column_to_text(pa.chunked_array([batch.column(i)]), self._names[i], rel)
                    for i in range(batch.num_columns)
                ]
                fields = [f"f{i}" for i in range(len(columns))]
                text = pa.Table.from_arrays(columns, names=fields).combine_chunks()
                held += text.nbytes
                if held > self.limits.max_whole_read_bytes:
                    raise text_limit(rel, self.limits)
                numbers = np.arange(first, first + text.num_rows, dtype=np.int64)
                first += text.num_rows
                yield Batch(header.apply(text), pa.array(numbers))
        finally:
            self.close()

    def _decoded(self) -> Iterator[pa.RecordBatch]:
        batches = self.parquet.iter_batches(batch_size=self.batch_rows, use_threads=False)
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except (pa.ArrowInvalid, OSError):
                raise not_parquet(self.opened.relative_path) from None
            yield batch

    def rejected(self) -> tuple[Rejected, ...]:
        """None: a row that cannot be read fails the file."""
        return ()

    def close(self) -> None:
        """Release the file's handles."""
        self.parquet.close()
        self.opened.close()


def open_part(
    opened: OpenedFile,
    scan: FileScan,
    source: FileSource,
    *,
    limits: ReadLimits,
    batch_rows: int,
) -> ParquetPart:
    """Open a Parquet file and check its footer (see :func:`check_schema`); no rows read.

    Raises:
        DataError: not a Parquet file, no rows, a reserved column name, or a limit exceeded.
    """
    rel = opened.relative_path
    try:
        parquet = pq.ParquetFile(opened.path)
    except (pa.ArrowInvalid, OSError):
        raise not_parquet(rel) from None
    try:
        check_schema(parquet, rel, limits)
    except BaseException:
        parquet.close()
        raise
    rows = parquet.metadata.num_rows
    fingerprint = file_fingerprint(opened, scan, "parquet", None, rows)
    return ParquetPart(opened, parquet, fingerprint, limits, batch_rows)
