from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from etl.errors import DataError
from etl.extract import cast_columns, normalize_headers
from etl.extract.normalize import clean_header
from etl.registry.normalize import NormalizeSpec
from etl.text.fullwidth import halfwidth


def _spec(**values: object) -> NormalizeSpec:
    return NormalizeSpec.model_validate(values)


def _table(**columns: list[str | None]) -> pa.Table:
    return pa.table({name: pa.array(values, pa.string()) for name, values in columns.items()})


def test_clean_header() -> None:
    assert clean_header("\ufeff 注册资本（万元）\n") == "注册资本(万元)"
    assert clean_header("企业\n 名称") == "企业 名称"
    assert clean_header("ＡＢＣ", fullwidth=False) == "ＡＢＣ"


def test_headers_are_cleaned_and_renamed() -> None:
    table = _table(**{"统一社会信用代码": ["1"], "注册资本（万元）": ["2"], "_source_row": ["1"]})
    spec = _spec(rename={"统一社会信用代码": "tyshxydm", "注册资本(万元)": "zczb", "不在": "x"})
    renamed = normalize_headers(table, spec, source_name="a.csv")
    assert renamed.column_names == ["tyshxydm", "zczb", "_source_row"]
    assert normalize_headers(table, None) is table


def test_duplicate_names_after_rename_name_the_file() -> None:
    table = _table(a=["1"], b=["2"])
    with pytest.raises(DataError, match=r"duplicate header name 'a' in d/x\.csv .*columns 1 and 2"):
        normalize_headers(table, _spec(rename={"b": "a"}), source_name="d/x.csv")


def test_rename_targets_must_be_unique() -> None:
    with pytest.raises(ValueError, match="maps both"):
        _spec(rename={"a": "x", "b": "x"})


def test_halfwidth_is_exact_and_keeps_nulls() -> None:
    values = ["ＡＢＣ１２３", "　张三　", None, "（万元）", "ｚ～！", "", "﨑①", "plain"]
    converted = halfwidth(pa.array(values, pa.string()))
    assert converted.to_pylist() == ["ABC123", " 张三 ", None, "(万元)", "z~!", "", "﨑①", "plain"]
    sliced = halfwidth(pa.array(values, pa.string()).slice(3, 2))
    assert sliced.to_pylist() == ["(万元)", "z~!"]


def test_string_columns_with_a_spec_are_trimmed_halfwidth_and_null_marked() -> None:
    table = _table(
        name=["　张三　", "无", " / ", "ＮＵＬＬ", "李四", ""],
        note=["—", "x", None, "", "  y ", "NULL"],
    )
    result = cast_columns(table, {"name": "string"}, normalize=_spec())
    assert result.table.column("name").to_pylist() == ["张三", None, None, None, "李四", None]
    assert result.table.column("note").to_pylist() == [None, "x", None, None, "y", None]
    assert result.failed_count == 0


def test_spec_switches() -> None:
    table = _table(name=[" ＡＢ ", "无"])
    kept = cast_columns(table, {}, normalize=_spec(trim=False, fullwidth=False, null_markers=[]))
    assert kept.table.column("name").to_pylist() == [" ＡＢ ", "无"]


def test_without_a_spec_undeclared_columns_are_untouched() -> None:
    table = _table(name=[" 无 "], n=[" ５ "])
    result = cast_columns(table, {"n": "int64"})
    assert result.table.column("name").to_pylist() == [" 无 "]
    assert result.table.column("n").to_pylist() == [5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年5月12日", dt.date(2023, 5, 12)),
        ("2023.05.12", dt.date(2023, 5, 12)),
        ("20230512", dt.date(2023, 5, 12)),
        ("2023/5/12", dt.date(2023, 5, 12)),
        ("２０２３年５月１２日", dt.date(2023, 5, 12)),
        ("45058", dt.date(2023, 5, 12)),
        (" 2023-05-12 ", dt.date(2023, 5, 12)),
        ("无", None),
    ],
)
def test_dates(text: str, expected: dt.date | None) -> None:
    spec = _spec(dates={"excel_serial": True})
    result = cast_columns(_table(d=[text]), {"d": "date"}, normalize=spec)
    assert result.table.column("d").to_pylist() == [expected]
    assert result.failed_count == 0


