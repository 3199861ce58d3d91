"""Hostile and broken delimited files: each refused with one line naming the file and the cause."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from etl.errors import DataError
from etl.extract import read_source
from etl.extract.csv_reader import read_csv_rows
from etl.extract.csv_stream import CsvStream, csv_layout
from etl.extract.encoding import utf8_break
from etl.registry.model import FileSource
from etl.settings import DEFAULT_LIMITS, ReadLimits, Settings

CSV = FileSource(kind="file", format="csv", path="x.csv")


def _stream(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> int:
    layout = csv_layout(path, path.name, encoding=None, delimiter=None, limits=limits)
    return sum(batch.table.num_rows for batch in CsvStream(path, path.name, layout, 1000))


def _both(path: Path, limits: ReadLimits, match: str) -> None:
    """The streaming reader (runs) and the whole-file reader (other paths) refuse alike."""
    with pytest.raises(DataError, match=match):
        _stream(path, limits)
    with pytest.raises(DataError, match=match):
        read_csv_rows(path, path.name, encoding=None, delimiter=None, limits=limits)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(b"")
    with pytest.raises(DataError, match=r"^x\.csv is empty \(0 bytes\)$"):
        read_source(tmp_path / "x.csv", CSV, landing=tmp_path)


def test_header_only_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("编号,名称\r\n", encoding="utf-8")
    _both(path, ReadLimits(), r"^h\.csv has a header but no data rows$")


def test_a_file_of_ragged_rows_only_is_read_for_quarantine(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("a,b\n1\n2\n", encoding="utf-8")
    assert _stream(path) == 0
    assert len(read_csv_rows(path, "r.csv", encoding=None, delimiter=None).rejected) == 2


def test_a_first_line_longer_than_the_limit_is_refused_before_it_is_held(tmp_path: Path) -> None:
    path = tmp_path / "line.csv"
    path.write_bytes(b"x" * 600_000 + b"\n1\n")
    _both(path, ReadLimits(max_record_bytes=200_000), r"^the first line of line\.csv is longer")


def test_a_record_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rec.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"y" * 2_500_000 + b",3\n4,5\n")
    _both(
        path,
        ReadLimits(max_record_bytes=1024 * 1024),
        r"^a record of rec\.csv is longer than the limit of 1,048,576 bytes"
        r" \(PUBDATA_MAX_RECORD_BYTES\)$",
    )


def test_a_record_within_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_bytes(b"a,b\n1,2\n" + b"y" * 900_000 + b",3\n")
    assert _stream(path, ReadLimits(max_record_bytes=1024 * 1024)) == 2


def test_nul_bytes_in_the_head_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\n1,\x00\x00\n")
    _both(path, ReadLimits(), r"^bin\.csv is not a text file")


def test_a_nul_byte_past_the_head_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    rows = "".join(f"{i:06d},x\n" for i in range(20_000))
    path.write_bytes(f"a,b\n{rows}".encode() + b"7,a\x00b\n" + b"8,y\n")
    _both(path, ReadLimits(), r"^data row 20,001 of nul\.csv holds a NUL byte")


def test_utf8_broken_in_the_middle_is_refused_with_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mid.csv"
    head = "姓名,编号\n" + "张三,0012\n" * 10_000
    path.write_bytes(head.encode() + b"\xe5\x00\xff,1\n" + "李四,2\n".encode())
    offset = len(head.encode())
    broken = utf8_break(path)
    assert broken is not None and (broken.offset, broken.line) == (offset, 10_002)
    match = rf"^mid\.csv is not valid UTF-8: byte {offset:,} \(line 10,002\)"
    _both(path, ReadLimits(), match)


def test_gbk_after_an_ascii_head_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    ascii_rows = "".join(f"{i:07d},{'x' * 40}\n" for i in range(3000))
    path.write_bytes(f"id,name\n{ascii_rows}".encode() + "0000001,甲公司\n".encode("gbk"))
    layout = csv_layout(path, "gbk.csv", encoding=None, delimiter=None)
    assert layout.codec == "gb18030"
    assert _stream(path) == 3001


def test_a_wide_csv_is_refused_from_its_header_line(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    header = ",".join(f"column_{i}" for i in range(10_000))  # 118 KB: past the sniffed head
    body = ",".join("1" for _ in range(10_000))
    path.write_text(header + "\n" + (body + "\n") * 20, encoding="utf-8")
    started = time.perf_counter()
    match = r"^wide\.csv has 10,000 columns, more than the limit of 2,000 \(PUBDATA_MAX_COLUMNS\)$"
    _both(path, ReadLimits(), match)
    assert time.perf_counter() - started < 1


def test_a_header_past_the_sniffed_head_is_read_whole(tmp_path: Path) -> None:
    # Every column is typed as a string, also past the first 64 KB of the header line.
    path = tmp_path / "long.csv"
    names = [f"某某部门统计口径下的字段名称_{i}" for i in range(1500)]  # ~80 KB
    path.write_text(",".join(names) + "\n" + ",".join("007" for _ in names) + "\n", "utf-8")
    layout = csv_layout(path, "long.csv", encoding=None, delimiter=None)
    assert layout.width == 1500
    table = next(iter(CsvStream(path, "long.csv", layout, 10))).table
    assert table.column(1499).to_pylist() == ["007"]


@pytest.mark.parametrize("name", ["_run_id", "_source_row", "_logical_date", " _reasons "])
def test_reserved_column_names_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "res.csv"
    path.write_text(f"a,{name}\n1,2\n", encoding="utf-8")
    match = rf"^column 2 of res\.csv is named '{name.strip()}', a name the pipeline reserves"
    with pytest.raises(DataError, match=match):
        _stream(path)
    with pytest.raises(DataError, match=match):
        read_source(path, CSV, landing=tmp_path)


def test_the_pipelines_own_exports_keep_their_lineage_columns(tmp_path: Path) -> None:
    # Corrected quarantined rows come back with _source_row: not a delivery, so read as is.
    path = tmp_path / "fixed.csv"
    path.write_text("_source_row,a\n3,x\n", encoding="utf-8")
    assert read_csv_rows(path, "fixed.csv", encoding=None, delimiter=None).table.num_rows == 1


def test_limits_come_from_the_environment() -> None:
    limits = Settings.from_env(
        {"PUBDATA_MAX_COLUMNS": "3_000", "PUBDATA_MAX_JSON_DEPTH": "10"}
    ).limits
    assert (limits.max_columns, limits.max_json_depth) == (3000, 10)
    assert limits.max_record_bytes == ReadLimits().max_record_bytes


def test_utf8_broken_within_the_head_is_refused_not_guessed(tmp_path: Path) -> None:
    # A small file is all head: broken UTF-8 text is not handed to an encoding guesser.
    path = tmp_path / "small.csv"
    data = "姓名,编号\n张三,1\n".encode() + b"\xff" + "李四,2\n王五,3\n".encode()
    path.write_bytes(data)
    offset = data.index(b"\xff")
    match = rf"^small\.csv is not valid UTF-8: byte {offset} \(line 3\)"
    _both(path, ReadLimits(), match)
