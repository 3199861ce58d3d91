"""Where the table is on a delivered sheet: title rows, the header, footer notes, total rows.

Departments' sheets look like this::

    2024年5月企业登记情况表              <- title (often a merged cell): skipped
    填报单位：某某局          单位：万元   <- metadata ("key：value" cells): skipped
                                          <- blank: skipped
    序号  名称  代码  注册资本  登记日期    <- the header: the first row wide enough
    1     …                               <- data (row 1)
    合计              1234                 <- a total row: excluded
    注：1. 数据截至5月31日。                <- footer notes: excluded
    制表人：张三      审核人：李四

Everything here works on rows of cell texts (None for empty cells).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.errors import DataError

Row = Sequence[str | None]

#: How many leading non-empty rows are looked at to find the header.
SCAN_ROWS = 30
_METADATA = re.compile(r"^[^:：]{1,16}[:：]")
_FOOTER = re.compile(
    r"^(注\s*[:：0-9０-９一二三四五六七八九十（(、.．]"
    r"|(备注|说明|制表|填表|填报|审核|审批|复核|负责人|单位负责人|统计负责人|联系人|联系电话"
    r"|数据来源|资料来源|报送日期|填报日期|制表日期)\S{0,4}\s*[:：])"
)
_TOTALS = frozenset({"合计", "总计", "小计"})
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class SheetTable:
    """The table found on a sheet.

    Attributes:
        header: the header row's cell texts.
        rows: data rows, each as wide as the header.
        numbers: per data row, its 1-based number counted from the header row (sheet row of
            the header + number = the row a person sees in the spreadsheet).
        header_row: 1-based sheet row of the header.
        dropped: how many total rows and footer lines were excluded.
    """

    header: list[str | None]
    rows: list[list[str | None]]
    numbers: list[int]
    header_row: int
    dropped: int


def _filled(row: Row) -> list[str]:
    return [cell for cell in row if cell is not None]


def _first(row: Row, within: int | None = None) -> str | None:
    cells = row if within is None else row[:within]
    for cell in cells:
        if cell is not None:
            return _WHITESPACE.sub("", cell)
    return None


def is_footer(row: Row) -> bool:
    """Whether a row is a footer note (``注：…``, ``制表人：…``, ``数据来源：…``)."""
    first = _first(row)
    return first is not None and bool(_FOOTER.match(first))


def is_total(row: Row) -> bool:
    """Whether a row is a total row: one of its first three cells says 合计/总计/小计."""
    first = _first(row, within=3)
    return first is not None and first.rstrip(":：") in _TOTALS


def _is_metadata(row: Row) -> bool:
    return all(_METADATA.match(cell.strip()) for cell in _filled(row))


def find_header(rows: Sequence[Row]) -> int:
    """Index of the header: the first row (of the first ``SCAN_ROWS``) wide enough.

    Wide enough means at least 60% as many filled cells as the widest scanned row (and two,
    when any row has two); rows made only of ``key：value`` cells are metadata, not headers.
    """
    scanned = rows[:SCAN_ROWS]
    counts = [len(_filled(row)) for row in scanned]
    widest = max(counts, default=0)
    need = max(min(2, widest), math.ceil(0.6 * widest))
    for index, row in enumerate(scanned):
        if counts[index] >= need and not _is_metadata(row):
            return index
    return next(i for i, count in enumerate(counts) if count)


def locate_table(
    rows: Sequence[Row], *, first_row: int, header_row: int | None, rel: str
) -> SheetTable:
    """Find the header and the data rows of a sheet.

    Args:
        rows: the sheet's rows from its first used row on (cell texts, None when empty).
        first_row: the 0-based sheet row of ``rows[0]``.
        header_row: the registry's 1-based header row, or None to detect it.
        rel: the file's relative path, for messages.

    Returns:
        The located table; blank rows, total rows and trailing footer notes are excluded.

    Raises:
        DataError: the sheet has no rows, or the declared header row is empty or absent.
    """
    if not any(_filled(row) for row in rows):
        raise DataError(f"{rel} is empty (the sheet has no rows)")
    if header_row is None:
        start = find_header(rows)
    else:
        start = header_row - 1 - first_row
        if not 0 <= start < len(rows) or not _filled(rows[start]):
            raise DataError(f"header row {header_row} of {rel} is empty")
    header = list(rows[start])
    width = len(header)
    body = [(n, list(rows[start + n])) for n in range(1, len(rows) - start)]
    body = [(n, row) for n, row in body if _filled(row)]
    dropped = 0
    while body and (is_footer(body[-1][1]) or is_total(body[-1][1])):
        body.pop()
        dropped += 1
    kept = [(n, row) for n, row in body if not is_total(row)]
    dropped += len(body) - len(kept)
    padded = [row + [None] * (width - len(row)) for _, row in kept]
    return SheetTable(
        header=header,
        rows=padded,
        numbers=[n for n, _ in kept],
        header_row=first_row + start + 1,
        dropped=dropped,
    )
