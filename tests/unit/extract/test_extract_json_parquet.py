from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.errors import DataError
from etl.extract import read_source
from etl.registry.model import FileSource

RECORDS = [
    {
        "编号": "0012345",
        "姓名": "张三",
        "金额": 1.0,
        "次数": 3,
        "有效": True,
        "备注": None,
        "地址": {"市": "上海"},
    },
    {
        "编号": "0000001",
        "姓名": "",
        "金额": 2.5,
        "次数": 12345678901234567890,
        "有效": False,
        "标签": ["a", "b"],
    },
]
EXPECTED = [
    {
        "编号": "0012345",
        "姓名": "张三",
        "金额": "1.0",
        "次数": "3",
        "有效": "true",
        "备注": None,
        "地址.市": "上海",  # nested objects are flattened with dotted names
        "标签": None,
    },
    {
        "编号": "0000001",
        "姓名": None,
        "金额": "2.5",
        "次数": "12345678901234567890",
        "有效": "false",
        "备注": None,
        "地址.市": None,
        "标签": '["a","b"]',  # arrays stay compact JSON text
    },
]


def _read(landing: Path, name: str, data: bytes, fmt: str) -> tuple[pa.Table, str | None]:
    path = landing / name
    path.write_bytes(data)
    source = FileSource(kind="file", format=fmt, path=name)
    table, fingerprint = read_source(path, source, landing=landing)
    assert fingerprint.rows == table.num_rows
    assert all(field.type == pa.string() for field in table.schema)
    return table, fingerprint.encoding


@pytest.mark.parametrize(
    "document",
    [
        RECORDS,
        {"data": RECORDS},
        {"records": RECORDS, "total": 2},
        # API envelopes as departments' platforms deliver them
        {"code": 0, "msg": "成功", "data": {"total": 2, "records": RECORDS}},
        {"code": "200", "data": {"pageNum": 1, "list": RECORDS}},
        {"success": True, "result": {"data": {"rows": RECORDS}}},
    ],
)
def test_json_array(tmp_path: Path, document: object) -> None:
    data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    table, encoding = _read(tmp_path, "r.json", data, "json")
    assert encoding == "utf-8"
    assert table.to_pylist() == EXPECTED


def test_json_in_gbk(tmp_path: Path) -> None:
    data = json.dumps([{"名称": "中文"}], ensure_ascii=False).encode("gbk")
    table, encoding = _read(tmp_path, "g.json", data, "json")
    assert encoding == "gb18030"
    assert table.to_pylist() == [{"名称": "中文"}]


def test_jsonl(tmp_path: Path) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    data = ("\n".join([lines[0], "", lines[1]]) + "\n").encode()
    table, _ = _read(tmp_path, "r.jsonl", data, "jsonl")
    assert table.to_pylist() == EXPECTED


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    data = b'[\n  {"a": 1},\n  {"a": "secret" oops}\n]\n'
    with pytest.raises(DataError) as info:
        _read(tmp_path, "bad.json", data, "json")
    message = str(info.value)
    assert message.startswith("invalid JSON in bad.json at line 3")
    assert "secret" not in message


def test_invalid_jsonl_names_the_line(tmp_path: Path) -> None:
    data = b'{"a": 1}\n{"a": 2}\n{"a": \n'
    with pytest.raises(DataError, match=r"^invalid JSON in bad\.jsonl at line 3"):
        _read(tmp_path, "bad.jsonl", data, "jsonl")
    with pytest.raises(DataError, match=r"^line 2 of arr\.jsonl is not a JSON object$"):
        _read(tmp_path, "arr.jsonl", b'{"a": 1}\n[1, 2]\n', "jsonl")


@pytest.mark.parametrize("data", [b'{"x": 1}', b"42", b'"text"', b"[1, 2]"])
def test_json_not_records(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DataError, match=r"o\.json"):
        _read(tmp_path, "o.json", data, "json")


def test_records_the_envelope_keys_do_not_reach_are_pointed_at(tmp_path: Path) -> None:
    data = json.dumps({"status": 1, "payload": {"entries": RECORDS}}).encode()
    with pytest.raises(DataError) as info:
        _read(tmp_path, "p.json", data, "json")
    assert str(info.value).endswith("; give records: payload.entries in the registry")
    source = FileSource(kind="file", format="json", path="p.json", records="payload.entries")
    table, _ = read_source(tmp_path / "p.json", source, landing=tmp_path)
    assert table.to_pylist() == EXPECTED


def test_csv_delivered_as_json(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^invalid JSON in c\.json at line 1"):
        _read(tmp_path, "c.json", b"id,name\n1,a\n", "json")


def test_json_duplicate_keys_after_cleanup(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"duplicate header name 'a' in d\.json"):
        _read(tmp_path, "d.json", b'[{"a": 1, " a": 2}]', "json")


def test_parquet(tmp_path: Path) -> None:
    table = pa.table(
        {
            "编号": pa.array(["0012345", ""]),
            "次数": pa.array([3, None], pa.int64()),
            "金额": pa.array([1.0, 2.5]),
            "精确": pa.array([Decimal("1.10"), None], pa.decimal128(10, 2)),
            "有效": pa.array([True, False]),
            "日期": pa.array([dt.date(2024, 5, 1), None], pa.date32()),
            "时间": pa.array(
                [dt.datetime(2024, 5, 1, 8, 30), dt.datetime(2024, 5, 1, 8, 30, 0, 250000)],
                pa.timestamp("us"),
            ),
            "带时区": pa.array([dt.datetime(2024, 5, 1, 0, 0), None], pa.timestamp("s", tz="UTC")),
            "类别": pa.array(["甲", "乙"]).dictionary_encode(),
            "标签": pa.array([["a"], None], pa.list_(pa.string())),
        }
    )
    pq.write_table(table, tmp_path / "p.parquet")
    data = (tmp_path / "p.parquet").read_bytes()
    result, encoding = _read(tmp_path, "p.parquet", data, "parquet")
    assert encoding is None
    assert result.to_pylist() == [
        {
            "编号": "0012345",
            "次数": "3",
            "金额": "1",
            "精确": "1.10",
            "有效": "true",
            "日期": "2024-05-01",
            "时间": "2024-05-01T08:30:00",
            "带时区": "2024-05-01T00:00:00+00:00",
            "类别": "甲",
            "标签": '["a"]',
        },
        {
            "编号": None,
            "次数": None,
            "金额": "2.5",
            "精确": None,
            "有效": "false",
            "日期": None,
            "时间": "2024-05-01T08:30:00.250000",
            "带时区": None,
            "类别": "乙",
            "标签": None,
        },
    ]


def test_not_parquet(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^x\.parquet is not a readable Parquet file$"):
        _read(tmp_path, "x.parquet", b"id,name\n1,a\n", "parquet")
