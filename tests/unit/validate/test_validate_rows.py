from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
import pytest

from etl.validate import SuiteSpec, suite_from_dict, validate_table


def _people() -> pa.Table:
    # rows: 0 good, 1 good, 2 bad id format + name not in set, 3 duplicate id (with 4), 4 dup,
    # 5 null id, 6 good, 7 birth date too early
    return pa.table(
        {
            "id": ["A001", "A002", "X-3", "A004", "A004", None, "A006", "A007"],
            "name": ["张三", "李四", "某某", "王五", "赵六", "钱七", "孙八", "周九"],
            "born": pa.array(
                [
                    date(1980, 1, 1),
                    date(1990, 5, 1),
                    date(1985, 1, 1),
                    None,
                    date(2001, 2, 3),
                    date(1975, 7, 7),
                    date(1960, 3, 3),
                    date(1890, 1, 1),
                ]
            ),
        }
    )


def _suite(*expectations: dict[str, Any]) -> SuiteSpec:
    return suite_from_dict({"name": "people", "expectations": list(expectations)})


NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}
UNIQUE = {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}}
REGEX = {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "id", "regex": "^A"}}
IN_SET = {
    "type": "expect_column_values_to_be_in_set",
    "kwargs": {
        "column": "name",
        "value_set": ["张三", "李四", "王五", "赵六", "钱七", "孙八", "周九"],
    },
}
BORN = {
    "type": "expect_column_values_to_be_between",
    "kwargs": {"column": "born", "min_value": "1900-01-01", "max_value": "2030-12-31"},
}


def test_row_failures_give_mask_and_reasons() -> None:
    outcome = validate_table(_people(), _suite(NOT_NULL, UNIQUE, REGEX, IN_SET, BORN))

    assert outcome.rows_in == 8
    assert outcome.table_success
    assert outcome.failed_rows.type == pa.bool_()
    assert outcome.failed_rows.null_count == 0
    assert outcome.failed_rows.to_pylist() == [False, False, True, True, True, True, False, True]
    assert outcome.rows_failed == 5
    assert outcome.row_reasons.type == pa.string()
    assert outcome.row_reasons.to_pylist() == [
        None,
        None,
        "expect_column_values_to_match_regex(id);expect_column_values_to_be_in_set(name)",
        "expect_column_values_to_be_unique(id)",
        "expect_column_values_to_be_unique(id)",
        "expect_column_values_to_not_be_null(id)",
        None,
        "expect_column_values_to_be_between(born)",
    ]
    by_type = {r.expectation_type: r for r in outcome.results}
    assert by_type["expect_column_values_to_be_unique"].unexpected_count == 2
    assert not by_type["expect_column_values_to_be_unique"].success
    assert not by_type["expect_column_values_to_be_unique"].stops_run
    assert by_type["expect_column_values_to_not_be_null"].unexpected_count == 1
    assert [r.level for r in outcome.results] == ["row"] * 5


def test_results_follow_suite_order() -> None:
    outcome = validate_table(_people(), _suite(BORN, IN_SET, NOT_NULL))
    assert [r.expectation_type for r in outcome.results] == [
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_null",
    ]


def test_custom_reason_codes_merge() -> None:
    a = {**NOT_NULL, "meta": {"reason": "bad_id"}}
    b = {**REGEX, "meta": {"reason": "bad_id"}}
    outcome = validate_table(_people(), _suite(a, b))
    assert outcome.row_reasons.to_pylist() == [
        None,
        None,
        "bad_id",
        None,
        None,
        "bad_id",
        None,
        None,
    ]


def test_all_good_rows() -> None:
    outcome = validate_table(_people().slice(0, 2), _suite(NOT_NULL, UNIQUE, REGEX, BORN))
    assert outcome.table_success
    assert outcome.failed_rows.to_pylist() == [False, False]
    assert outcome.row_reasons.to_pylist() == [None, None]
    assert all(r.success for r in outcome.results)


@pytest.mark.parametrize(("mostly", "stops"), [(0.5, False), (0.95, True)])
def test_mostly_escalates_a_row_level_expectation(mostly: float, stops: bool) -> None:
    regex = {**REGEX, "kwargs": {**REGEX["kwargs"], "mostly": mostly}}  # type: ignore[dict-item]
    outcome = validate_table(_people(), _suite(regex))
    (result,) = outcome.results
    assert result.level == "row"
    assert result.stops_run is stops
    assert outcome.table_success is not stops
    # the flagged row is quarantined either way
    assert outcome.failed_rows.to_pylist()[2] is True


def test_table_level_override_on_a_map_expectation_flags_no_rows() -> None:
    outcome = validate_table(_people(), _suite({**UNIQUE, "meta": {"level": "table"}}))
    assert not outcome.table_success
    assert outcome.table_failures[0].expectation_type == "expect_column_values_to_be_unique"
    assert outcome.rows_failed == 0
    assert outcome.row_reasons.null_count == 8


def test_many_rows_reasons_stay_aligned() -> None:
    n = 10_000
    ids = [f"A{i:05d}" if i % 7 else None for i in range(n)]
    names = ["某某" if i % 5 == 0 else "张三" for i in range(n)]
    table = pa.table({"id": ids, "name": names})
    in_set = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "name", "value_set": ["张三"]},
    }
    outcome = validate_table(table, _suite(NOT_NULL, in_set))
    reasons = outcome.row_reasons.to_pylist()
    assert len(reasons) == n
    for i in (0, 1, 5, 7, 35, 9999):
        expected = [
            *(["expect_column_values_to_not_be_null(id)"] if i % 7 == 0 else []),
            *(["expect_column_values_to_be_in_set(name)"] if i % 5 == 0 else []),
        ]
        assert reasons[i] == (";".join(expected) or None)
    assert outcome.rows_failed == sum(1 for i in range(n) if i % 7 == 0 or i % 5 == 0)
