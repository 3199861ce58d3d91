"""Landing-zone file sources: a path template or glob -> one part per file, read by its format."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from etl.errors import ConfigError, SourceNotReady
from etl.extract._table import check_reserved
from etl.extract.formats import file_format
from etl.extract.paths import fill_template, relative_to_landing, resolve_source_paths
from etl.extract.reader import open_scanned
from etl.extract.sources import ReadRequest, SourcePart
from etl.registry.sources import FileSource, Source

logger = logging.getLogger(__name__)


def delivered_files(source: FileSource, *, landing: Path, logical_date: date) -> list[Path]:
    """The files the source's path (or glob) matches for the date, in path order.

    The delivery's marker file (``source.marker``), when the glob matches it, is not data.

    Raises:
        PolicyError: a path resolves outside the landing zone.
        SourceNotReady: nothing has been delivered (or the marker is missing).
    """
    marker: str | None = None
    if source.marker is not None:
        marker_path = fill_template(source.marker, logical_date)
        marker = relative_to_landing(Path(marker_path), landing, shown_as=source.marker)
        if not (landing.resolve() / marker).is_file():
            raise SourceNotReady(f"source not delivered: marker {marker} is missing")
    paths = resolve_source_paths(landing, source.path, logical_date)
    root = landing.resolve()
    files = [path for path in paths if path.relative_to(root).as_posix() != marker]
    if not files:
        raise SourceNotReady(f"source not delivered: only the marker matches {source.path}")
    if len(files) > 1:
        logger.info("%s matched %d files", source.path, len(files))
    return files


def open_parts(source: Source, request: ReadRequest) -> Iterator[SourcePart]:
    """Open every file the source's path (or glob) matches for the date, in path order.

    Each file is opened once inside the landing zone (never through a symlink) and hashed
    before its format reader sees it; the part reads it through that handle only.

    Args:
        source: the registry's file source.
        request: the landing root, the logical date, the limits and the batch size.

    Yields:
        One part per file, its fingerprint's hash final, no row read yet where the format
        streams (see :mod:`etl.extract.formats`).

    Raises:
        PolicyError: a path resolves outside the landing zone.
        SourceNotReady: nothing has been delivered (or the marker is missing).
        ConfigError: the declared encoding is unknown.
        DataError: an empty or unreadable file, wrong format, duplicate or reserved headers.
    """
    if not isinstance(source, FileSource):
        raise ConfigError(f"the file source kind cannot read a {source.kind} source")
    opener = file_format(source.format)
    paths = delivered_files(source, landing=request.landing, logical_date=request.logical_date)
    for path in paths:
        opened, scan = open_scanned(path, request.landing)
        try:
            part = opener(
                opened, scan, source, limits=request.limits, batch_rows=request.batch_rows
            )
            check_reserved(part.header, opened.relative_path)
        except BaseException:
            opened.close()
            raise
        logger.info("opened %s (%s, %d bytes)", opened.relative_path, source.format, scan.size)
        yield part