def test_excel_serials_only_when_declared() -> None:
    table = _table(d=["45058", "45058.5"], t=["45058.5", "45058"])
    plain = cast_columns(table, {"d": "date"}, normalize=_spec())
    assert plain.row_reasons.to_pylist() == ["cast:d:date", "cast:d:date"]
    serial = cast_columns(
        table, {"d": "date", "t": "timestamp"}, normalize=_spec(dates={"excel_serial": True})
    )
    assert serial.table.column("d").to_pylist() == [dt.date(2023, 5, 12), None]
    assert serial.table.column("t").to_pylist() == [
        dt.datetime(2023, 5, 12, 12, 0),
        dt.datetime(2023, 5, 12, 0, 0),
    ]
    assert serial.row_reasons.to_pylist() == [None, "cast:d:date"]


def test_numbers_with_thousands_separators_and_units() -> None:
    spec = _spec(numbers={"zczb": {"scale": 10000, "suffixes": {"万元": 10000, "元": 1}}})
    values = ["1,234.5万元", "100", "12元", "１．５万元", "3美元", None, "无", "12,345"]
    table = _table(zczb=values, je=["1,234", "12,345,678", "1.5", "-7", "x", None, "", "0"])
    result = cast_columns(table, {"zczb": "int64", "je": "float64"}, normalize=spec)
    assert result.table.column("zczb").to_pylist() == [
        12345000,
        1000000,
        12,
        15000,
        None,
        None,
        None,
        123450000,
    ]
    assert result.table.column("je").to_pylist() == [
        1234.0,
        12345678.0,
        1.5,
        -7.0,
        None,
        None,
        None,
        0.0,
    ]
    assert result.row_reasons.to_pylist() == [
        None,
        None,
        None,
        None,
        "cast:zczb:int64;cast:je:float64",
        None,
        None,
        None,
    ]


def test_unit_declarations_need_numeric_columns() -> None:
    from etl.registry import Dataset

    base = {
        "id": "x",
        "title": "t",
        "department": "d",
        "domain": "m",
        "source": {"kind": "file", "format": "csv", "path": "a.csv"},
        "normalize": {"numbers": {"zczb": {"scale": 10000}}},
    }
    with pytest.raises(ValueError, match=r"not declared int64, float64 or decimal\(p,s\)"):
        Dataset.model_validate({**base, "columns": {"zczb": "string"}})
    Dataset.model_validate({**base, "columns": {"zczb": "float64"}})
    Dataset.model_validate({**base, "columns": {"zczb": "decimal(18,2)"}})
    inexact = {**base, "normalize": {"numbers": {"zczb": {"suffixes": {"打": 12, "元": 1}}}}}
    with pytest.raises(ValueError, match=r"its factors must be powers of ten .* not 12"):
        Dataset.model_validate({**inexact, "columns": {"zczb": "decimal(18,2)"}})
    Dataset.model_validate({**inexact, "columns": {"zczb": "float64"}})


def test_values_that_do_not_coerce_are_quarantined_never_nulled() -> None:
    table = _table(n=["1", "abc", "无"], d=["2024-02-30", "2024-02-29", "—"])
    result = cast_columns(table, {"n": "int64", "d": "date"}, normalize=_spec())
    assert result.failed_rows.to_pylist() == [True, True, False]
    assert result.row_reasons.to_pylist() == ["cast:d:date", "cast:n:int64", None]


def test_a_delivered_name_starting_with_underscore_is_refused_unless_renamed() -> None:
    # `_` marks the pipeline's own columns, which classification and projection pass through
    table = _table(**{"_phone": ["13800000000"], "姓名": ["张三"], "_source_row": ["1"]})
    message = r"column '_phone' of d/x\.json starts with '_'.*rename: \{'_phone': 'phone'\}"
    with pytest.raises(DataError, match=message):
        normalize_headers(table, None, source_name="d/x.json")
    with pytest.raises(DataError, match=message):
        normalize_headers(table, _spec(), source_name="d/x.json")
    renamed = normalize_headers(table, _spec(rename={"_phone": "phone"}), source_name="d/x.json")
    assert renamed.column_names == ["phone", "姓名", "_source_row"]
