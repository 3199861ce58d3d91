"""Reading an Excel sheet (xlsx, xlsm, xlsb, xls, ods) with python-calamine."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, WorksheetNotFound

from etl.errors import DataError
from etl.extract._table import strings_table

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


def _open_sheet(path: Path, rel: str, sheet: str | int | None) -> list[list[Cell]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise DataError(f"{rel} is a password-protected workbook") from None
    except CalamineError:
        raise DataError(f"{rel} is not a readable Excel workbook") from None
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
        rows: list[list[Cell]] = worksheet.to_python(skip_empty_area=True)
    except CalamineError:
        raise DataError(f"{rel} is not a readable Excel workbook") from None
    finally:
        workbook.close()
    return rows


def read_excel_file(path: Path, rel: str, *, sheet: str | int | None) -> pa.Table:
    """Read one sheet as an all-string table; its first non-empty row is the header.

    Rows whose cells are all empty are skipped (as the CSV reader skips blank lines).

    Args:
        path: the resolved workbook file.
        rel: its path relative to the landing root, for messages.
        sheet: sheet name, 0-based index, or None for the first sheet.

    Returns:
        The table, every column ``string`` (see :func:`cell_to_text`), empty cells null.

    Raises:
        DataError: not a workbook, unknown sheet, empty sheet, duplicate header names.
    """
    rows = _open_sheet(path, rel, sheet)
    texts = ([cell_to_text(cell) for cell in row] for row in rows)
    non_empty = [row for row in texts if any(cell is not None for cell in row)]
    if not non_empty:
        raise DataError(f"{rel} is empty (sheet {sheet if sheet is not None else 0!r} has no rows)")
    header, data = non_empty[0], non_empty[1:]
    width = len(header)
    padded = [row + [None] * (width - len(row)) if len(row) < width else row for row in data]
    logger.debug("read %d rows from sheet %r of %s", len(padded), sheet, rel)
    return strings_table(header, padded, rel)
