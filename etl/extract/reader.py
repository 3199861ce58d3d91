"""One delivered file -> an all-string table and its fingerprint (:func:`read_source`).

:func:`open_scanned` is how every file of a delivery is opened: once, inside the landing zone,
never through a symlink, and hashed before any reader sees it.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.extract._table import check_reserved
from etl.extract.file_scan import FileScan, scan_file
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.formats import file_format
from etl.extract.parts import Rejected
from etl.extract.paths import OpenedFile, open_delivered
from etl.registry.sources import FileSource, Source
from etl.settings import DEFAULT_BATCH_ROWS, DEFAULT_LIMITS, ReadLimits

logger = logging.getLogger(__name__)


def open_scanned(path: Path, landing: Path) -> tuple[OpenedFile, FileScan]:
    """Open a delivered file inside the landing zone once and read it (hash, UTF-8, lines).

    Every later read goes through the returned handle's ``path``; the caller closes it.

    Raises:
        PolicyError: the path resolves outside the landing zone.
        SourceNotReady: the file does not exist.
        DataError: the file is empty, or not a regular file.
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


def _file_source(source: Source) -> FileSource:
    if not isinstance(source, FileSource):
        raise ConfigError(
            f"read_source reads landing-zone files; a {source.kind} source needs extract_source"
        )
    return source


def _refuse_ragged(rejected: tuple[Rejected, ...], rel: str) -> DataError:
    first = rejected[0]
    where = f"line {first.row + 1}" if first.row > 0 else "a row"
    return DataError(
        f"{where} of {rel} has {first.fields} fields where the header has {first.expected}"
        f" ({len(rejected)} ragged row(s) in total)"
    )


def read_source(
    path: Path, source: Source, *, landing: Path, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[pa.Table, SourceFingerprint]:
    """Read a delivered file into a table whose columns are all ``string``.

    Identifiers keep their leading zeros because nothing is type-inferred; empty fields are null;
    header names are stripped of whitespace and BOMs. Declared types are applied afterwards by
    :func:`etl.extract.cast.cast_columns`. A ragged CSV row is an error here; use
    :func:`etl.extract.api.extract_source` to quarantine it.

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
    opened, scan = open_scanned(path, landing)
    try:
        part = file_format(source.format)(
            opened, scan, source, limits=limits, batch_rows=DEFAULT_BATCH_ROWS
        )
        tables = [batch.table for batch in part.batches()]
    finally:
        opened.close()
    rel = opened.relative_path
    if part.rejected():
        raise _refuse_ragged(part.rejected(), rel)
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    fingerprint = dataclasses.replace(part.describe(), rows=table.num_rows)
    check_reserved(table.column_names, rel)
    logger.info(
        "read %s: %d rows, %d columns (%s, %s)",
        rel,
        fingerprint.rows,
        table.num_columns,
        fingerprint.format,
        fingerprint.encoding or "binary",
    )
    return table, fingerprint
