from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import ConfigError, DataError
from etl.extract import read_source
from etl.registry.model import FileSource

ROWS = [
    ["统一社会信用代码", "企业名称", "法定代表人", "注册资本", "登记日期"],
    ["0012345", "上海某某有限公司", "张三", '"1,234.5"', "2024年5月1日"],
    ["0000001", "北京某某科技公司", "", "100", "2024/5/2"],
]


def _csv(rows: list[list[str]], sep: str = ",") -> str:
    return "\n".join(sep.join(row) for row in rows) + "\n"


def _read(landing: Path, name: str, data: bytes, **source: str) -> tuple[pa.Table, str | None, str]:
    path = landing / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    spec = FileSource(kind="file", format="csv", path=name, **source)
    table, fingerprint = read_source(path, spec, landing=landing)
    return table, fingerprint.encoding, fingerprint.relative_path


def _assert_expected(table: pa.Table) -> None:
    assert table.column_names == ROWS[0]
    assert all(field.type == pa.string() for field in table.schema)
    assert table.column("统一社会信用代码").to_pylist() == ["0012345", "0000001"]
    assert table.column("法定代表人").to_pylist() == ["张三", None]
    assert table.column("注册资本").to_pylist() == ["1,234.5", "100"]
    assert table.column("企业名称")[0].as_py() == "上海某某有限公司"


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("gbk"), "gb18030"),
        (lambda text: text.encode("gb18030"), "gb18030"),
        (lambda text: text.encode("utf-16"), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16"],
)
def test_encodings(tmp_path: Path, encode: Callable[[str], bytes], expected: str) -> None:
    data = encode(_csv(ROWS))
    table, encoding, _ = _read(tmp_path, "reg.csv", data)
    assert encoding == expected
    _assert_expected(table)


def test_gb18030_only_characters(tmp_path: Path) -> None:
    rows = [["姓名", "编号"], ["𠀀䶮", "007"]]
    table, encoding, _ = _read(tmp_path, "rare.csv", _csv(rows).encode("gb18030"))
    assert encoding == "gb18030"
    assert table.to_pylist() == [{"姓名": "𠀀䶮", "编号": "007"}]


def test_declared_encoding_wins(tmp_path: Path) -> None:
    table, encoding, _ = _read(tmp_path, "reg.csv", _csv(ROWS).encode("gbk"), encoding="GBK")
    assert encoding == "gbk"
    _assert_expected(table)


def test_unknown_declared_encoding_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no-such-codec"):
        _read(tmp_path, "reg.csv", b"a\n1\n", encoding="no-such-codec")


def test_gbk_after_an_ascii_head_is_retried_as_gb18030(tmp_path: Path) -> None:
    ascii_rows = [["id", "name"]] + [[f"{i:07d}", "x" * 50] for i in range(3000)]
    data = _csv(ascii_rows).encode() + "9999999,中文名称\n".encode("gbk")
    assert len(data) > 64 * 1024
    table, encoding, _ = _read(tmp_path, "late.csv", data)
    assert encoding == "gb18030"
    assert table.column("name")[-1].as_py() == "中文名称"
    assert table.column("id")[0].as_py() == "0000000"


@pytest.mark.parametrize(("sep", "suffix"), [("\t", "tsv"), (";", "csv"), ("|", "txt")])
def test_delimiter_detection(tmp_path: Path, sep: str, suffix: str) -> None:
    table, _, _ = _read(tmp_path, f"reg.{suffix}", _csv(ROWS, sep).encode())
    _assert_expected(table)


def test_declared_delimiter(tmp_path: Path) -> None:
    rows = [["a", "b"], ["1,5", "2"]]
    table, _, _ = _read(tmp_path, "reg.csv", _csv(rows, ";").encode(), delimiter=";")
    assert table.to_pylist() == [{"a": "1,5", "b": "2"}]


