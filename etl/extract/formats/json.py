"""JSON files (an array of records, or one wrapped in ``data``/``records``) as parts.

A JSON document is parsed whole (the standard library has no incremental parser and the records
array may sit anywhere in it), bounded by ``PUBDATA_MAX_WHOLE_READ_BYTES``; its all-string table
is then handed on in zero-copy slices of ``batch_rows`` rows, numbered 1..n in record order.
"""

from __future__ import annotations

from etl.extract.file_scan import FileScan
from etl.extract.formats import file_fingerprint
from etl.extract.jsonfile import read_json_file
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
    """Read the file's records (see :func:`etl.extract.jsonfile.read_json_file`)."""
    with opened:
        table, codec = read_json_file(
            opened.path,
            opened.relative_path,
            encoding=source.encoding,
            records=source.records,
            limits=limits,
        )
    return WholePart(table, file_fingerprint(opened, scan, "json", codec), batch_rows=batch_rows)
