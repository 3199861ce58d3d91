from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from etl.errors import DataError
from etl.extract import extract_source
from etl.extract._sheet_layout import find_header, is_footer, is_total
from etl.registry.sources import FileSource
from tests.unit.extract.xls_writer import write_xls

DAY = date(2024, 6, 1)
HEADER = ["序号", "统一社会信用代码", "企业名称", "注册资本", "登记日期"]
# A department's sheet: merged title, metadata, blank row, header, data, totals and notes.
SHEET: list[list[object]] = [
    ["2024年5月企业登记情况表", None, None, None, None],
    ["填报单位：市场监管局", None, None, None, "单位：万元"],
    [None, None, None, None, None],
    HEADER,
    [1, "0012345", "甲公司", 100, dt.date(2024, 5, 1)],
    [None, None, None, None, None],
    [2, "0000001", "乙公司", 25.5, dt.date(2024, 5, 2)],
    ["小计", None, None, 125.5, None],
    [3, "0000002", "丙公司", None, None],
    ["合 计", None, None, 125.5, None],
    ["注：1. 数据截至5月31日。", None, None, None, None],
    ["制表人：张三", None, "审核人：李四", None, None],
]
EXPECTED = [
    {
        "序号": "1",
        "统一社会信用代码": "0012345",
        "企业名称": "甲公司",
        "注册资本": "100",
        "登记日期": "2024-05-01",
    },
    {
        "序号": "2",
        "统一社会信用代码": "0000001",
        "企业名称": "乙公司",
        "注册资本": "25.5",
        "登记日期": "2024-05-02",
    },
    {
        "序号": "3",
        "统一社会信用代码": "0000002",
        "企业名称": "丙公司",
        "注册资本": None,
        "登记日期": None,
    },
]


def _xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif value is not None:
                    sheet.write(r, c, value)
        if rows and rows[0][0] == SHEET[0][0]:
            sheet.merge_range(0, 0, 0, 4, SHEET[0][0])
    workbook.close()
    return path


def _extract(landing: Path, name: str, **spec: object) -> tuple[list[dict[str, object]], list[int]]:
    source = FileSource.model_validate({"kind": "file", "format": "excel", "path": name, **spec})
    extracted = extract_source(source, landing=landing, logical_date=DAY)
    assert extracted.fingerprints[0].format == "excel"
    assert extracted.fingerprints[0].rows == extracted.table.num_rows
    return extracted.table.to_pylist(), extracted.source_row.to_pylist()


def test_xlsx_title_rows_totals_and_footers(tmp_path: Path) -> None:
    _xlsx(tmp_path / "reg.xlsx", {"登记": SHEET})
    rows, numbers = _extract(tmp_path, "reg.xlsx")
    assert rows == EXPECTED
    assert numbers == [1, 3, 5]  # counted from the header row: sheet rows 5, 7, 9


def test_xls_title_rows_totals_and_footers(tmp_path: Path) -> None:
    write_xls(tmp_path / "reg.xls", {"登记": SHEET}, merges={"登记": [(0, 0, 0, 4)]})
    rows, numbers = _extract(tmp_path, "reg.xls")
    assert rows == EXPECTED
    assert numbers == [1, 3, 5]


def test_xls_sheet_by_name_and_index(tmp_path: Path) -> None:
    write_xls(tmp_path / "two.xls", {"first": [["a"], ["1"]], "第二": [["b"], [2]]})
    assert _extract(tmp_path, "two.xls", sheet="第二")[0] == [{"b": "2"}]
    assert _extract(tmp_path, "two.xls", sheet=1)[0] == [{"b": "2"}]
    assert _extract(tmp_path, "two.xls")[0] == [{"a": "1"}]
    with pytest.raises(DataError, match=r"sheet 'x' not found in two\.xls"):
        _extract(tmp_path, "two.xls", sheet="x")


def test_declared_header_row(tmp_path: Path) -> None:
    rows = [["说明", "x", "y"], ["a", "b", "c"], ["1", "2", "3"]]
    _xlsx(tmp_path / "h.xlsx", {"s": rows})
    detected, _ = _extract(tmp_path, "h.xlsx")  # a full first row looks like the header
    assert list(detected[0]) == ["说明", "x", "y"]
    assert _extract(tmp_path, "h.xlsx", header_row=2) == ([{"a": "1", "b": "2", "c": "3"}], [1])
    with pytest.raises(DataError, match=r"header row 9 of h\.xlsx is empty"):
        _extract(tmp_path, "h.xlsx", header_row=9)


def test_sheet_starting_below_and_right_of_a1(tmp_path: Path) -> None:
    workbook = xlsxwriter.Workbook(str(tmp_path / "off.xlsx"))
    sheet = workbook.add_worksheet()
    sheet.write_row(4, 2, ["a", "b"])
    sheet.write_row(5, 2, ["1", "2"])
    workbook.close()
    assert _extract(tmp_path, "off.xlsx", header_row=5) == ([{"a": "1", "b": "2"}], [1])


def test_empty_sheet(tmp_path: Path) -> None:
    write_xls(tmp_path / "e.xls", {"s": []})
    with pytest.raises(DataError, match=r"e\.xls is empty"):
        _extract(tmp_path, "e.xls")


@pytest.mark.parametrize(
    ("row", "footer", "total"),
    [
        (["注：数据来源于登记系统", None], True, False),
        (["注1. 口径说明", None], True, False),
        (["制表人：张三", "审核人：李四"], True, False),
        (["数据来源：市统计局"], True, False),
        (["注册资本", "100"], False, False),
        (["合计", "10"], False, True),
        ([None, "总计：", "10"], False, True),
        (["合计金额", "10"], False, False),
        (["1", "张三"], False, False),
    ],
)
def test_footer_and_total_rows(row: list[str | None], footer: bool, total: bool) -> None:
    assert is_footer(row) is footer
    assert is_total(row) is total


def test_header_detection_skips_titles_and_metadata() -> None:
    rows: list[list[str | None]] = [
        ["登记表", None, None],
        ["填报单位：某局", None, "单位：元"],
        [None, None, None],
        ["编号", "名称", "2024"],
        ["1", "甲", "3"],
    ]
    assert find_header(rows) == 3
    assert find_header([["a"], ["1"]]) == 0
