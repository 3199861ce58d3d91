"""``read_source``: one delivered file -> an all-string table and its fingerprint."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow as pa

from etl.errors import DataError, SourceNotReady
from etl.extract.csv_reader import read_csv_file
from etl.extract.excel import read_excel_file
from etl.extract.fingerprint import SourceFingerprint, hash_file
from etl.extract.jsonfile import read_json_file, read_jsonl_file
from etl.extract.parquet_reader import read_parquet_file
from etl.extract.paths import relative_to_landing
from etl.registry.model import FileSource

logger = logging.getLogger(__name__)


def read_source(
    path: Path, source: FileSource, *, landing: Path
) -> tuple[pa.Table, SourceFingerprint]:
    """Read a delivered file into a table whose columns are all ``string``.

    Identifiers keep their leading zeros because nothing is type-inferred; empty fields are null;
    header names are stripped of whitespace and BOMs. Declared types are applied afterwards by
    :func:`etl.extract.cast.cast_columns`.

    Args:
        path: the file, normally from :func:`etl.extract.paths.resolve_source_path`; a relative
            path is taken relative to the working directory.
        source: the registry's source (format, encoding, delimiter, sheet).
        landing: the landing-zone root; the file must resolve inside it.

    Returns:
        The table and the fingerprint (URI, relative path, sha256, bytes, codec, format, rows).

    Raises:
        PolicyError: the path resolves outside the landing zone.
        SourceNotReady: the file does not exist.
        ConfigError: the declared encoding is unknown.
        DataError: empty or unreadable file, wrong format, duplicate headers, ragged rows.
    """
    rel = relative_to_landing(path.absolute(), landing, shown_as=str(path))
    resolved = landing.resolve() / rel
    if not resolved.is_file():
        raise SourceNotReady(f"source not delivered: {rel}")
    sha256, size = hash_file(resolved)
    if size == 0:
        raise DataError(f"{rel} is empty (0 bytes)")
    encoding: str | None = None
    if source.format == "csv":
        table, encoding = read_csv_file(
            resolved, rel, encoding=source.encoding, delimiter=source.delimiter
        )
    elif source.format == "excel":
        table = read_excel_file(resolved, rel, sheet=source.sheet)
    elif source.format == "json":
        table, encoding = read_json_file(resolved, rel, encoding=source.encoding)
    elif source.format == "jsonl":
        table, encoding = read_jsonl_file(resolved, rel, encoding=source.encoding)
    else:
        table = read_parquet_file(resolved, rel)
    fingerprint = SourceFingerprint(
        uri=resolved.as_uri(),
        relative_path=rel,
        sha256=sha256,
        bytes=size,
        encoding=encoding,
        format=source.format,
        rows=table.num_rows,
    )
    logger.info(
        "read %s: %d rows, %d columns (%s, %s)",
        rel,
        table.num_rows,
        table.num_columns,
        source.format,
        encoding or "binary",
    )
    return table, fingerprint
