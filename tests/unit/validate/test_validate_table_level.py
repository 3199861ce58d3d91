from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from etl.errors import DataError
from etl.validate import SuiteSpec, baseline_suite, suite_from_dict, validate_table


def _table() -> pa.Table:
    return pa.table({"id": ["A1", "A2", "A3"], "score": [1.0, 2.0, 50.0]})


def _suite(*expectations: dict[str, Any]) -> SuiteSpec:
    return suite_from_dict({"name": "scores", "expectations": list(expectations)})


def test_row_count_failure_stops_the_run() -> None:
    suite = _suite(
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 10}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
    )
    outcome = validate_table(_table(), suite)

    assert not outcome.table_success
    (failure,) = outcome.table_failures
    assert failure.expectation_type == "expect_table_row_count_to_be_between"
    assert failure.level == "table"
    assert failure.column is None
    assert failure.observed == {"observed_value": 3}
    assert outcome.rows_failed == 0
    assert outcome.to_dict()["table_failures"] == ["expect_table_row_count_to_be_between"]


def test_missing_column_stops_the_run_for_any_level() -> None:
    suite = _suite(
        {"type": "expect_column_to_exist", "kwargs": {"column": "xm"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "xm"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
    )
    outcome = validate_table(_table(), suite)

    assert not outcome.table_success
    exist, row_level = outcome.table_failures
    assert (exist.expectation_type, exist.column, exist.error) == (
        "expect_column_to_exist",
        "xm",
        None,
    )
    assert (row_level.level, row_level.column, row_level.error) == ("row", "xm", "missing_column")
    assert outcome.results[2].success
    assert outcome.to_dict()["table_failures"] == [
        "expect_column_to_exist(xm)",
        "expect_column_values_to_not_be_null(xm)",
    ]


def test_aggregate_failure_is_table_level_and_keeps_no_observed_value() -> None:
    suite = _suite(
        {"type": "expect_column_max_to_be_between", "kwargs": {"column": "score", "max_value": 10}}
    )
    outcome = validate_table(_table(), suite)
    (failure,) = outcome.table_failures
    assert failure.expectation_type == "expect_column_max_to_be_between"
    assert failure.column == "score"
    assert failure.observed == {}


def test_expectation_gx_cannot_evaluate_stops_the_run() -> None:
    suite = _suite(
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "id", "min_value": 0, "max_value": 5},
        }
    )
    outcome = validate_table(_table(), suite)
    (failure,) = outcome.table_failures
    assert failure.level == "row"
    assert failure.error is not None
    assert failure.error.startswith("exception:")
    assert outcome.rows_failed == 0


def test_baseline_passes_on_a_good_table() -> None:
    outcome = validate_table(_table(), baseline_suite(["id", "score"]))
    assert outcome.suite_name == "baseline"
    assert outcome.table_success
    assert all(r.success for r in outcome.results)


def test_baseline_fails_on_empty_table_and_missing_column() -> None:
    outcome = validate_table(_table().slice(0, 0), baseline_suite(["id", "xm"]))
    assert outcome.rows_in == 0
    assert len(outcome.failed_rows) == 0
    assert len(outcome.row_reasons) == 0
    assert [f.label for f in outcome.table_failures] == [
        "expect_table_row_count_to_be_between",
        "expect_column_to_exist(xm)",
    ]


def test_empty_suite_passes() -> None:
    outcome = validate_table(_table(), _suite())
    assert outcome.table_success
    assert outcome.results == ()
    assert outcome.failed_rows.to_pylist() == [False, False, False]


def test_duplicate_column_names_are_a_data_error() -> None:
    table = pa.table([pa.array([1]), pa.array([2])], names=["a", "a"])
    with pytest.raises(DataError, match=r"duplicate columns \['a'\]"):
        validate_table(table, baseline_suite(["a"]))
