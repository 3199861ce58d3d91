"""Delimited files read as a stream of record batches, so file size does not set peak memory.

The same rules as :mod:`etl.extract.csv_reader` (encoding and delimiter detection, every column
a string, empty fields null, header names cleaned and checked, ragged rows set aside with their
numbers), but the file is read by pyarrow's streaming reader in blocks and handed on in batches
of ``batch_rows`` rows. Parsing is single-threaded so that pyarrow reports the record number of
each ragged row; conversion of a block to strings is all that threads would speed up here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.errors import DataError
from etl.extract._table import check_reserved, clean_name, finish_table
from etl.extract.csv_reader import (
    _RaggedRows,
    arrow_csv_errors,
    no_rows,
    nul_row,
    refuse_nul,
    sniff,
)
from etl.extract.encoding import settle_utf8
from etl.extract.file_scan import FileScan, scan_file
from etl.extract.parts import Rejected
from etl.extract.ragged import physical_lines
from etl.settings import DEFAULT_LIMITS, ReadLimits

logger = logging.getLogger(__name__)

_SPARE_COLUMNS = 64


@dataclass(frozen=True)
class CsvLayout:
    """How a delimited file is read: found from its first bytes (and, for UTF-8, all of them).

    Attributes:
        codec: the Python codec name the text decodes with.
        delimiter: the field separator.
        width: fields in the header line.
        header: the cleaned header names as the sniffer splits them.
        scan: what the one pass over the file's bytes found (hash, UTF-8, line ends).
        record_bytes: the longest record read, and pyarrow's read block (a record must fit
            in one): 4 MiB by default keeps the reader's buffers small (1 MiB is ~1.4x slower,
            8 MiB and up prefetch hundreds of MB).
    """

    codec: str
    delimiter: str
    width: int
    header: tuple[str, ...]
    scan: FileScan = field(repr=False)
    record_bytes: int = DEFAULT_LIMITS.max_record_bytes


@dataclass(frozen=True)
class CsvBatch:
    """Rows of one batch: all-string columns with the header's names, and their row numbers."""

    table: pa.Table = field(repr=False)
    rows: pa.Array = field(repr=False)


