from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from etl.errors import DataError
from etl.extract import extract_source
from etl.registry.sources import FileSource

DOC = {
    "code": 0,
    "result": {
        "items": [
            {"id": "001", "org": {"name": "甲", "addr": {"city": "武汉"}}, "tags": ["a"], "x": {}},
            {"id": "002", "org": {"name": "乙"}, "extra": None},
        ]
    },
}


def _read(tmp_path: Path, name: str, data: str, **spec: object) -> list[dict[str, object]]:
    (tmp_path / name).write_text(data, encoding="utf-8")
    source = FileSource.model_validate({"kind": "file", "path": name, **spec})
    return extract_source(source, landing=tmp_path, logical_date=date(2024, 6, 1)).table.to_pylist()


def test_nested_objects_are_flattened_with_dotted_names(tmp_path: Path) -> None:
    rows = _read(tmp_path, "a.json", json.dumps(DOC), format="json", records="result.items")
    assert rows == [
        {"id": "001", "org.name": "甲", "org.addr.city": "武汉", "tags": '["a"]', "extra": None},
        {"id": "002", "org.name": "乙", "org.addr.city": None, "tags": None, "extra": None},
    ]


def test_jsonl_flattened(tmp_path: Path) -> None:
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in DOC["result"]["items"])  # type: ignore[index]
    rows = _read(tmp_path, "a.jsonl", data, format="jsonl")
    assert rows[0]["org.addr.city"] == "武汉"


def test_records_path_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"a\.json has no 'result.rows' holding the records"):
        _read(tmp_path, "a.json", json.dumps(DOC), format="json", records="result.rows")
    with pytest.raises(DataError, match=r"'code' in a\.json is not an array"):
        _read(tmp_path, "a.json", json.dumps(DOC), format="json", records="code")


def test_colliding_flat_names(tmp_path: Path) -> None:
    data = json.dumps([{"a.b": 1, "a": {"b": 2}}])
    with pytest.raises(DataError, match=r"duplicate header name 'a.b' in c\.json after flattening"):
        _read(tmp_path, "c.json", data, format="json")
