"""What an expectation or a reason code checks, in words and without a data value."""

from __future__ import annotations

import json

from etl.validate import _gx
from etl.validate.describe import DESCRIBED, describe_expectation, describe_reason
from etl.validate.suite import baseline_suite
from tests.conftest import REPO


def _types_in_use() -> set[str]:
    """Every expectation type of the repository's suites and the baseline suite."""
    used = {e.type for e in baseline_suite(["a"]).expectations}
    for path in (REPO / "expectations").glob("*.json"):
        used.update(e["type"] for e in json.loads(path.read_text(encoding="utf-8"))["expectations"])
    return used


def test_every_type_in_use_has_words_of_its_own_and_every_described_type_is_gx() -> None:
    assert _types_in_use() <= DESCRIBED
    assert all(_gx.expectation_class(kind) is not None for kind in DESCRIBED)


def test_descriptions_show_bounds_and_patterns_but_only_count_value_sets() -> None:
    assert describe_expectation(
        "expect_column_values_to_match_regex", "sfzh", {"regex": r"^\d{17}[\dX]$"}
    ) == (r"sfzh: 须匹配正则 ^\d{17}[\dX]$ · values must match the pattern ^\d{17}[\dX]$")
    assert describe_expectation(
        "expect_column_values_to_be_between", "sd", {"min_value": 0, "max_value": 220}
    ) == ("sd: 取值须在 0 至 220 之间 · values must be between 0 and 220")
    assert describe_expectation("expect_table_row_count_to_be_between", None, {"min_value": 1}) == (
        "行数须不小于 1 · the row count must be at least 1"
    )
    in_set = describe_expectation(
        "expect_column_values_to_be_in_set", "xm", {"value_set": ["张伟", "王芳"], "mostly": 0.95}
    )
    assert in_set == (
        "xm: 须为 2 个允许值之一 · values must be one of 2 allowed values"
        "（至少 95% 的行 · at least 95% of rows）"
    )
    # as _meta records the parameters (value sets already replaced by their count)
    assert "须为 2 个允许值之一" in describe_expectation(
        "expect_column_values_to_be_in_set", "xm", {"value_set": "<2 values>"}
    )
    assert describe_expectation(
        "expect_column_mean_to_be_between", "fy", {"min_value": 1, "max_value": 5}
    ) == ("fy: column mean must be between 1 and 5")
    assert describe_expectation("expect_column_values_to_be_dateutil_parseable", "d", {}) == (
        "d: column values to be dateutil parseable"
    )


def test_reason_codes_of_the_pipeline() -> None:
    assert describe_reason("cast:amount:float64") == (
        "amount: 取值无法按登记的类型 float64 解析 · values do not parse as the declared type "
        "float64"
    )
    assert describe_reason("cast:je:decimal(12,2)").startswith("je: ")  # type: ignore[union-attr]
    assert describe_reason("ragged:3/2") == (
        "该行有 3 个字段，表头有 2 个 · the row has 3 fields, the header 2: fix the file and "
        "deliver it again"
    )
    assert describe_reason("bad_id") is None
