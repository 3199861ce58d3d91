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

import pyarrow as pa
import pyarrow.csv as pacsv

from etl.errors import ConfigError, DataError
from etl.extract._table import finish_table
from etl.extract.encoding import (
    HEAD_BYTES,
    canonical_codec,
    decodes,
    detect_delimiter,
    detect_encoding,
    looks_binary,
)
from etl.extract.parts import Rejected
from etl.extract.ragged import good_row_numbers, physical_lines

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


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        head: bytes = handle.read(HEAD_BYTES)
    return head


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
    path: Path, encoding: str, delimiter: str, width: int, *, use_threads: bool = True
) -> tuple[pa.Table, _RaggedRows]:
    ragged = _RaggedRows()
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    read_options = pacsv.ReadOptions(
        encoding=arrow_encoding, autogenerate_column_names=True, use_threads=use_threads
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
def arrow_csv_errors(rel: str, encoding: str) -> Iterator[None]:
    """Turn pyarrow's CSV errors into one-line errors naming the file.

    pyarrow's messages quote row text; they are never passed on.

    Raises:
        DataError: ``_Undecodable`` for bytes the codec refuses, else an empty or unparsable file.
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
        raise DataError(f"cannot parse {rel} as delimited text") from None


def _read_table(
    path: Path, rel: str, encoding: str, delimiter: str, width: int
) -> tuple[pa.Table, _RaggedRows]:
    with arrow_csv_errors(rel, encoding):
        return _arrow_read(path, encoding, delimiter, width)


def _raise_ragged(ragged: _RaggedRows, rel: str) -> None:
    number, actual, expected = ragged.rows[0]
    where = f"line {number}" if number is not None else "a row"
    raise DataError(
        f"{where} of {rel} has {actual} fields where the header has {expected}"
        f" ({len(ragged.rows)} ragged row(s) in total)"
    )


def _read_all(
    path: Path, rel: str, encoding: str | None, delimiter: str | None
) -> tuple[pa.Table, str, str, int, _RaggedRows]:
    head = _read_head(path)
    if looks_binary(head):
        raise DataError(f"{rel} is not a text file (binary content in a csv source)")
    detected = encoding is None
    codec = _choose_encoding(head, encoding, rel)
    final = len(head) < HEAD_BYTES
    text = _sniff_header(head, codec, final, rel)
    sep = delimiter or detect_delimiter(text.split("\n", 1)[0].rstrip("\r"))
    width = max(1, len(next(csv.reader(io.StringIO(text), delimiter=sep), [])))
    try:
        table, ragged = _read_table(path, rel, codec, sep, width)
    except _Undecodable:
        if not (detected and codec == "utf-8" and decodes(head, "gb18030", final=final)):
            raise
        # The sniffed head was plain UTF-8 (often pure ASCII) but later bytes are not.
        logger.info("%s is not UTF-8 past its first %d bytes; reading as gb18030", rel, len(head))
        codec = "gb18030"
        table, ragged = _read_table(path, rel, codec, sep, width)
    if ragged.rows and any(number is None for number, _, _ in ragged.rows):
        # Row numbers are only known to a single-threaded read: redo it on this rare path.
        _, ragged = _arrow_read(path, codec, sep, width, use_threads=False)
    return table, codec, sep, width, ragged


def _header(table: pa.Table, rel: str) -> pa.Table:
    raw_names = [table.column(i)[0].as_py() for i in range(table.num_columns)]
    return finish_table(raw_names, table.slice(1), rel)


def read_csv_file(
    path: Path, rel: str, *, encoding: str | None, delimiter: str | None
) -> tuple[pa.Table, str]:
    """Read a delimited text file as an all-string table; a ragged row is an error.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        delimiter: the registry's declared delimiter, or None to detect it from the header line.

    Returns:
        The table (every column ``string``, empty fields null, header names cleaned) and the
        codec the file was decoded with.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable file, no header, duplicate header names,
            or ragged rows (naming the first one's record number, "line" in the message).
    """
    table, codec, _, _, ragged = _read_all(path, rel, encoding, delimiter)
    if ragged.rows:
        _raise_ragged(ragged, rel)
    return _header(table, rel), codec


def read_csv_rows(path: Path, rel: str, *, encoding: str | None, delimiter: str | None) -> CsvRead:
    """Read a delimited text file, setting ragged rows aside instead of failing.

    A ragged row (too few or too many fields) is returned in ``rejected`` with its data row
    number, the physical line it starts on and its raw text; the rest of the file loads, and
    the good rows keep their own data row numbers.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        delimiter: the registry's declared delimiter, or None to detect it.

    Returns:
        The rows read, their numbers and the rejected rows.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable file, no header, duplicate header names.
    """
    table, codec, sep, _, ragged = _read_all(path, rel, encoding, delimiter)
    data = _header(table, rel)
    records = [number for number, _, _ in ragged.rows if number is not None]
    lines = physical_lines(path, codec, sep, records) if records else {}
    rejected = ragged.rejected(lines)
    if rejected:
        logger.warning("%s: %d ragged row(s) set aside for quarantine", rel, len(rejected))
    numbers = good_row_numbers(data.num_rows, [r.row for r in rejected])
    return CsvRead(table=data, codec=codec, rows=numbers, rejected=rejected)
