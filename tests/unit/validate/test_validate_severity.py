"""meta.severity: warn expectations are recorded, never quarantine, never stop the run."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from etl.errors import ConfigError
from etl.validate import suite_from_dict, validate_table

TABLE = pa.table({"id": ["A1", "B2", "A3", None], "n": pa.array([1, 2, 3, 4], pa.int64())})
REGEX = {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "id", "regex": "^A"}}
NOT_NULL = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}
ROWS = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 10}}


def _with(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    meta = {**item.get("meta", {}), **extra.pop("meta", {})}
    return {**item, **extra, "meta": meta}


def _suite(*items: dict[str, Any]) -> Any:
    return suite_from_dict({"name": "s", "expectations": list(items)})


def test_warn_row_expectation_quarantines_nothing() -> None:
    suite = _suite(_with(REGEX, meta={"severity": "warn"}), NOT_NULL)
    outcome = validate_table(TABLE, suite)
    assert outcome.table_success
    assert outcome.failed_rows.to_pylist() == [False, False, False, True]
    assert outcome.row_reasons.to_pylist() == [None, None, None, NOT_NULL["type"] + "(id)"]
    regex = outcome.results[0]
    assert regex.severity == "warn" and not regex.success and regex.unexpected_count == 1
    assert regex.warned and not regex.stops_run
    assert outcome.to_dict()["warnings"] == ["expect_column_values_to_match_regex(id)"]
    assert outcome.to_dict()["results"][0]["severity"] == "warn"


def test_warn_table_expectation_does_not_stop_the_run() -> None:
    outcome = validate_table(TABLE, _suite(_with(ROWS, meta={"severity": "warn"})))
    assert outcome.table_success and [r.label for r in outcome.warnings] == [ROWS["type"]]
    stopped = validate_table(TABLE, _suite(ROWS))
    assert not stopped.table_success


def test_warn_on_a_missing_column_is_recorded_not_fatal() -> None:
    missing = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "zz"}}
    outcome = validate_table(TABLE, _suite(_with(missing, meta={"severity": "warn"})))
    assert outcome.table_success
    assert outcome.results[0].error == "missing_column" and outcome.results[0].warned


@pytest.mark.parametrize(
    ("gx", "meta", "expected"),
    [
        (None, None, "error"),
        ("critical", None, "error"),
        ("warning", None, "warn"),
        ("info", None, "warn"),
        ("critical", "warn", "warn"),  # critical is GX's default, not a choice
        ("warning", "warn", "warn"),
        (None, "warn", "warn"),
    ],
)
def test_gx_severity_is_mapped(gx: str | None, meta: str | None, expected: str) -> None:
    item: dict[str, Any] = dict(NOT_NULL)
    if gx is not None:
        item["severity"] = gx
    if meta is not None:
        item["meta"] = {"severity": meta}
    assert _suite(item).expectations[0].severity == expected


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        (_with(NOT_NULL, severity="warning", meta={"severity": "error"}), "contradicts GX"),
        (_with(NOT_NULL, meta={"severity": "fatal"}), "meta.severity must be"),
        (_with(NOT_NULL, severity="blocker"), "severity must be one of critical"),
    ],
)
def test_bad_or_conflicting_severity_is_refused(item: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle) as exc:
        _suite(item)
    assert "expectation #0 (expect_column_values_to_not_be_null)" in str(exc.value)
