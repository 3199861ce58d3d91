"""The streaming CSV reader gives what the whole-file reader gives, at any batch size."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import DataError
from etl.extract.csv_reader import read_csv_rows
from etl.extract.csv_stream import CsvStream, csv_layout

CASES = {
    "plain": (
        "姓名,身份证号,金额\n张三,110101199001011234,1\n李四,110101199001015678,2\n",
        "utf-8",
    ),
    "ragged": ("a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n", "utf-8"),
    "quoted_newlines": ('a,b\n"x\ny",1\n2,3\n4\n"p\nq\nr",5,6\n7,8\n', "utf-8"),
    "blank_lines": ("a,b\n1,2\n\n3\n\n4,5\n6,7,8\n", "utf-8"),
    "crlf": ("a,b\r\n1,2\r\n3\r\n4,5\r\n", "utf-8"),
    "gbk": ("名称,地址\n甲公司,北京市\n乙公司\n丙公司,上海市\n", "gbk"),
    "bom": ("\ufeffa,b\n1,2\n3,4\n", "utf-8"),
    "trailing_empty_column": ("a,b,\n1,2,\n3,4,\n", "utf-8"),
}


def _stream(path: Path, batch_rows: int) -> tuple[pa.Table, list[int], list[tuple]]:
    layout = csv_layout(path, path.name, encoding=None, delimiter=None)
    stream = CsvStream(path, path.name, layout, batch_rows)
    batches = list(stream)
    assert all(b.table.num_rows <= batch_rows for b in batches)
    table = pa.concat_tables([b.table for b in batches])
    rows = [n for b in batches for n in b.rows.to_pylist()]
    rejected = [(r.row, r.line, r.fields, r.expected, r.text) for r in stream.rejected()]
    return table, rows, rejected


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("batch_rows", [1, 2, 3, 1000])
def test_stream_matches_whole_file_reader(tmp_path: Path, case: str, batch_rows: int) -> None:
    text, encoding = CASES[case]
    path = tmp_path / f"{case}.csv"
    path.write_bytes(text.encode(encoding))
    whole = read_csv_rows(path, path.name, encoding=None, delimiter=None)
    table, rows, rejected = _stream(path, batch_rows)
    assert table.to_pylist() == whole.table.to_pylist()
    assert table.column_names == whole.table.column_names
    assert rows == whole.rows.to_pylist()
    assert rejected == [(r.row, r.line, r.fields, r.expected, r.text) for r in whole.rejected]


def test_ragged_rows_keep_their_physical_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_text('a,b\n"x\ny",1\n\n3\n4,5\n', encoding="utf-8")
    _, rows, rejected = _stream(path, 1)
    assert rows == [1, 3]
    assert [(r[0], r[1]) for r in rejected] == [(2, 5)]  # data row 2 starts on line 5


def test_a_file_not_utf8_past_its_head_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    ascii_rows = "".join(f"{i},x\n" for i in range(20_000))  # > the sniffed head
    path.write_bytes(("a,b\n" + ascii_rows + "9,北京\n").encode("gb18030"))
    layout = csv_layout(path, path.name, encoding=None, delimiter=None)
    assert layout.codec == "gb18030"
    table, _, _ = _stream(path, 5000)
    assert table.column("b").to_pylist()[-1] == "北京"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,a\n1,2\n", "duplicate header name 'a'"),
        ("", "is empty"),
        ("a,,b\n1,2,3\n", "has values but an empty header name"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        _stream(path, 2)
