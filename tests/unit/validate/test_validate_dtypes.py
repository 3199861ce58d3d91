"""pandas 3 dtypes: ``str`` strings, dates and timestamps, values beyond the ns range."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from etl.validate import suite_from_dict, validate_table
from etl.validate.frame import to_frame


def _flags(table: pa.Table, *expectations: dict[str, Any]) -> list[bool]:
    outcome = validate_table(
        table, suite_from_dict({"name": "t", "expectations": list(expectations)})
    )
    assert outcome.table_success, [r.to_dict() for r in outcome.table_failures]
    return list(outcome.failed_rows.to_pylist())


def test_frame_dtypes() -> None:
    table = pa.table(
        {
            "s": pa.array(["a", None], type=pa.string()),
            "ls": pa.array(["a", "b"], type=pa.large_string()),
            "cat": pa.array(["x", "y"]).dictionary_encode(),
            "d": pa.array([date(2020, 1, 1), None]),
            "ts": pa.array([datetime(2020, 1, 1), None], type=pa.timestamp("s")),
            "tz": pa.array(
                [datetime(2020, 1, 1), None], type=pa.timestamp("ms", tz="Asia/Shanghai")
            ),
            "far": pa.array([date(9999, 12, 31), date(2020, 1, 1)]),
            "i": pa.array([1, None], type=pa.int64()),
        }
    )
    converted = to_frame(table)
    dtypes = {name: str(dtype) for name, dtype in converted.frame.dtypes.items()}

    assert dtypes["s"] == "str"
    assert dtypes["ls"] == "str"
    assert dtypes["cat"] == "str"
    assert dtypes["d"] == "datetime64[ns]"
    assert dtypes["ts"] == "datetime64[ns]"
    assert dtypes["tz"] == "datetime64[ns, Asia/Shanghai]"
    assert dtypes["far"] == "datetime64[ms]"  # not wrapped to a wrong date by an ns cast
    assert converted.frame["far"].iloc[0] == pd.Timestamp("9999-12-31")
    assert converted.datetime_ns == {"d", "ts", "tz"}
    assert converted.coarse_temporal == {"far"}
    assert isinstance(converted.frame.index, pd.RangeIndex)


def test_string_expectations_on_pandas3_str_dtype() -> None:
    table = pa.table({"code": ["110000", "11000X", None, "3100001", "120000"]})
    flags = _flags(
        table,
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "code", "regex": r"^\d+$"},
        },
        {"type": "expect_column_value_lengths_to_equal", "kwargs": {"column": "code", "value": 6}},
        {
            "type": "expect_column_values_to_not_be_in_set",
            "kwargs": {"column": "code", "value_set": ["120000"]},
        },
        {
            "type": "expect_column_values_to_match_regex_list",
            "kwargs": {"column": "code", "regex_list": ["^1", "^3"]},
        },
    )
    assert flags == [False, True, False, True, True]


def test_strftime_format_on_strings() -> None:
    table = pa.table({"day": ["2023-05-12", "2023.05.12", "20230512", None]})
    flags = _flags(
        table,
        {
            "type": "expect_column_values_to_match_strftime_format",
            "kwargs": {"column": "day", "strftime_format": "%Y-%m-%d"},
        },
    )
    assert flags == [False, True, True, False]


@pytest.mark.parametrize(
    "column",
    [
        pa.array([date(1999, 12, 31), date(2000, 1, 1), None, date(2030, 1, 2)]),
        pa.array(
            [datetime(1999, 12, 31, 23), datetime(2000, 1, 1), None, datetime(2030, 1, 2)],
            type=pa.timestamp("s"),
        ),
        pa.array(
            [datetime(1999, 12, 31, 23), datetime(2000, 1, 1), None, datetime(2030, 1, 2)],
            type=pa.timestamp("us"),
        ),
    ],
    ids=["date32", "timestamp_s", "timestamp_us"],
)
@pytest.mark.parametrize(
    "bounds",
    [
        {"min_value": "2000-01-01", "max_value": "2030-01-01"},
        {"min_value": "2000-01-01T00:00:00", "max_value": "2030-01-01T00:00:00"},
    ],
    ids=["date_bounds", "datetime_bounds"],
)
def test_between_on_dates_and_timestamps(column: pa.Array, bounds: dict[str, str]) -> None:
    table = pa.table({"when": column})
    flags = _flags(
        table,
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "when", **bounds}},
    )
    assert flags == [True, False, False, True]


def test_between_on_dates_beyond_the_ns_range() -> None:
    table = pa.table(
        {"expires": pa.array([date(9999, 12, 31), date(2025, 1, 1), date(1000, 1, 1)])}
    )
    flags = _flags(
        table,
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "expires", "min_value": "2000-01-01", "max_value": "9999-12-31"},
        },
    )
    assert flags == [False, False, True]


def test_between_on_tz_aware_timestamps_with_offset_bounds() -> None:
    column = pa.array(
        [datetime(1999, 12, 31, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)],
        type=pa.timestamp("us", tz="UTC"),
    )
    flags = _flags(
        pa.table({"at": column}),
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "at", "min_value": "2000-01-01T00:00:00+00:00"},
        },
    )
    assert flags == [True, False]


def test_numbers_with_nulls() -> None:
    table = pa.table(
        {"n": pa.array([1, None, 300, 4], type=pa.int64()), "f": [0.5, 1.5, None, -1.0]}
    )
    flags = _flags(
        table,
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "n", "max_value": 100}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "f", "min_value": 0}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "n", "value_set": [1, 4, 300]},
        },
    )
    assert flags == [False, False, True, True]
