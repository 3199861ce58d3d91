"""Landing-zone file sources: a path template or glob -> one part per file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from etl.errors import SourceNotReady
from etl.extract.parts import ExtractedPart
from etl.extract.paths import fill_template, relative_to_landing, resolve_source_paths
from etl.extract.reader import read_file_part
from etl.registry.sources import FileSource
from etl.settings import DEFAULT_LIMITS, ReadLimits

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


def read_file_parts(
    source: FileSource,
    *,
    landing: Path,
    logical_date: date,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[ExtractedPart]:
    """Read every file the source's path (or glob) matches for the date, in path order.

    Args:
        source: the registry's file source.
        landing: the landing-zone root.
        logical_date: the run's logical date.
        limits: what each file may make its reader do (``PUBDATA_MAX_*``).

    Yields:
        One part per file, with its fingerprint, row numbers and rejected (ragged) rows.

    Raises:
        PolicyError: a path resolves outside the landing zone.
        SourceNotReady: nothing has been delivered (or the marker is missing).
        ConfigError: the declared encoding is unknown.
        DataError: an empty or unreadable file, wrong format, duplicate headers (naming it).
    """
    for path in delivered_files(source, landing=landing, logical_date=logical_date):
        yield read_file_part(path, source, landing=landing, limits=limits)