def test_header_whitespace_bom_and_quotes(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + ' 编号 ,"名称",\u3000备注\n"0012","a, ""b""\nc",\n'.encode()
    table, _, _ = _read(tmp_path, "q.csv", data)
    assert table.column_names == ["编号", "名称", "备注"]
    assert table.to_pylist() == [{"编号": "0012", "名称": 'a, "b"\nc', "备注": None}]


def test_header_only_is_refused(tmp_path: Path) -> None:
    # An empty delivery would replace the date with nothing: it is refused, not loaded.
    with pytest.raises(DataError, match=r"^h\.csv has a header but no data rows$"):
        _read(tmp_path, "h.csv", "编号,名称\n".encode())


def test_numbers_are_not_inferred(tmp_path: Path) -> None:
    rows = [
        ["card", "amount", "flag", "day"],
        ["6222020200001234567", "1.50", "true", "2024-05-01"],
    ]
    table, _, _ = _read(tmp_path, "n.csv", _csv(rows).encode())
    assert table.to_pylist() == [
        {"card": "6222020200001234567", "amount": "1.50", "flag": "true", "day": "2024-05-01"}
    ]


def test_trailing_delimiter_column_is_dropped(tmp_path: Path) -> None:
    table, _, _ = _read(tmp_path, "t.csv", b"a,b,\n1,2,\n3,4,\n")
    assert table.column_names == ["a", "b"]


def test_unnamed_column_with_values_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"column 2 of t\.csv has values but an empty header"):
        _read(tmp_path, "t.csv", b"a,,c\n1,2,3\n")


def test_duplicate_headers(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        _read(tmp_path, "dept/dup.csv", "编号,名称, 编号\n1,2,3\n".encode())
    message = str(info.value)
    assert "dept/dup.csv" in message
    assert "columns 1 and 3" in message


def test_ragged_row_names_the_line_not_the_values(tmp_path: Path) -> None:
    data = "编号,名称\n1,甲\n2,乙,secret-value\n3,丙\n".encode()
    with pytest.raises(DataError) as info:
        _read(tmp_path, "r.csv", data)
    message = str(info.value)
    assert "line 3 of r.csv" in message
    assert "secret-value" not in message
    assert "\n" not in message


def test_ragged_short_row(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"line 4 of r\.csv has 1 fields where the header has 2"):
        _read(tmp_path, "r.csv", b"a,b\n1,2\n3,4\n5\n")


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"\x00" * 100,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"a,b\n1,\x00\x01\x02\n",
    ],
)
def test_binary_in_csv(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DataError, match=r"^x\.csv is not a text file"):
        _read(tmp_path, "x.csv", data)


@pytest.mark.parametrize("data", [b"\n\n  \n", codecs.BOM_UTF8])
def test_blank_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DataError, match=r"blank\.csv is empty"):
        _read(tmp_path, "blank.csv", data)


def test_undecodable_declared_encoding(tmp_path: Path) -> None:
    data = "编号\n".encode() + "中文\n".encode("gbk")
    with pytest.raises(DataError, match=r"^bad\.csv is not valid UTF-8: byte 7 \(line 2\)"):
        _read(tmp_path, "bad.csv", data, encoding="utf-8")
    late = _csv([["id"]] + [[f"{i:07d}"] for i in range(20_000)]).encode() + b"\xff\xfe\n"
    with pytest.raises(
        DataError, match=r"^late\.csv is not valid UTF-8: byte 160,003 \(line 20,002\)"
    ):
        _read(tmp_path, "late.csv", late, encoding="utf-8")


def test_undecodable_gbk_declared_reports_codec(tmp_path: Path) -> None:
    late = _csv([["id"]] + [[f"{i:07d}"] for i in range(20_000)]).encode() + b"\xff\xff\n"
    with pytest.raises(DataError, match=r"^cannot decode late\.csv as gb18030$"):
        _read(tmp_path, "late.csv", late, encoding="gb18030")


def test_ragged_row_deep_in_a_large_file(tmp_path: Path) -> None:
    rows = [["id", "v"]] + [[f"{i:07d}", str(i)] for i in range(300_000)]
    rows[250_000].append("extra")
    with pytest.raises(DataError, match=r"^line 250001 of big\.csv has 3 fields"):
        _read(tmp_path, "big.csv", _csv(rows).encode())
