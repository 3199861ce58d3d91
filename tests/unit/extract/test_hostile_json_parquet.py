"""Hostile JSON and Parquet deliveries: refused with one line, within bounded memory."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.errors import DataError
from etl.extract import read_source
from etl.extract.jsonfile import read_json_file, read_jsonl_file
from etl.extract.parquet_reader import read_parquet_file
from etl.extract.reserved import LINEAGE_COLUMNS, RESERVED_COLUMNS
from etl.registry.model import FileSource
from etl.settings import DEFAULT_LIMITS, ReadLimits

DEEP = r"nests JSON values more than 64 levels deep \(PUBDATA_MAX_JSON_DEPTH\)$"


def _json(tmp_path: Path, text: str | bytes, limits: ReadLimits = DEFAULT_LIMITS) -> pa.Table:
    path = tmp_path / "d.json"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return read_json_file(path, "d.json", encoding=None, limits=limits)[0]


def test_json_nested_100000_levels_is_refused_without_recursion_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^d\.json " + DEEP):
        _json(tmp_path, "[" * 100_000 + "]" * 100_000)
    path = tmp_path / "d.jsonl"
    path.write_text('{"a": 1}\n{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n")
    with pytest.raises(DataError, match=r"^d\.jsonl " + DEEP):
        read_jsonl_file(path, "d.jsonl", encoding=None)


@pytest.mark.parametrize(("opening", "closing"), [('{"b":', "}"), ("[", "]")])
def test_json_past_the_depth_limit_is_refused(tmp_path: Path, opening: str, closing: str) -> None:
    deep = '[{"a":' + opening * 64 + "1" + closing * 64 + "}]"
    with pytest.raises(DataError, match=DEEP):
        _json(tmp_path, deep)
    shallow = '[{"a":' + opening * 62 + "1" + closing * 62 + "}]"
    assert _json(tmp_path, shallow).num_rows == 1


@pytest.mark.parametrize("text", ["[]", '{"data": []}'])
def test_json_without_records_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(DataError, match=r"^d\.json holds no records$"):
        _json(tmp_path, text)


def test_json_larger_than_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"^d\.json is 10,002 bytes, more than the limit of 10,000"):
        _json(tmp_path, '["' + "x" * 9998 + '"]', ReadLimits(max_whole_read_bytes=10_000))


def test_json_broken_utf8_names_the_byte_and_line(tmp_path: Path) -> None:
    text = '[{"名称": "甲"},\n{"名称": "'.encode() + b"\xff\xfe" + '乙"}]'.encode()
    offset = text.index(b"\xff")
    with pytest.raises(DataError, match=rf"^d\.json is not valid UTF-8: byte {offset} \(line 2\)"):
        _json(tmp_path, text)


def test_json_with_too_many_cells_or_a_reserved_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match=r"holds 3 rows x 2 columns, more than the limit of 5 cells"
    ):
        _json(tmp_path, '[{"a":1,"b":2},{"a":1},{"b":3}]', ReadLimits(max_cells=5))
    _json(tmp_path, '[{"a": 1, "_logical_date": "2024-06-01"}]')  # the reader builds it
    source = FileSource(kind="file", format="json", path="d.json")
    with pytest.raises(DataError, match=r"column 2 of d\.json is named '_logical_date'"):
        read_source(tmp_path / "d.json", source, landing=tmp_path)


def test_the_reserved_names_cover_every_lineage_column() -> None:
    assert set(LINEAGE_COLUMNS) == {"_run_id", "_source_sha256", "_source_row", "_logical_date"}
    assert {"_source_file", "_reasons", "_raw_line", "_source_line"} < RESERVED_COLUMNS


def _parquet(tmp_path: Path, table: pa.Table, **kwargs: object) -> Path:
    path = tmp_path / "p.parquet"
    pq.write_table(table, path, **kwargs)  # type: ignore[arg-type]
    return path


def test_a_zero_byte_parquet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "p.parquet").write_bytes(b"")
    source = FileSource(kind="file", format="parquet", path="p.parquet")
    with pytest.raises(DataError, match=r"^p\.parquet is empty \(0 bytes\)$"):
        read_source(tmp_path / "p.parquet", source, landing=tmp_path)


def test_a_parquet_of_thousands_of_columns_is_refused_from_its_footer(tmp_path: Path) -> None:
    path = _parquet(tmp_path, pa.table({f"c{i}": [1] for i in range(3000)}))
    with pytest.raises(
        DataError, match=r"^p\.parquet has 3,000 columns, more than the limit of 2,0"
    ):
        read_parquet_file(path, "p.parquet")


def test_nested_parquet_columns_become_json_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "s": pa.array(
                [{"x": 1, "y": "甲"}], pa.struct([("x", pa.int64()), ("y", pa.string())])
            ),
            "l": pa.array([[1, 2]], pa.list_(pa.int64())),
            "m": pa.array([[("k", 1)]], pa.map_(pa.string(), pa.int64())),
        }
    )
    read = read_parquet_file(_parquet(tmp_path, table), "p.parquet")
    assert read.to_pylist() == [{"s": '{"x":1,"y":"甲"}', "l": "[1,2]", "m": '[["k",1]]'}]


@pytest.mark.parametrize(("depth", "message"), [(20, "nests more than 10 levels"), (70, "")])
def test_a_parquet_type_nested_past_the_depth_limit_is_refused(
    tmp_path: Path, depth: int, message: str
) -> None:
    kind: pa.DataType = pa.int64()
    value: object = 1
    for _ in range(depth):
        kind, value = pa.list_(kind), [value]
    path = _parquet(tmp_path, pa.table({"deep": pa.array([value], kind)}))
    # Past ~50 list levels Arrow's own schema depth limit refuses the footer first.
    match = f"column 'deep' of p.parquet {message}" if message else "not a readable Parquet"
    with pytest.raises(DataError, match=match):
        read_parquet_file(path, "p.parquet", limits=ReadLimits(max_json_depth=10))


@pytest.mark.parametrize("name", sorted(RESERVED_COLUMNS))
def test_a_parquet_with_a_reserved_column_name_is_refused(tmp_path: Path, name: str) -> None:
    path = _parquet(tmp_path, pa.table({"a": ["1"], name: ["x"]}))
    with pytest.raises(DataError, match=rf"^column 2 of p\.parquet is named '{name}'"):
        read_parquet_file(path, "p.parquet")


def test_a_small_dictionary_parquet_of_many_rows_is_refused_from_its_footer(tmp_path: Path) -> None:
    # The 60M-row file is the same on a larger scale: its footer says how many rows it holds.
    values = pa.DictionaryArray.from_arrays(pa.array([0, 1] * 100_000, pa.int32()), ["甲", "乙"])
    path = _parquet(tmp_path, pa.table({"v": values}), use_dictionary=True)
    assert path.stat().st_size < 10_000
    with pytest.raises(DataError, match=r"holds 200,000 rows x 1 columns, more than the limit"):
        read_parquet_file(path, "p.parquet", limits=ReadLimits(max_cells=199_999))


def test_parquet_text_past_the_limit_is_refused_while_decoding(tmp_path: Path) -> None:
    long = "x" * 1000
    values = pa.DictionaryArray.from_arrays(pa.array([0] * 200_000, pa.int32()), [long])
    path = _parquet(tmp_path, pa.table({"v": values}), use_dictionary=True)
    with pytest.raises(DataError, match=r"^p\.parquet decodes to more than 10,000,000 bytes"):
        read_parquet_file(path, "p.parquet", limits=ReadLimits(max_whole_read_bytes=10_000_000))


def test_a_parquet_without_rows_is_refused(tmp_path: Path) -> None:
    path = _parquet(tmp_path, pa.table({"a": pa.array([], pa.string())}))
    with pytest.raises(DataError, match=r"^p\.parquet has no rows$"):
        read_parquet_file(path, "p.parquet")
