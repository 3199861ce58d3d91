from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from etl.errors import ConfigError, DataError
from etl.extract import NULL_MARKERS, CastResult, cast_columns


def _one(values: list[str | None], type_name: str) -> CastResult:
    table = pa.table({"c": pa.array(values, pa.string())})
    return cast_columns(table, {"c": type_name})


def _check(
    values: list[str | None], type_name: str, expected: list[object], failed: list[bool]
) -> None:
    result = _one(values, type_name)
    assert result.table.column("c").to_pylist() == expected
    assert result.failed_rows.to_pylist() == failed
    reason = f"cast:c:{type_name}"
    assert result.row_reasons.to_pylist() == [reason if f else None for f in failed]
    assert result.failed_count == sum(failed)


def test_int64() -> None:
    _check(
        [" 12 ", "1,234", "-0012", "+7", "１２３", "12.0", "9223372036854775807", None],
        "int64",
        [12, 1234, -12, 7, 123, 12, 2**63 - 1, None],
        [False] * 8,
    )
    _check(
        ["12.5", "1,23", "abc", "9223372036854775808", "1 234", "-", "0x10"],
        "int64",
        [None] * 7,
        [True] * 7,
    )
    _check(["-9223372036854775808"], "int64", [-(2**63)], [False])


def test_float64() -> None:
    _check(
        ["1,234.5", " 2.5 ", "-3", "1e3", ".5", "+4.25", "1,234,567.125"],
        "float64",
        [1234.5, 2.5, -3.0, 1000.0, 0.5, 4.25, 1234567.125],
        [False] * 7,
    )
    _check(["1.2.3", "12a", "1,2345.0", "e5", "1e999", "NaN"], "float64", [None] * 6, [True] * 6)


def test_bool() -> None:
    _check(
        ["true", "FALSE", "1", "0", "是", "否", " True "],
        "bool",
        [True, False, True, False, True, False, True],
        [False] * 7,
    )
    _check(["yes", "2", "真"], "bool", [None] * 3, [True] * 3)


def test_date_formats() -> None:
    may1 = dt.date(2024, 5, 1)
    _check(
        [
            "2024-05-01",
            "2024/5/1",
            "2024.05.01",
            "20240501",
            "2024年5月1日",
            "2024年05月01日",
            "２０２４年５月１日",
            "2024-05-01 00:00:00",
            "2024-05-01T00:00",
        ],
        "date",
        [may1] * 9,
        [False] * 9,
    )
    _check(
        ["2024-02-30", "2024-13-01", "2024-05-01 08:00", "05/01/2024", "2024年5月", "202405011"],
        "date",
        [None] * 6,
        [True] * 6,
    )
    _check(["2024-02-29"], "date", [dt.date(2024, 2, 29)], [False])


def test_timestamp_formats() -> None:
    _check(
        [
            "2024-05-01T08:30:15",
            "2024-05-01 08:30:15",
            "2024-05-01 08:30",
            "2024-05-01 8:30:15",
            "2024/5/1 08:30:15",
            "2024年5月1日 08:30:15",
            "2024-05-01 08:30:15.25",
            "2024-05-01",
        ],
        "timestamp",
        [
            dt.datetime(2024, 5, 1, 8, 30, 15),
            dt.datetime(2024, 5, 1, 8, 30, 15),
            dt.datetime(2024, 5, 1, 8, 30),
            dt.datetime(2024, 5, 1, 8, 30, 15),
            dt.datetime(2024, 5, 1, 8, 30, 15),
            dt.datetime(2024, 5, 1, 8, 30, 15),
            dt.datetime(2024, 5, 1, 8, 30, 15, 250000),
            dt.datetime(2024, 5, 1),
        ],
        [False] * 8,
    )
    _check(
        ["2024-05-01 25:00:00", "2024-05-01 08:61", "2024-05-01T08:30:15Z", "08:30", "x"],
        "timestamp",
        [None] * 5,
        [True] * 5,
    )


@pytest.mark.parametrize("type_name", ["int64", "float64", "bool", "date", "timestamp"])
def test_null_markers_become_null_without_failing(type_name: str) -> None:
    values: list[str | None] = [*NULL_MARKERS, "  ", " 无 ", "／", None]
    _check(values, type_name, [None] * len(values), [False] * len(values))


