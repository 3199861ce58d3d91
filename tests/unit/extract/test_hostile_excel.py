"""Hostile and broken workbooks: refused before python-calamine opens them, with one line.

Each hostile case here would, unchecked, make calamine inflate or allocate without bound; the
one with cells at A1 and XFD1048576 would abort this test process (calamine asks for 512 GiB).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from etl.errors import DataError
from etl.extract import read_source
from etl.extract._workbook_zip import check_workbook
from etl.extract.excel import read_excel_rows
from etl.registry.model import FileSource
from etl.settings import ReadLimits
from tests.unit.extract.hostile_files import (
    SHEET,
    XML,
    bomb_sheet,
    lie_about_sizes,
    sheet_xml,
    table_sheet,
    write_xlsx,
)

LIMITS = ReadLimits()


def _read(path: Path, limits: ReadLimits = LIMITS, sheet: str | int | None = None) -> int:
    table, _ = read_excel_rows(path, path.name, sheet=sheet, limits=limits)
    return table.num_rows


def test_a_plain_workbook_reads(tmp_path: Path) -> None:
    assert _read(write_xlsx(tmp_path / "ok.xlsx", table_sheet(3))) == 3


def test_a_truncated_workbook_is_refused(tmp_path: Path) -> None:
    data = write_xlsx(tmp_path / "full.xlsx", table_sheet(50)).read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"^cut\.xlsx is not a readable Excel workbook \(a dam"):
        _read(path)


def test_cells_at_a1_and_xfd1048576_are_refused_before_calamine(tmp_path: Path) -> None:
    corner = sheet_xml([(1, [("A1", "a")]), (1048576, [("XFD1048576", "b")])])
    path = write_xlsx(tmp_path / "corner.xlsx", corner)
    with pytest.raises(DataError, match=r"spans 17,179,869,184 cells, more than the limit of 10,0"):
        _read(path)


def test_a_row_reference_alone_sets_the_range(tmp_path: Path) -> None:
    # A cell without its own reference in row 1048576, 16,384 cells wide, on a row of its own.
    wide = "<c><v>1</v></c>" * 16_384
    xml = f'{XML}<worksheet xmlns="x"><sheetData><row r="1048576">{wide}</row></sheetData>'
    path = write_xlsx(tmp_path / "rows.xlsx", (xml + "</worksheet>").encode())
    with pytest.raises(DataError, match=r"rows\.xlsx: the sheet's used range spans 17,179,8"):
        check_workbook(path, "rows.xlsx", None, LIMITS)


def test_spaced_references_are_read_too(tmp_path: Path) -> None:
    xml = f'{XML}<worksheet xmlns="x"><sheetData><row r = "1"><c r = "XFD1048576"><v>1</v></c>'
    path = write_xlsx(tmp_path / "spaced.xlsx", (xml + "</row></sheetData></worksheet>").encode())
    with pytest.raises(DataError, match=r"spans 17,179,869,184 cells"):
        check_workbook(path, "spaced.xlsx", None, LIMITS)


def test_a_stray_corner_cell_on_another_sheet_does_not_block_this_one(tmp_path: Path) -> None:
    corner = sheet_xml([(1048576, [("XFD1048576", "b")])])
    path = write_xlsx(tmp_path / "two.xlsx", table_sheet(2), corner, names=["数据", "草稿"])
    assert _read(path, sheet="数据") == 2
    with pytest.raises(DataError, match=r"more than the limit"):
        _read(path, sheet="草稿")


def test_an_inflation_ratio_past_the_limit_is_refused_from_the_directory(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", bomb_sheet(20_000))  # 17 MB from ~70 KB
    with pytest.raises(DataError, match=r"part xl/worksheets/sheet1\.xml inflates \d+ times"):
        _read(path)


def test_declared_sizes_past_the_limit_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "big.xlsx", table_sheet(20))
    lie_about_sizes(path, SHEET, 3_000_000_000)
    with pytest.raises(DataError, match=r"declares 3,000,00\d,\d+ bytes inflated, more than"):
        _read(path)


def test_a_part_that_declares_less_than_it_holds_is_bounded_while_inflating(
    tmp_path: Path,
) -> None:
    path = write_xlsx(tmp_path / "lie.xlsx", bomb_sheet(20_000, columns=4))
    lie_about_sizes(path, SHEET, 1000)  # passes the ratio and size checks of the directory
    limits = ReadLimits(max_inflated_bytes=1024 * 1024)
    with pytest.raises(DataError, match=r"^lie\.xlsx inflates to more than 1,048,576 bytes"):
        _read(path, limits)


def test_cells_without_references_count_by_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "rless.xlsx", bomb_sheet(2_000, columns=40))
    limits = ReadLimits(max_cells=79_999, max_inflation_ratio=1000)
    with pytest.raises(DataError, match=r"spans 80,000 cells, more than the limit of 79,999"):
        check_workbook(path, "rless.xlsx", None, limits)
    check_workbook(path, "rless.xlsx", None, ReadLimits(max_cells=80_000, max_inflation_ratio=1000))


def test_the_cell_limit_counts_the_used_range(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", table_sheet(99, columns=3))  # 100 rows x 3
    assert _read(path, ReadLimits(max_cells=300)) == 99
    with pytest.raises(DataError, match=r"spans 300 cells, more than the limit of 299"):
        _read(path, ReadLimits(max_cells=299))


def test_a_header_without_rows_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", sheet_xml([(1, [("A1", "编号"), ("B1", "名称")])]))
    with pytest.raises(DataError, match=r"^h\.xlsx has a header but no data rows$"):
        _read(path)


def test_too_many_columns_and_reserved_names_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "w.xlsx", table_sheet(2, columns=5))
    with pytest.raises(DataError, match=r"^w\.xlsx has 5 columns, more than the limit of 4 "):
        _read(path, ReadLimits(max_columns=4))
    reserved = sheet_xml([(1, [("A1", "a"), ("B1", "_source_row")]), (2, [("A2", "1")])])
    path = write_xlsx(tmp_path / "r.xlsx", reserved)
    source = FileSource(kind="file", format="excel", path="r.xlsx")
    with pytest.raises(DataError, match=r"column 2 of r\.xlsx is named '_source_row'"):
        read_source(path, source, landing=tmp_path)


def test_a_zip_that_is_no_workbook_is_left_to_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    check_workbook(path, "other.xlsx", None, LIMITS)
    with pytest.raises(DataError, match=r"^other\.xlsx is not a readable Excel workbook"):
        _read(path)
