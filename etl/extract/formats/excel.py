"""Excel sheets (xlsx, xlsm, xlsb, xls, ods) as parts.

python-calamine has no row-streaming reader: it loads the sheet's used range natively, and the
header search and footer removal (:mod:`etl.extract._sheet_layout`) look at every row. A sheet is
therefore read whole when the file is opened, bounded by ``PUBDATA_MAX_CELLS`` and the
workbook's zip checks, and handed on in zero-copy slices of ``batch_rows`` rows; its row
numbers count from the header row (header row + number = the sheet row).
"""

from __future__ import annotations

import pyarrow as pa

from etl.extract.excel import read_excel_rows
from etl.extract.file_scan import FileScan
from etl.extract.formats import file_fingerprint
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
    """Read the declared sheet of a workbook (see :func:`etl.extract.excel.read_excel_rows`)."""
    with opened:
        table, numbers = read_excel_rows(
            opened.path,
            opened.relative_path,
            sheet=source.sheet,
            header_row=source.header_row,
            limits=limits,
        )
    return WholePart(
        table,
        file_fingerprint(opened, scan, "excel", None),
        rows=pa.array(numbers, pa.int64()),
        batch_rows=batch_rows,
    )
