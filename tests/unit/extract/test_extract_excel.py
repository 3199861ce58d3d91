from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa
import pytest

from etl.errors import DataError
from etl.extract import read_source
from etl.extract.excel import cell_to_text
from etl.registry.model import FileSource

# --- a minimal .xlsx writer (no openpyxl/xlsxwriter installed): inline strings, numbers,
# booleans, and date/datetime serials with date number formats.
Cell = str | int | float | bool | dt.date | dt.datetime | None

_PKG = "http://schemas.openxmlformats.org/package/2006"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'


def _override(part: str, kind: str) -> str:
    return f'<Override PartName="{part}" ContentType="{_MIME}.{kind}+xml"/>'


def _relationship(rid: str, kind: str, target: str) -> str:
    return f'<Relationship Id="{rid}" Type="{_REL}/{kind}" Target="{target}"/>'


def _content_types(sheets: int) -> str:
    overrides = [_override("/xl/workbook.xml", "sheet.main"), _override("/xl/styles.xml", "styles")]
    overrides += [
        _override(f"/xl/worksheets/sheet{n}.xml", "worksheet") for n in range(1, sheets + 1)
    ]
    return (
        f'{_XML}<Types xmlns="{_PKG}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{''.join(overrides)}</Types>"
    )


def _relationships(*rels: str) -> str:
    return f'{_XML}<Relationships xmlns="{_PKG}/relationships">{"".join(rels)}</Relationships>'


# cellXfs: 0 = general, 1 = date (numFmt 14), 2 = datetime (custom 164)
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>"""
_EPOCH = dt.datetime(1899, 12, 30)


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(ref: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.datetime):
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        serial = (dt.datetime(value.year, value.month, value.day) - _EPOCH).days
        return f'<c r="{ref}" s="1"><v>{serial}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def _sheet_xml(rows: Sequence[Sequence[Cell]]) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Cell]]]) -> Path:
    """Write ``sheets`` (name -> rows of cells) as an .xlsx workbook at ``path``."""
    names = list(sheets)
    numbers = range(1, len(names) + 1)
    workbook = (
        f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, name in zip(numbers, names, strict=True)
        )
        + "</sheets></workbook>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _content_types(len(names)))
        zf.writestr(
            "_rels/.rels",
            _relationships(_relationship("rId1", "officeDocument", "xl/workbook.xml")),
        )
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            _relationships(
                *(
                    _relationship(f"rId{n}", "worksheet", f"worksheets/sheet{n}.xml")
                    for n in numbers
                ),
                _relationship("rIdStyles", "styles", "styles.xml"),
            ),
        )
        zf.writestr("xl/styles.xml", _STYLES)
        for n, name in zip(numbers, names, strict=True):
            zf.writestr(f"xl/worksheets/sheet{n}.xml", _sheet_xml(sheets[name]))
    return path


# --- tests


def _source(name: str, sheet: str | int | None = None) -> FileSource:
    return FileSource(kind="file", format="excel", path=name, sheet=sheet)


def test_xlsx_values_become_canonical_strings(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "reg.xlsx",
        {
            "登记": [
                [
                    "统一社会信用代码",
                    " 企业名称 ",
                    "注册资本",
                    "登记日期",
                    "核准时间",
                    "存续",
                    2024,
                ],
                [
                    "0012345",
                    "上海某某有限公司",
                    12.0,
                    dt.date(2024, 5, 1),
                    dt.datetime(2024, 5, 1, 8, 30, 15),
                    True,
                    7,
                ],
                [None, None, None, None, None, None, None],
                ["0000001", "", 1234.5, None, None, False, None],
            ]
        },
    )
    table, fingerprint = read_source(path, _source("reg.xlsx"), landing=tmp_path)
    assert fingerprint.encoding is None
    assert fingerprint.format == "excel"
    assert fingerprint.rows == 2
    assert table.column_names == [
        "统一社会信用代码",
        "企业名称",
        "注册资本",
        "登记日期",
        "核准时间",
        "存续",
        "2024",
    ]
    assert all(field.type == pa.string() for field in table.schema)
    assert table.to_pylist() == [
        {
            "统一社会信用代码": "0012345",
            "企业名称": "上海某某有限公司",
            "注册资本": "12",
            "登记日期": "2024-05-01",
            "核准时间": "2024-05-01T08:30:15",
            "存续": "true",
            "2024": "7",
        },
        {
            "统一社会信用代码": "0000001",
            "企业名称": None,
            "注册资本": "1234.5",
            "登记日期": None,
            "核准时间": None,
            "存续": "false",
            "2024": None,
        },
    ]


def test_sheet_by_name_and_index(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "two.xlsx", {"first": [["a"], ["1"]], "第二": [["b"], ["2"]]})
    by_name, _ = read_source(path, _source("two.xlsx", "第二"), landing=tmp_path)
    by_index, _ = read_source(path, _source("two.xlsx", 1), landing=tmp_path)
    default, _ = read_source(path, _source("two.xlsx"), landing=tmp_path)
    assert by_name.to_pylist() == by_index.to_pylist() == [{"b": "2"}]
    assert default.to_pylist() == [{"a": "1"}]


@pytest.mark.parametrize("sheet", ["missing", 5, -1])
def test_unknown_sheet(tmp_path: Path, sheet: str | int) -> None:
    path = write_xlsx(tmp_path / "one.xlsx", {"only": [["a"], ["1"]]})
    with pytest.raises(DataError, match=r"not found in one\.xlsx"):
        read_source(path, _source("one.xlsx", sheet), landing=tmp_path)


@pytest.mark.parametrize("data", [b"id,name\n1,a\n", b"PK\x03\x04garbage", "中文".encode("gbk")])
def test_not_a_workbook(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(data)
    with pytest.raises(DataError, match=r"^fake\.xlsx is not a readable Excel workbook"):
        read_source(path, _source("fake.xlsx"), landing=tmp_path)


def test_empty_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"s": []})
    with pytest.raises(DataError, match=r"e\.xlsx is empty"):
        read_source(path, _source("e.xlsx"), landing=tmp_path)


def test_duplicate_headers(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "d.xlsx", {"s": [["编号", "编号 "], ["1", "2"]]})
    with pytest.raises(DataError, match=r"duplicate header name '编号' in d\.xlsx"):
        read_source(path, _source("d.xlsx"), landing=tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" x ", " x "),
        (12.0, "12"),
        (-3.0, "-3"),
        (12.25, "12.25"),
        (1e20, "100000000000000000000"),
        (5, "5"),
        (True, "true"),
        (dt.date(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 0, 0), "2024-05-01T00:00:00"),
        (dt.datetime(2024, 5, 1, 1, 2, 3, 500), "2024-05-01T01:02:03.000500"),
        (dt.time(8, 30), "08:30:00"),
    ],
)
def test_cell_to_text(value: object, expected: str | None) -> None:
    assert cell_to_text(value) == expected  # type: ignore[arg-type]
