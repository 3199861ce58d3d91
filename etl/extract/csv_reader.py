"""Reading delimited text files into all-string tables."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.errors import ConfigError, DataError
from etl.extract._table import check_columns, clean_name, finish_table
from etl.extract.encoding import (
    HEAD_BYTES,
    canonical_codec,
    detect_delimiter,
    detect_encoding,
    looks_binary,
    settle_utf8,
)
from etl.extract.parts import Rejected
from etl.extract.ragged import good_row_numbers, physical_lines
from etl.settings import DEFAULT_LIMITS, ReadLimits

logger = logging.getLogger(__name__)

#: Extra generated column names typed as strings beyond the sniffed header width, so that a
#: header pyarrow splits differently from the sniffer is still never type-inferred.
_SPARE_COLUMNS = 64


class _Undecodable(DataError):
    """The bytes do not decode with the chosen codec."""


@dataclass
class _RaggedRows:
    """Collects rows whose field count differs from the header's."""

    rows: list[tuple[int | None, int, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list, repr=False)

    def __call__(self, row: Any) -> str:
        self.rows.append((row.number, row.actual_columns, row.expected_columns))
        self.texts.append(row.text)
        return "skip"

    def rejected(self, lines: Mapping[int, int]) -> tuple[Rejected, ...]:
        """The rows as :class:`Rejected`, given the physical line of each record number."""
        return tuple(
            Rejected(
                row=(number or 0) - 1,
                line=lines.get(number or 0),
                fields=actual,
                expected=expected,
                text=text,
            )
            for (number, actual, expected), text in zip(self.rows, self.texts, strict=True)
        )


@dataclass(frozen=True)
class CsvRead:
    """A delimited file read with its ragged rows set aside.

    Attributes:
        table: the rows with as many fields as the header (all strings).
        codec: the codec used.
        rows: int64 data row numbers of ``table``'s rows (ragged rows leave gaps).
        rejected: the ragged rows, with their raw text (restricted data).
    """

    table: pa.Table = field(repr=False)
    codec: str
    rows: pa.Array = field(repr=False)
    rejected: tuple[Rejected, ...] = field(default=(), repr=False)


#: Bytes read per step while looking for the end of a long header line.
_LINE_STEP = 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    """What a delimited file's first bytes say about how to read it.

    Attributes:
        head: at least the first ``HEAD_BYTES`` and the whole header line.
        final: whether ``head`` is the whole file.
        codec: the Python codec to decode with.
        delimiter: the field separator.
        header: the header line's fields, cleaned (as the sniffer splits them).
    """

    head: bytes = field(repr=False)
    final: bool
    codec: str
    delimiter: str
    header: tuple[str, ...]


def _read_head(path: Path, rel: str, max_record_bytes: int) -> tuple[bytes, bool]:
    """The first ``HEAD_BYTES`` and, past them, the rest of the header line; and whether EOF.

    Raises:
        DataError: the first line is longer than ``max_record_bytes`` (one huge line, or a
            binary file without line ends), refused before it is held.
    """
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
        final = len(head) < HEAD_BYTES
        while not final and b"\n" not in head and len(head) <= max_record_bytes:
            step = handle.read(_LINE_STEP)
            final = len(step) < _LINE_STEP
            head += step
    end = head.find(b"\n")
    if (end if end >= 0 else len(head)) > max_record_bytes:
        raise DataError(
            f"the first line of {rel} is longer than the limit of {max_record_bytes:,}"
            " bytes (PUBDATA_MAX_RECORD_BYTES)"
        )
    return head, final


def sniff(
    path: Path, rel: str, encoding: str | None, delimiter: str | None, limits: ReadLimits
) -> Sniffed:
    """Read a delimited file's head: codec, delimiter and header, checked against ``limits``.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, a first line over the record limit, an undecodable head,
            no header line, or more columns than allowed.
    """
    head, final = _read_head(path, rel, limits.max_record_bytes)
    if looks_binary(head[:HEAD_BYTES]):
        raise DataError(f"{rel} is not a text file (binary content in a csv source)")
    codec = _choose_encoding(head, encoding, rel)
    try:
        text = _sniff_header(head, codec, final, rel)
    except _Undecodable:
        if codec not in ("utf-8", "utf-8-sig"):
            raise
        # Broken UTF-8 within the head is refused naming its first byte (GBK is re-read).
        codec = settle_utf8(path, rel, head, declared=encoding is not None)
        text = _sniff_header(head, codec, final, rel)
    sep = delimiter or detect_delimiter(text.split("\n", 1)[0].rstrip("\r"))
    try:
        fields = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    except csv.Error:  # a quote left open, or a header field of over 128 KB
        raise DataError(f"cannot parse the header line of {rel} as delimited text") from None
    check_columns(len(fields), rel, limits.max_columns)
    header = tuple(clean_name(f) for f in fields)
    return Sniffed(head, final, codec, sep, header)


def _choose_encoding(head: bytes, declared: str | None, rel: str) -> str:
    if declared is None:
        return detect_encoding(head)
    try:
        encoding = canonical_codec(declared)
    except LookupError:
        raise ConfigError(f"unknown encoding '{declared}' declared for {rel}") from None
    if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    return encoding


def _sniff_header(head: bytes, encoding: str, final: bool, rel: str) -> str:
    """Decode the sniffed head and return it without a BOM or leading blank lines."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(head, final=final)
    except UnicodeDecodeError:
        raise _Undecodable(f"cannot decode the header of {rel} as {encoding}") from None
    text = text.lstrip("\ufeff").lstrip("\r\n")
    if not text.strip():
        raise DataError(f"{rel} is empty (no header line)")
    return text


def _arrow_read(
    path: Path,
    encoding: str,
    delimiter: str,
    width: int,
    record_bytes: int,
    *,
    use_threads: bool = True,
) -> tuple[pa.Table, _RaggedRows]:
    ragged = _RaggedRows()
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    read_options = pacsv.ReadOptions(
        encoding=arrow_encoding,
        autogenerate_column_names=True,
        use_threads=use_threads,
        # A record must fit in a block: the block is the record limit (see ReadLimits).
        block_size=record_bytes,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=ragged
    )
    convert_options = pacsv.ConvertOptions(
        column_types={f"f{i}": pa.string() for i in range(width + _SPARE_COLUMNS)},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    table = pacsv.read_csv(
        str(path),
        read_options=read_options,
        parse_options=parse_options,
        convert_options=convert_options,
    )
    return table, ragged


@contextlib.contextmanager
def arrow_csv_errors(rel: str, encoding: str, record_bytes: int) -> Iterator[None]:
    """Turn pyarrow's CSV errors into one-line errors naming the file.

    pyarrow's messages quote row text; they are never passed on.

    Raises:
        DataError: ``_Undecodable`` for bytes the codec refuses, a record longer than
            ``record_bytes`` (it cannot fit in a read block), else an empty or unparsable file.
    """
    try:
        yield
    except UnicodeDecodeError:
        raise _Undecodable(f"cannot decode {rel} as {encoding}") from None
    except pa.ArrowInvalid as exc:
        message = str(exc)
        if "invalid UTF8" in message:
            raise _Undecodable(f"cannot decode {rel} as {encoding}") from None
        if "Empty CSV file" in message:
            raise DataError(f"{rel} is empty (no header line)") from None
        if "straddles two block boundaries" in message:
            raise DataError(
                f"a record of {rel} is longer than the limit of {record_bytes:,} bytes"
                " (PUBDATA_MAX_RECORD_BYTES)"
            ) from None
        raise DataError(f"cannot parse {rel} as delimited text") from None


def nul_row(table: pa.Table) -> int | None:
    """The first row (0-based) with a NUL character in any value, or None.

    A NUL inside text is binary content or a broken export: stored, it would travel into every
    zone as an invisible character. The check is a byte search over each column's value data.
    """
    first: int | None = None
    for column in table.columns:
        for base, chunk in zip(_chunk_starts(column), column.chunks, strict=True):
            offsets_buffer, data = chunk.buffers()[1:3]
            if data is None or not len(chunk):
                continue
            offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[
                chunk.offset : chunk.offset + len(chunk) + 1
            ]
            raw = np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]
            hits = np.flatnonzero(raw == 0)
            if hits.size:
                row = base + int(np.searchsorted(offsets, offsets[0] + hits[0], side="right")) - 1
                first = row if first is None else min(first, row)
    return first


def _chunk_starts(column: pa.ChunkedArray) -> list[int]:
    starts = np.cumsum([0] + [len(chunk) for chunk in column.chunks[:-1]])
    return [int(n) for n in starts]


def refuse_nul(rel: str, row: int) -> DataError:
    """The error for a NUL byte in data row ``row`` (1-based)."""
    return DataError(f"data row {row:,} of {rel} holds a NUL byte (binary content in a text file)")


def no_rows(rel: str) -> DataError:
    """The error for a file with a header and no data rows: an empty delivery loads nothing."""
    return DataError(f"{rel} has a header but no data rows")


def _read_table(
    path: Path, rel: str, encoding: str, delimiter: str, width: int, record_bytes: int
) -> tuple[pa.Table, _RaggedRows]:
    with arrow_csv_errors(rel, encoding, record_bytes):
        return _arrow_read(path, encoding, delimiter, width, record_bytes)


def _raise_ragged(ragged: _RaggedRows, rel: str) -> None:
    number, actual, expected = ragged.rows[0]
    where = f"line {number}" if number is not None else "a row"
    raise DataError(
        f"{where} of {rel} has {actual} fields where the header has {expected}"
        f" ({len(ragged.rows)} ragged row(s) in total)"
    )


def _read_all(
    path: Path, rel: str, encoding: str | None, delimiter: str | None, limits: ReadLimits
) -> tuple[pa.Table, str, str, int, _RaggedRows]:
    sniffed = sniff(path, rel, encoding, delimiter, limits)
    codec, sep, record_bytes = sniffed.codec, sniffed.delimiter, limits.max_record_bytes
    width = max(1, len(sniffed.header))
    try:
        table, ragged = _read_table(path, rel, codec, sep, width, record_bytes)
    except _Undecodable:
        if codec not in ("utf-8", "utf-8-sig"):
            raise
        # The head was UTF-8 but later bytes are not: GBK text after an ASCII head is read
        # as gb18030; UTF-8 text with broken bytes is refused with the first one.
        settled = settle_utf8(path, rel, sniffed.head, declared=encoding is not None)
        if settled == codec:
            raise
        codec = settled
        table, ragged = _read_table(path, rel, codec, sep, width, record_bytes)
    if ragged.rows and any(number is None for number, _, _ in ragged.rows):
        # Row numbers are only known to a single-threaded read: redo it on this rare path.
        _, ragged = _arrow_read(path, codec, sep, width, record_bytes, use_threads=False)
    return table, codec, sep, width, ragged


def _header(table: pa.Table, rel: str, ragged: int) -> pa.Table:
    raw_names = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    data = finish_table(raw_names, table.slice(1), rel)
    if data.num_rows == 0 and not ragged:
        raise no_rows(rel)
    return data


def read_csv_file(
    path: Path,
    rel: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[pa.Table, str]:
    """Read a delimited text file as an all-string table; a ragged row is an error.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        delimiter: the registry's declared delimiter, or None to detect it from the header line.
        limits: what the file may make the reader do (columns, record length).

    Returns:
        The table (every column ``string``, empty fields null, header names cleaned) and the
        codec the file was decoded with.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable file, no header, no data rows, duplicate
            header names, ragged rows (naming the first one's record number, "line" in the
            message), a NUL byte, or a limit of ``limits`` exceeded.
    """
    table, codec, _, _, ragged = _read_all(path, rel, encoding, delimiter, limits)
    if ragged.rows:
        _raise_ragged(ragged, rel)
    data = _header(table, rel, 0)
    row = nul_row(data)
    if row is not None:
        raise refuse_nul(rel, row + 1)
    return data, codec


def read_csv_rows(
    path: Path,
    rel: str,
    *,
    encoding: str | None,
    delimiter: str | None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CsvRead:
    """Read a delimited text file, setting ragged rows aside instead of failing.

    A ragged row (too few or too many fields) is returned in ``rejected`` with its data row
    number, the physical line it starts on and its raw text; the rest of the file loads, and
    the good rows keep their own data row numbers.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        delimiter: the registry's declared delimiter, or None to detect it.
        limits: what the file may make the reader do (columns, record length).

    Returns:
        The rows read, their numbers and the rejected rows.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable file, no header, no data rows, duplicate
            header names, a NUL byte, or a limit of ``limits`` exceeded.
    """
    table, codec, sep, _, ragged = _read_all(path, rel, encoding, delimiter, limits)
    data = _header(table, rel, len(ragged.rows))
    records = [number for number, _, _ in ragged.rows if number is not None]
    lines = physical_lines(path, codec, sep, records) if records else {}
    rejected = ragged.rejected(lines)
    if rejected:
        logger.warning("%s: %d ragged row(s) set aside for quarantine", rel, len(rejected))
    numbers = good_row_numbers(data.num_rows, [r.row for r in rejected])
    row = nul_row(data)
    if row is not None:
        raise refuse_nul(rel, int(numbers[row].as_py()))
    return CsvRead(table=data, codec=codec, rows=numbers, rejected=rejected)
