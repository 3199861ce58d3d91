"""A delivery of delimited files read as a stream of batches (any file size).

:func:`open_csv_delivery` checks and fingerprints every file first (path, sha256, codec,
delimiter, header) without reading rows, so duplicate deliveries are known before any row is
read; :meth:`CsvDelivery.batches` then reads the wanted files batch by batch. Each file stays
open from its check to its read, and is read through that handle only
(:func:`etl.extract.paths.open_delivered`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import pyarrow as pa

from etl.extract.csv_stream import CsvLayout, CsvStream, csv_layout
from etl.extract.file_scan import FileScan
from etl.extract.fingerprint import SourceFingerprint
from etl.extract.normalize import normalize_headers
from etl.extract.parts import Rejected
from etl.extract.paths import OpenedFile
from etl.extract.reader import _scan_file
from etl.extract.sources.files import delivered_files
from etl.registry.normalize import NormalizeSpec
from etl.registry.sources import FileSource
from etl.settings import DEFAULT_LIMITS, ReadLimits


@dataclass
class DeliveredFile:
    """One file of the delivery: its open handle, how it reads, its fingerprint so far.

    ``fingerprint.rows`` is 0 until the file has been read through :meth:`CsvDelivery.batches`.
    """

    opened: OpenedFile
    layout: CsvLayout
    fingerprint: SourceFingerprint
    header: tuple[str, ...]
    rejected: tuple[Rejected, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class DeliveryBatch:
    """A batch of one file's rows: normalized header names, all strings, row numbers."""

    file: DeliveredFile
    table: pa.Table = field(repr=False)
    rows: pa.Array = field(repr=False)


@dataclass
class CsvDelivery:
    """The files of one run's delimited delivery, read lazily."""

    files: list[DeliveredFile]
    normalize: NormalizeSpec | None
    batch_rows: int

    @property
    def same_header(self) -> bool:
        """Whether every file has the same (normalized) header: one schema for the stream."""
        return len({f.header for f in self.files}) <= 1

    def batches(self, wanted: Sequence[DeliveredFile]) -> Iterator[DeliveryBatch]:
        """Read ``wanted`` files in order; each file's rows count and ragged rows are set after it.

        The delivery's handles are closed once this is done (every file is read once).

        Raises:
            DataError: a file cannot be decoded or parsed, has duplicate or empty header names.
        """
        try:
            for item in wanted:
                stream = CsvStream(
                    item.opened.path, item.fingerprint.relative_path, item.layout, self.batch_rows
                )
                for batch in stream:
                    table = normalize_headers(
                        batch.table, self.normalize, source_name=item.fingerprint.relative_path
                    )
                    yield DeliveryBatch(item, table, batch.rows)
                item.rejected = stream.rejected()
                rows = stream.rows_read + len(item.rejected)
                item.fingerprint = replace(item.fingerprint, rows=rows)
        finally:
            self.close()

    def close(self) -> None:
        """Release every file's handle."""
        for item in self.files:
            item.opened.close()


def open_csv_delivery(
    source: FileSource,
    *,
    landing: Path,
    logical_date: date,
    normalize: NormalizeSpec | None,
    batch_rows: int,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> CsvDelivery:
    """Find, check and fingerprint the delimited files delivered for a date (no rows read).

    Raises:
        PolicyError: a path resolves outside the landing zone.
        SourceNotReady: nothing has been delivered (or the marker is missing).
        ConfigError: the declared encoding is unknown.
        DataError: an empty, binary or undecodable file, one without a header line, or one
            past ``limits`` (its first line, columns, a reserved header name).
    """
    delivery = CsvDelivery([], normalize, batch_rows)
    try:
        for path in delivered_files(source, landing=landing, logical_date=logical_date):
            opened, scan = _scan_file(path, landing)
            try:
                delivery.files.append(_delivered(opened, scan, source, normalize, limits))
            except BaseException:
                opened.close()
                raise
    except BaseException:
        delivery.close()
        raise
    return delivery


def _delivered(
    opened: OpenedFile,
    scan: FileScan,
    source: FileSource,
    normalize: NormalizeSpec | None,
    limits: ReadLimits,
) -> DeliveredFile:
    """Layout, header and fingerprint of one opened file (its head read, no rows)."""
    rel = opened.relative_path
    layout = csv_layout(
        opened.path,
        rel,
        encoding=source.encoding,
        delimiter=source.delimiter,
        scan=scan,
        limits=limits,
    )
    names = pa.schema(
        [(name or f"column {i + 1}", pa.string()) for i, name in enumerate(layout.header)]
    )
    header = tuple(normalize_headers(names.empty_table(), normalize, source_name=rel).column_names)
    fingerprint = SourceFingerprint(
        uri=opened.location.as_uri(),
        relative_path=rel,
        sha256=scan.sha256,
        bytes=scan.size,
        encoding=layout.codec,
        format="csv",
        rows=0,
    )
    return DeliveredFile(opened, layout, fingerprint, header)
