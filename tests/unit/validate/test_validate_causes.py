"""Why rows failed: reason counts and value-free shapes a data engineer can act on."""

from __future__ import annotations

import pyarrow as pa

from etl.validate.causes import FailureCauses, shapes


def test_shapes_keep_the_layout_and_drop_the_value() -> None:
    got = shapes(pa.array(["2024-05", " 13812345678 ", "张三", "12.5元", "ab-1", None]))
    assert got.to_pylist() == ["9999-99", "99999999999", "字字", "99.9字", "AA-9", None]


def test_a_month_in_a_date_column_says_what_to_change() -> None:
    causes = FailureCauses()
    raw = pa.table({"jfyf": ["2024-05", "2024-06", "202407"], "je": ["1", "2", "x"]})
    reasons = pa.array(["cast:jfyf:date", "cast:jfyf:date", "cast:jfyf:date;cast:je:float64"])
    causes.add(reasons, raw)
    text = causes.describe()
    first, second = text.split("; 2,")[0], causes.top()[1].describe()
    assert first.startswith('jfyf (declared date): 3 values do not parse; 2 look like "9999-99"')
    assert "a month rather than a date: declare the column string" in text
    assert second == 'je (declared float64): 1 values do not parse; 1 look like "A"'
    assert "2024-05" not in text


def test_counts_add_up_over_batches_and_expectations_are_named() -> None:
    causes = FailureCauses()
    for _ in range(3):
        reasons = pa.array(["expect_column_values_to_not_be_null(xm)", "cast:n:int64"])
        causes.add(reasons, pa.table({"n": ["1.5", "2.5"], "xm": [None, "a"]}))
    assert causes.reasons == {"expect_column_values_to_not_be_null(xm)": 3, "cast:n:int64": 3}
    assert "decimals in an int64 column: declare it decimal(p,s) for money" in causes.describe()
    assert "expect_column_values_to_not_be_null(xm): 3 rows" in causes.describe()


def test_dates_with_the_year_last_are_ambiguous_and_units_need_declaring() -> None:
    causes = FailureCauses()
    raw = pa.table({"d": ["05/06/2024"], "m": ["3,000元"]})
    causes.add(pa.array(["cast:d:date;cast:m:float64"]), raw)
    text = causes.describe()
    assert "year last): the order is ambiguous" in text
    assert "a number with a unit: declare it under normalize.numbers" in text
