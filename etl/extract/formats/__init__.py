"""File formats as plugins: ``etl.extract.formats.<format>`` opens one delivered file as a part.

Each module has ``open_part(opened, scan, source, limits=, batch_rows=)`` returning a
:class:`~etl.extract.sources.SourcePart`; the formats are the registry's
:data:`~etl.registry.sources.FILE_FORMATS`, so a new format is its module plus its name in
``FileSource.format``. :func:`file_format` is the one dispatch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from etl.extract._table import load_plugin
from etl.registry.sources import FILE_FORMATS

if TYPE_CHECKING:
    from etl.extract.file_scan import FileScan
    from etl.extract.fingerprint import SourceFingerprint
    from etl.extract.paths import OpenedFile
    from etl.extract.sources import SourcePart
    from etl.registry.sources import FileSource
    from etl.settings import ReadLimits


class OpenPart(Protocol):
    """A format's entry point: its module's ``open_part``."""

    def __call__(
        self,
        opened: OpenedFile,
        scan: FileScan,
        source: FileSource,
        *,
        limits: ReadLimits,
        batch_rows: int,
    ) -> SourcePart:
        """Open one checked, hashed file as a part (the part owns ``opened`` from here)."""
        ...


def file_format(name: str) -> OpenPart:
    """The ``open_part`` of a file format's module.

    Raises:
        ConfigError: no such format (naming the known ones).
    """
    opener: OpenPart = load_plugin(
        __name__, name, FILE_FORMATS, what="file format", plural="formats", attr="open_part"
    )
    return opener


def file_fingerprint(
    opened: OpenedFile, scan: FileScan, fmt: str, encoding: str | None, rows: int = 0
) -> SourceFingerprint:
    """The fingerprint of a delivered file (``rows`` as far as known)."""
    from etl.extract.fingerprint import SourceFingerprint

    return SourceFingerprint(
        uri=opened.location.as_uri(),
        relative_path=opened.relative_path,
        sha256=scan.sha256,
        bytes=scan.size,
        encoding=encoding,
        format=fmt,
        rows=rows,
    )
