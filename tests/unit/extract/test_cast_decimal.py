"""``decimal(p,s)`` columns: parsed exactly from text, too much scale or precision fails the row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from etl.extract.cast import cast_columns
from etl.registry.normalize import NormalizeSpec

REASON = "cast:jfjs:decimal(12,2)"


def cast(
    values: list[str | None], normalize: NormalizeSpec | None = None
) -> tuple[list[Any], list[Any]]:
    result = cast_columns(
        pa.table({"jfjs": values}), {"jfjs": "decimal(12,2)"}, normalize=normalize
    )
    column = result.table.column("jfjs")
    assert column.type == pa.decimal128(12, 2)
    return column.to_pylist(), result.row_reasons.to_pylist()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9449.29", "9449.29"),
        ("1,234.5", "1234.50"),
        ("12.340", "12.34"),  # a trailing zero is not scale
        ("-0.01", "-0.01"),
        ("+3", "3.00"),
        (".5", "0.50"),
        ("5.", "5.00"),
        ("0009449.29", "9449.29"),
        ("9999999999.99", "9999999999.99"),  # ten integer digits: 12 - 2
        ("１２.５", "12.50"),  # full-width digits are NFKC'd like every typed column
        (" 7.1 ", "7.10"),
    ],
)
def test_written_decimals_are_read_exactly(text: str, value: str) -> None:
    values, reasons = cast([text])
    assert values == [Decimal(value)] and reasons == [None]


@pytest.mark.parametrize(
    "text",
    ["12.345", "99999999999.99", "1e3", "abc", "1.2.3", "12,34.5", "-", ".", "NaN", "1 000"],
)
def test_what_is_not_an_exact_decimal_of_the_declared_size_fails_the_row(text: str) -> None:
    values, reasons = cast([text, "1.00"])
    assert values == [None, Decimal("1.00")]
    assert reasons == [REASON, None]


def test_null_markers_are_null_not_failures() -> None:
    values, reasons = cast(["", "NULL", None])
    assert values == [None, None, None] and reasons == [None, None, None]


def test_sums_are_exact_where_float64_is_not() -> None:
    texts = ["9449.29"] * 3 + ["0.01"] * 7
    values = cast_columns(pa.table({"jfjs": texts}), {"jfjs": "decimal(12,2)"}).table
    floats = cast_columns(pa.table({"jfjs": texts}), {"jfjs": "float64"}).table
    assert pc.sum(values.column("jfjs")).as_py() == Decimal("28347.94")
    assert pc.sum(floats.column("jfjs")).as_py() != 28347.94


def test_the_type_survives_parquet(tmp_path: Path) -> None:
    table = cast_columns(pa.table({"jfjs": ["9449.29"]}), {"jfjs": "decimal(12,2)"}).table
    pq.write_table(table, tmp_path / "t.parquet")
    back = pq.read_table(tmp_path / "t.parquet")
    assert back.schema.field("jfjs").type == pa.decimal128(12, 2)
    assert back.column("jfjs").to_pylist() == [Decimal("9449.29")]


def test_with_a_normalize_spec_too() -> None:
    values, reasons = cast(["无", "3,000.10"], NormalizeSpec(null_markers=["无"]))
    assert values == [None, Decimal("3000.10")] and reasons == [None, None]


def test_money_with_units_is_scaled_exactly() -> None:
    units = NormalizeSpec.model_validate(
        {"numbers": {"jfjs": {"suffixes": {"万元": 10000, "元": 1, "分": 0.01}}}}
    )
    values, reasons = cast(
        ["1,234.56万元", "9449.29元", "0.015万元", "7分", "-2.5万元", "12", "1.2345678万元", "3亿"],
        units,
    )
    assert values[:6] == [
        Decimal("12345600.00"),
        Decimal("9449.29"),
        Decimal("150.00"),
        Decimal("0.07"),
        Decimal("-25000.00"),
        Decimal("12.00"),
    ]
    # too many decimal places after scaling, and an undeclared unit: quarantined, not rounded
    assert values[6:] == [None, None]
    assert reasons == [None] * 6 + [REASON, REASON]
