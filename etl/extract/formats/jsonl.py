"""JSON Lines files as parts.

The file is decoded whole (its codec is settled over every byte, as for JSON), bounded by
``PUBDATA_MAX_WHOLE_READ_BYTES``, so that the columns are the union of every line's keys in
first-seen order; the table is handed on in zero-copy slices of ``batch_rows`` rows, numbered
1..n over the non-blank lines.
"""

from __future__ import annotations

from etl.extract.file_scan import FileScan
from etl.extract.formats import file_fingerprint
from etl.extract.jsonfile import read_jsonl_file
from etl.extract.paths import OpenedFile
from etl.extract.sources import WholePart
from etl.registry.sources import FileSource
from etl.settings import ReadLimits


def open_part(
    opened: OpenedFile,
    scan: FileScan,
    source: FileSource,
    *,
    limits: ReadLimits,
    batch_rows: int,
) -> WholePart:
    """Read the file's lines (see :func:`etl.extract.jsonfile.read_jsonl_file`)."""
    with opened:
        table, codec = read_jsonl_file(
            opened.path, opened.relative_path, encoding=source.encoding, limits=limits
        )
    return WholePart(table, file_fingerprint(opened, scan, "jsonl", codec), batch_rows=batch_rows)
