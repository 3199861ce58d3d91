"""Reading an Excel sheet (xlsx, xlsm, xlsb, xls, ods) with python-calamine."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, WorksheetNotFound

from etl.errors import DataError
from etl.extract._sheet_layout import locate_table
from etl.extract._table import check_cells, check_columns, strings_table
from etl.extract._workbook_zip import check_workbook
from etl.extract.encoding import HEAD_BYTES, describe_content
from etl.settings import DEFAULT_LIMITS, ReadLimits

logger = logging.getLogger(__name__)

Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def cell_to_text(value: Cell | None) -> str | None:
    """Convert one calamine cell to its canonical text.

    Args:
        value: a cell as calamine returns it.

    Returns:
        None for an empty cell; ``true``/``false`` for booleans; integral floats without a
        fraction (``12.0`` -> ``12``), other floats by ``repr``; dates as ``YYYY-MM-DD``,
        date-times as ``YYYY-MM-DDTHH:MM:SS`` (with microseconds only when present); strings
        unchanged.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.time):
        return value.isoformat(timespec="seconds" if value.microsecond == 0 else "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _not_a_workbook(path: Path, rel: str) -> DataError:
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    looks = describe_content(head)
    suffix = f" (its content looks like {looks})" if looks else ""
    return DataError(f"{rel} is not a readable Excel workbook{suffix}")


def _open_sheet(
    path: Path, rel: str, sheet: str | int | None, max_cells: int
) -> tuple[list[list[Cell]], int]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise DataError(f"{rel} is a password-protected workbook") from None
    except CalamineError:
        raise _not_a_workbook(path, rel) from None
    try:
        try:
            if sheet is None:
                worksheet = workbook.get_sheet_by_index(0)
            elif isinstance(sheet, int):
                worksheet = workbook.get_sheet_by_index(sheet)
            else:
                worksheet = workbook.get_sheet_by_name(sheet)
        except (WorksheetNotFound, IndexError, OverflowError):
            names = ", ".join(workbook.sheet_names[:10])
            raise DataError(f"sheet {sheet!r} not found in {rel} (sheets: {names})") from None
        # The range is allocated natively by now; its Python objects, ~6x larger, are not yet.
        check_cells(worksheet.height, worksheet.width, rel, max_cells)
        start = worksheet.start
        rows: list[list[Cell]] = worksheet.to_python(skip_empty_area=True)
    except CalamineError:
        raise _not_a_workbook(path, rel) from None
    finally:
        workbook.close()
    return rows, (start[0] if start else 0)


def read_excel_rows(
    path: Path,
    rel: str,
    *,
    sheet: str | int | None,
    header_row: int | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[pa.Table, list[int]]:
    """Read the table on one sheet as an all-string table, with its data row numbers.

    The header is the first row wide enough (title rows, ``key：value`` metadata rows and blank
    rows above it are skipped) or the declared ``header_row``. Blank rows, total rows
    (合计/总计/小计) and trailing footer notes (``注：…``, ``制表人：…``) are excluded (see
    :mod:`etl.extract._sheet_layout`).

    Args:
        path: the resolved workbook file (.xlsx, .xlsm, .xlsb, .xls, .ods).
        rel: its path relative to the landing root, for messages.
        sheet: sheet name, 0-based index, or None for the first sheet.
        header_row: 1-based sheet row of the header, or None to detect it.
        limits: inflation, ratio, used-range cells and columns allowed (a zip workbook is
            checked by :func:`etl.extract._workbook_zip.check_workbook` before it is opened).

    Returns:
        The table, every column ``string`` (see :func:`cell_to_text`), empty cells null; and
        per row its number counted from the header row (header row + number = sheet row).

    Raises:
        DataError: not a workbook (or a damaged zip), unknown sheet, empty sheet, a header
            without data rows, duplicate or reserved header names, or a limit exceeded.
    """
    check_workbook(path, rel, sheet, limits)
    cells, first_row = _open_sheet(path, rel, sheet, limits.max_cells)
    texts = [[cell_to_text(cell) for cell in row] for row in cells]
    located = locate_table(texts, first_row=first_row, header_row=header_row, rel=rel)
    check_columns(len(located.header), rel, limits.max_columns)
    if not located.rows:
        raise DataError(f"{rel} has a header but no data rows")
    if located.header_row != first_row + 1 or located.dropped:
        logger.info(
            "%s: header on sheet row %d; %d total/footer rows excluded",
            rel,
            located.header_row,
            located.dropped,
        )
    table = strings_table(located.header, located.rows, rel)
    return table, located.numbers