def csv_layout(
    path: Path,
    rel: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    scan: FileScan | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CsvLayout:
    """Detect (or take the declared) codec and delimiter, and read the header line.

    ``scan`` is the file's one pass over every byte (:func:`etl.extract.file_scan.scan_file`);
    without it the file is scanned here. A file that is not UTF-8 throughout although its head
    is is read as gb18030 when its text is GBK, and refused with the first broken byte when its
    text is UTF-8 (see :func:`etl.extract.encoding.settle_utf8`).

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable head, no header line, broken UTF-8, a first
            line over the record limit, too many columns, a reserved column name.
    """
    scan = scan or scan_file(path)
    sniffed = sniff(path, rel, encoding, delimiter, limits)
    check_reserved(sniffed.header, rel)
    codec = sniffed.codec
    if codec in ("utf-8", "utf-8-sig") and not scan.utf8:
        codec = settle_utf8(path, rel, sniffed.head, declared=encoding is not None)
        if codec == "gb18030":
            # The header is sniffed again in the codec the file is read with.
            sniffed = sniff(path, rel, codec, sniffed.delimiter, limits)
    return CsvLayout(
        codec=codec,
        delimiter=sniffed.delimiter,
        width=max(1, len(sniffed.header)),
        header=sniffed.header,
        scan=scan,
        record_bytes=limits.max_record_bytes,
    )


class CsvStream:
    """Iterate a delimited file in batches; afterwards, :meth:`rejected` has its ragged rows.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        layout: from :func:`csv_layout`.
        batch_rows: rows per batch handed on.
    """

    def __init__(self, path: Path, rel: str, layout: CsvLayout, batch_rows: int) -> None:
        self.path = path
        self.rel = rel
        self.layout = layout
        self.batch_rows = batch_rows
        self._ragged = _RaggedRows()
        self._ragged_seen = 0  # ragged records already numbered (see _block_numbers)
        self.rows_read = 0
        self.names: list[str] | None = None
        self._multiline = False

    def _reader(self) -> pacsv.CSVStreamingReader:
        codec = self.layout.codec
        utf8 = codec in ("utf-8", "utf-8-sig")
        arrow_encoding = "utf8" if utf8 else codec
        return pacsv.open_csv(
            str(self.path),
            read_options=pacsv.ReadOptions(
                encoding=arrow_encoding,
                autogenerate_column_names=True,
                use_threads=False,
                block_size=self.layout.record_bytes,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=self.layout.delimiter,
                newlines_in_values=True,
                invalid_row_handler=self._ragged,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={
                    f"f{i}": pa.string() for i in range(self.layout.width + _SPARE_COLUMNS)
                },
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
                # The scan checked every byte of the file this reads (one open handle): text
                # that is valid UTF-8 throughout is split at ASCII delimiters, quotes and line
                # ends, so each field is valid too. Checking each field again cost ~0.3 s of
                # the single parsing thread per 1M rows (256 MB).
                check_utf8=not (utf8 and self.layout.scan.utf8),
            ),
        )

    def _blocks(self) -> Iterator[pa.RecordBatch]:
        with arrow_csv_errors(self.rel, self.layout.codec, self.layout.record_bytes):
            reader = self._reader()
            while True:
                try:
                    yield reader.read_next_batch()
                except StopIteration:
                    return

    def __iter__(self) -> Iterator[CsvBatch]:
        keep: list[int] | None = None
        dropped: list[int] = []
        next_record = 2  # record 1 is the header
        pending: list[pa.Table] = []
        pending_rows: list[np.ndarray] = []
        pending_count = 0
        for block in self._blocks():
            table = pa.Table.from_batches([block])
            if keep is None:
                if table.num_rows == 0:
                    continue
                keep, dropped = self._header(table)
                table = table.slice(1)
            data = self._columns(table, keep, dropped)
            if not self._multiline:
                self._multiline = _has_line_breaks(data)
            numbers, ragged = self._block_numbers(data, next_record)
            next_record += data.num_rows + ragged
            pending.append(data)
            pending_rows.append(numbers)
            pending_count += data.num_rows
            while pending_count >= self.batch_rows:
                yield self._take(pending, pending_rows, self.batch_rows)
                pending_count -= self.batch_rows
        if keep is None:
            raise DataError(f"{self.rel} is empty (no header line)")
        if pending_count:
            yield self._take(pending, pending_rows, pending_count)
        elif self.rows_read == 0:
            if not self._ragged.rows:
                raise no_rows(self.rel)
            yield self._take(pending, pending_rows, 0)  # every row ragged: an empty batch

    def _header(self, table: pa.Table) -> tuple[list[int], list[int]]:
        """Set the column names from the first block's first row; the kept and dropped indexes."""
        raw_names = [table.column(i)[0].as_py() for i in range(table.num_columns)]
        first = finish_table(raw_names, table.slice(1), self.rel)
        names = [str(n) for n in first.column_names]
        cleaned = [clean_name(n) for n in raw_names]
        keep = [cleaned.index(n) for n in names]
        self.names = names
        return keep, [i for i in range(len(raw_names)) if i not in keep]

    def _block_numbers(self, data: pa.Table, first_record: int) -> tuple[np.ndarray, int]:
        """The data row numbers of a block's good rows, and how many of its records were ragged.

        Raises:
            DataError: a row holds a NUL character (named by its row number).
        """
        new = self._ragged.rows[self._ragged_seen :]
        self._ragged_seen = len(self._ragged.rows)
        numbers = self._numbers(
            first_record, data.num_rows, [n for n, _, _ in new if n is not None]
        )
        nul = nul_row(data)
        if nul is not None:
            raise refuse_nul(self.rel, int(numbers[nul]))
        return numbers, len(new)

    def _columns(self, table: pa.Table, keep: list[int], dropped: list[int]) -> pa.Table:
        assert self.names is not None
        for index in dropped:
            if index < table.num_columns and table.column(index).null_count != table.num_rows:
                raise DataError(
                    f"column {index + 1} of {self.rel} has values but an empty header name"
                )
        return pa.Table.from_arrays(
            [table.column(i) for i in keep], names=self.names
        ).combine_chunks()

    @staticmethod
    def _numbers(first_record: int, good: int, ragged_records: list[int]) -> np.ndarray:
        """Data row numbers (record - 1) of a block's good rows, skipping its ragged records."""
        span = np.arange(first_record, first_record + good + len(ragged_records), dtype=np.int64)
        if ragged_records:
            span = span[~np.isin(span, np.asarray(ragged_records, dtype=np.int64))]
        return span - 1

    def _take(self, tables: list[pa.Table], numbers: list[np.ndarray], count: int) -> CsvBatch:
        if not tables:  # every row of the file was ragged
            assert self.names is not None
            empty = pa.schema([(n, pa.string()) for n in self.names]).empty_table()
            return CsvBatch(empty, pa.array([], pa.int64()))
        whole = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        rows = np.concatenate(numbers) if len(numbers) > 1 else numbers[0]
        batch = CsvBatch(whole.slice(0, count).combine_chunks(), pa.array(rows[:count]))
        rest = whole.slice(count)
        tables.clear()
        numbers.clear()
        if rest.num_rows:
            tables.append(rest)
            numbers.append(rows[count:])
        self.rows_read += count
        return batch

    def rejected(self) -> tuple[Rejected, ...]:
        """The ragged rows met so far (raw text: restricted data), with their physical lines."""
        rows = self._ragged.rows
        if not rows:
            return ()
        records = [number for number, _, _ in rows if number is not None]
        texts = self._ragged.texts
        seen = 1 + self.rows_read + len(rows)
        if (
            self._multiline
            or any("\n" in t or "\r" in t for t in texts)
            or self.layout.scan.bare_cr
            or self.layout.scan.lines != seen
        ):
            lines = physical_lines(self.path, self.layout.codec, self.layout.delimiter, records)
        else:  # one record per line and no blank line: record n starts on line n
            lines = {number: number for number in records}
        logger.warning("%s: %d ragged row(s) set aside for quarantine", self.rel, len(rows))
        return self._ragged.rejected(lines)


def _has_line_breaks(table: pa.Table) -> bool:
    """Whether a value holds a line break (a quoted field spanning lines).

    Looks at the bytes of each column's string data (a byte search, not a regex per value); a
    sliced column may be checked a little beyond its slice, which can only say yes wrongly and
    so only costs the exact line count later.
    """
    for column in table.columns:
        for chunk in column.chunks:
            data = chunk.buffers()[2]
            if data is not None and data.size:
                raw = np.frombuffer(data, dtype=np.uint8)
                if (raw == 0x0A).any() or (raw == 0x0D).any():
                    return True
    return False