def test_string_columns_are_only_trimmed() -> None:
    values = [" 0012 ", "无", "NULL", "", "\u3000甲\u3000", None]
    _check(values, "string", ["0012", "无", "NULL", "", "甲", None], [False] * len(values))


def test_several_columns_join_reasons_and_keep_undeclared() -> None:
    table = pa.table(
        {
            "编号": ["0012", "0013", "0014", "0015"],
            "金额": ["1,000", "x", "3", "y"],
            "日期": ["2024年5月1日", "2024-05-02", "bad", "bad"],
            "备注": [" a ", None, "c", "d"],
        }
    )
    result = cast_columns(table, {"金额": "float64", "日期": "date", "编号": "string"})
    assert result.table.column_names == table.column_names
    assert result.table.schema.field("金额").type == pa.float64()
    assert result.table.schema.field("日期").type == pa.date32()
    assert result.table.schema.field("编号").type == pa.string()
    assert result.table.column("编号").to_pylist() == ["0012", "0013", "0014", "0015"]
    assert result.table.column("备注").to_pylist() == [" a ", None, "c", "d"]
    assert result.table.column("金额").to_pylist() == [1000.0, None, 3.0, None]
    assert result.failed_rows.to_pylist() == [False, True, True, True]
    assert result.row_reasons.to_pylist() == [
        None,
        "cast:金额:float64",
        "cast:日期:date",
        "cast:金额:float64;cast:日期:date",
    ]
    assert isinstance(result.failed_rows, pa.Array)
    assert isinstance(result.row_reasons, pa.Array)


def test_chunked_input() -> None:
    column = pa.chunked_array([pa.array(["1", "x"]), pa.array(["3"])])
    result = cast_columns(pa.table({"n": column}), {"n": "int64"})
    assert result.table.column("n").to_pylist() == [1, None, 3]
    assert result.failed_rows.to_pylist() == [False, True, False]


def test_empty_table() -> None:
    table = pa.table({"n": pa.array([], pa.string())})
    result = cast_columns(table, {"n": "date"})
    assert result.table.num_rows == 0
    assert result.table.schema.field("n").type == pa.date32()
    assert len(result.failed_rows) == 0
    assert len(result.row_reasons) == 0


def test_no_declared_columns() -> None:
    table = pa.table({"a": ["1", "2"]})
    result = cast_columns(table, {})
    assert result.table.equals(table)
    assert result.failed_rows.to_pylist() == [False, False]
    assert result.row_reasons.to_pylist() == [None, None]


def test_missing_declared_column() -> None:
    table = pa.table({"a": ["1"]})
    with pytest.raises(DataError) as info:
        cast_columns(table, {"b": "int64"}, source_name="market/reg.csv")
    assert str(info.value) == "column 'b' declared in the registry is missing from market/reg.csv"


def test_unknown_type_is_config_error() -> None:
    table = pa.table({"a": ["1"]})
    with pytest.raises(ConfigError, match="column 'a': unknown column type 'decimal'"):
        cast_columns(table, {"a": "decimal"})


def test_iso_fast_path_still_validates() -> None:
    # every value in ISO layout: the fast path must catch impossible days and seconds too
    _check(
        ["2024-05-01 08:30:15", "2024-02-30 00:00:00", "2024-05-01 08:30:60", None],
        "timestamp",
        [dt.datetime(2024, 5, 1, 8, 30, 15), None, None, None],
        [False, True, True, False],
    )
    _check(
        ["2024-05-01T08:30", "2024-05-01", "2024-05-01 08:30:15"],
        "timestamp",
        [
            dt.datetime(2024, 5, 1, 8, 30),
            dt.datetime(2024, 5, 1),
            dt.datetime(2024, 5, 1, 8, 30, 15),
        ],
        [False, False, False],
    )
    _check(
        ["2024-05-01", "2023-02-29", "2024-02-29"],
        "date",
        [dt.date(2024, 5, 1), None, dt.date(2024, 2, 29)],
        [False, True, False],
    )
    _check(
        ["2024-05-01 00:00", "2024-05-01 00:01"], "date", [dt.date(2024, 5, 1), None], [False, True]
    )


def test_all_null_typed_column() -> None:
    for type_name in ("int64", "float64", "bool", "date", "timestamp"):
        _check([None, None], type_name, [None, None], [False, False])
