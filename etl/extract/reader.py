"""One delivered file -> an all-string table and its fingerprint (``read_source``) or a part."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.extract._table import check_reserved
from etl.extract.csv_reader import read_csv_file, read_csv_rows
from etl.extract.excel import read_excel_file, read_excel_rows
from etl.extract.file_scan import FileScan, scan_file
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.jsonfile import read_json_file, read_jsonl_file
from etl.extract.parquet_reader import read_parquet_file
from etl.extract.parts import ExtractedPart, Rejected
from etl.extract.paths import OpenedFile, open_delivered
from etl.registry.sources import FileSource, Source
from etl.settings import DEFAULT_LIMITS, ReadLimits

logger = logging.getLogger(__name__)


def _scan_file(path: Path, landing: Path) -> tuple[OpenedFile, FileScan]:
    """Open a delivered file inside the landing zone once and read it (hash, UTF-8, lines).

    Every later read goes through the returned handle's ``path``; the caller closes it.
    """
    opened = open_delivered(path.absolute(), landing)
    try:
        scan = scan_file(opened.path)
        if scan.size == 0:
            raise DataError(f"{opened.relative_path} is empty (0 bytes)")
    except BaseException:
        opened.close()
        raise
    return opened, scan


def _fingerprint(
    location: Path, rel: str, sha256: str, size: int, encoding: str | None, fmt: str, rows: int
) -> SourceFingerprint:
    return SourceFingerprint(
        uri=location.as_uri(),
        relative_path=rel,
        sha256=sha256,
        bytes=size,
        encoding=encoding,
        format=fmt,
        rows=rows,
    )


def _read_other(
    resolved: Path, rel: str, source: FileSource, limits: ReadLimits
) -> tuple[pa.Table, str | None]:
    if source.format == "json":
        return read_json_file(
            resolved, rel, encoding=source.encoding, records=source.records, limits=limits
        )
    if source.format == "jsonl":
        return read_jsonl_file(resolved, rel, encoding=source.encoding, limits=limits)
    return read_parquet_file(resolved, rel, limits=limits), None


def _file_source(source: Source) -> FileSource:
    if not isinstance(source, FileSource):
        raise ConfigError(
            f"read_source reads landing-zone files; a {source.kind} source needs extract_source"
        )
    return source


def read_source(
    path: Path, source: Source, *, landing: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[pa.Table, SourceFingerprint]:
    """Read a delivered file into a table whose columns are all ``string``.

    Identifiers keep their leading zeros because nothing is type-inferred; empty fields are null;
    header names are stripped of whitespace and BOMs. Declared types are applied afterwards by
    :func:`etl.extract.cast.cast_columns`. A ragged CSV row is an error here; use
    :func:`read_file_part` (or :func:`etl.extract.api.extract_source`) to quarantine it.

    Args:
        path: the file, normally from :func:`etl.extract.paths.resolve_source_path`; a relative
            path is taken relative to the working directory.
        source: the registry's source (format, encoding, delimiter, sheet); must be a file
            source.
        landing: the landing-zone root; the file must resolve inside it.
        limits: what the file may make its reader do (``PUBDATA_MAX_*``).

    Returns:
        The table and the fingerprint (URI, relative path, sha256, bytes, codec, format, rows).

    Raises:
        PolicyError: the path resolves outside the landing zone.
        SourceNotReady: the file does not exist.
        ConfigError: the declared encoding is unknown, or the source is not a file source.
        DataError: empty or unreadable file, wrong format, duplicate headers, ragged rows,
            a limit of ``limits`` exceeded.
    """
    source = _file_source(source)
    opened, scan = _scan_file(path, landing)
    with opened:  # read through the checked handle only
        resolved, rel = opened.path, opened.relative_path
        encoding: str | None = None
        if source.format == "csv":
            table, encoding = read_csv_file(
                resolved, rel, encoding=source.encoding, delimiter=source.delimiter, limits=limits
            )
        elif source.format == "excel":
            table = read_excel_file(
                resolved, rel, sheet=source.sheet, header_row=source.header_row, limits=limits
            )
        else:
            table, encoding = _read_other(resolved, rel, source, limits)
    fingerprint = _fingerprint(
        opened.location, rel, scan.sha256, scan.size, encoding, source.format, table.num_rows
    )
    _accept(fingerprint, table)
    return table, fingerprint


def read_file_part(
    path: Path, source: FileSource, *, landing: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> ExtractedPart:
    """Read one delivered file as an :class:`~etl.extract.parts.ExtractedPart`.

    Like :func:`read_source`, but ragged CSV rows are set aside (with their line numbers) for
    quarantine instead of failing the file, and each row carries its data row number (for
    Excel, counted from the header row, so header row + number = the sheet row).

    Raises:
        PolicyError: the path resolves outside the landing zone.
        SourceNotReady: the file does not exist.
        ConfigError: the declared encoding is unknown.
        DataError: empty or unreadable file, wrong format, duplicate headers, a limit of
            ``limits`` exceeded.
    """
    opened, scan = _scan_file(path, landing)
    with opened:  # read through the checked handle only
        resolved, rel = opened.path, opened.relative_path
        encoding: str | None = None
        rows: pa.Array | None = None
        rejected: tuple[Rejected, ...] = ()
        if source.format == "csv":
            read = read_csv_rows(
                resolved, rel, encoding=source.encoding, delimiter=source.delimiter, limits=limits
            )
            table, encoding, rows, rejected = read.table, read.codec, read.rows, read.rejected
        elif source.format == "excel":
            table, numbers = read_excel_rows(
                resolved, rel, sheet=source.sheet, header_row=source.header_row, limits=limits
            )
            rows = pa.array(numbers, pa.int64())
        else:
            table, encoding = _read_other(resolved, rel, source, limits)
    count = table.num_rows + len(rejected)
    fingerprint = _fingerprint(
        opened.location, rel, scan.sha256, scan.size, encoding, source.format, count
    )
    _accept(fingerprint, table)
    return ExtractedPart(table=table, fingerprint=fingerprint, rows=rows, rejected=rejected)


def _accept(fingerprint: SourceFingerprint, table: pa.Table) -> None:
    """Refuse a delivered header that takes a name the pipeline writes; log what was read."""
    check_reserved(table.column_names, fingerprint.relative_path)
    logger.info(
        "read %s: %d rows, %d columns (%s, %s)",
        fingerprint.relative_path,
        fingerprint.rows,
        table.num_columns,
        fingerprint.format,
        fingerprint.encoding or "binary",
    )
