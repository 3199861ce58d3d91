"""Delimited files as parts, streamed: see :mod:`etl.extract.csv_stream`.

The file's codec, delimiter and header are found when it is opened (its head, and the one pass
over its bytes that hashed it); its rows are then parsed block by block and handed on in
batches of ``batch_rows`` rows, ragged rows set aside with their line numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

from etl.extract.csv_stream import CsvLayout, CsvStream, csv_layout
from etl.extract.file_scan import FileScan
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.formats import file_fingerprint
from etl.extract.parts import Rejected
from etl.extract.paths import OpenedFile
from etl.extract.sources import Batch
from etl.registry.sources import FileSource
from etl.settings import ReadLimits


class CsvPart:
    """One delimited file, checked and fingerprinted (no row read until :meth:`batches`)."""

    def __init__(self, opened: OpenedFile, layout: CsvLayout, batch_rows: int) -> None:
        self.opened = opened
        self.layout = layout
        self.batch_rows = batch_rows
        self.comments: Mapping[str, str] = {}
        self._fingerprint = file_fingerprint(opened, layout.scan, "csv", layout.codec)
        self._rejected: tuple[Rejected, ...] = ()

    @property
    def header(self) -> tuple[str, ...]:
        """The header line's names, cleaned, as the sniffer splits them."""
        return self.layout.header

    def describe(self) -> SourceFingerprint:
        """The fingerprint; ``rows`` (read plus ragged) is set once the rows are read."""
        return self._fingerprint

    def batches(self) -> Iterator[Batch]:
        """The rows in batches, through the handle the file was checked with (closed after).

        Raises:
            DataError: the file cannot be decoded or parsed, has duplicate or empty header
                names, or a NUL byte.
        """
        try:
            stream = CsvStream(
                self.opened.path, self.opened.relative_path, self.layout, self.batch_rows
            )
            for batch in stream:
                yield Batch(batch.table, batch.rows)
            self._rejected = stream.rejected()
            rows = stream.rows_read + len(self._rejected)
            self._fingerprint = dataclasses.replace(self._fingerprint, rows=rows)
        finally:
            self.close()

    def rejected(self) -> tuple[Rejected, ...]:
        """The ragged rows (raw text: restricted data), once the rows are read."""
        return self._rejected

    def close(self) -> None:
        """Release the file's handle."""
        self.opened.close()


def open_part(
    opened: OpenedFile,
    scan: FileScan,
    source: FileSource,
    *,
    limits: ReadLimits,
    batch_rows: int,
) -> CsvPart:
    """Find the file's codec, delimiter and header (see :func:`csv_layout`); no rows read.

    Raises:
        ConfigError: the declared encoding is unknown.
        DataError: binary content, an undecodable head, no header line, broken UTF-8, a first
            line over the record limit, too many columns, a reserved column name.
    """
    layout = csv_layout(
        opened.path,
        opened.relative_path,
        encoding=source.encoding,
        delimiter=source.delimiter,
        scan=scan,
        limits=limits,
    )
    return CsvPart(opened, layout, batch_rows)
