"""Quality history, freshness and quarantine counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from etl.lineage.freshness import freshness, schedule_period
from etl.lineage.quality import (
    _rate,
    dataset_pass_rates,
    percent,
    quality_history,
    run_quality,
)
from etl.lineage.quarantine import quarantine_summary
from tests.unit.lineage.conftest import People


def test_quality_history_per_expectation(people: People) -> None:
    history = {h["expectation"]: h for h in quality_history(people.settings.lake, "people")}
    assert set(history) == {
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_match_regex(sfzh)",
        "expect_column_values_to_match_regex(sjhm)",
    }
    sfzh = history["expect_column_values_to_match_regex(sfzh)"]
    # the run failed the check, yet 3 of its 4 rows passed it: the pass rate is on rows
    assert (sfzh["runs"], sfzh["passed"], sfzh["failed"], sfzh["runs_pass_rate"]) == (1, 0, 1, 0.0)
    assert (sfzh["rows_checked"], sfzh["rows_flagged"], sfzh["rows_pass_rate"]) == (4, 1, 0.75)
    assert sfzh["last_failed_run"] == "ingest__public_security__people/r1"
    assert sfzh["reason"] == "bad_id" and sfzh["description"].startswith("sfzh: 须匹配正则")
    assert history["expect_column_values_to_match_regex(sjhm)"]["severity"] == "warn"
    table = history["expect_table_row_count_to_be_between"]
    assert table["runs_pass_rate"] == 1.0 and table["rows_pass_rate"] is None  # flags no row


def test_row_pass_rates_count_rows_over_runs(tmp_path: Path) -> None:
    from tests.unit.lineage.conftest import make_people

    people = make_people(tmp_path)
    people.run("r2")  # a re-run of the same date: every evaluation counts, loaded rows once
    sfzh = {h["expectation"]: h for h in quality_history(people.settings.lake, "people")}[
        "expect_column_values_to_match_regex(sfzh)"
    ]
    assert (sfzh["runs"], sfzh["rows_checked"], sfzh["rows_flagged"]) == (2, 8, 2)
    assert sfzh["rows_pass_rate"] == 0.75 and percent(sfzh["rows_pass_rate"]) == "75.0%"
    rates = dataset_pass_rates(people.settings.lake)["people"]
    assert rates == {"dates": 1, "rows_in": 4, "rows_loaded": 2, "rows_pass_rate": 0.5}


def test_percent_never_rounds_up_to_a_full_pass() -> None:
    assert [percent(r) for r in (1.0, 0.996, 0.9999995, 0.5, 0.0, None)] == [
        "100%",
        "99.6%",
        "99.9%",
        "50.0%",
        "0.0%",
        "-",
    ]


def test_run_quality_and_pass_rates(people: People) -> None:
    run = "ingest__public_security__people/r1"
    quality = run_quality(people.settings.lake, {run})[run]
    assert quality == {"total": 3, "passed": 1, "failed": 2, "warnings": 1, "pass_rate": 0.3333}
    # rows 1 and 2 of 4 were loaded (3 failed its cast, 4 the sfzh check)
    assert dataset_pass_rates(people.settings.lake)["people"]["rows_pass_rate"] == 0.5


def test_quarantine_counts_by_reason(people: People) -> None:
    (entry,) = quarantine_summary(people.settings.lake, "people")
    assert entry["logical_date"] == "2024-06-01" and entry["rows_quarantined"] == 2
    assert entry["by_reason"] == {"bad_id": 1, "cast:amount:float64": 1}
    assert quarantine_summary(people.settings.lake, "people", "2024-06-02") == []


@pytest.mark.parametrize(
    ("schedule", "hours"),
    [
        ("@daily", 24),
        ("@hourly", 1),
        ("@weekly", 168),
        ("0 6 * * *", 24),
        ("30 2 * * 1", 168),
        ("0 0 1 * *", 744),
        ("*/15 * * * *", 1),
        (None, None),
        ("@once", None),
        ("not a cron", None),
    ],
)
def test_schedule_period(schedule: str | None, hours: int | None) -> None:
    period = schedule_period(schedule)
    assert (period / timedelta(hours=1) if period else None) == hours


def test_freshness() -> None:
    now = datetime(2024, 6, 3, 6, tzinfo=UTC)
    assert freshness("@daily", date(2024, 6, 2), now).state == "fresh"  # interval ended 6 h ago
    late = freshness("@daily", date(2024, 5, 20), now)
    assert (late.state, late.label) == ("late", "late 13d")
    assert freshness("@daily", None, now).state == "never"
    assert freshness(None, date(2024, 6, 2), now).state == "unscheduled"
    assert freshness("@hourly", date(2024, 6, 3), now).label == "late 5h"


def test_recorded_parameters_hold_no_value_sets(tmp_path: Path) -> None:
    from etl.lineage import read_meta
    from tests.unit.lineage.conftest import SUITE, make_people

    suite = json.loads(json.dumps(SUITE))
    suite["expectations"].append(
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "xm", "value_set": ["张伟", "王芳"]},
            "meta": {"severity": "warn"},
        }
    )
    people = make_people(tmp_path, suite=suite)
    rows = read_meta(people.settings.lake, "validation_results").to_pylist()
    kwargs = {r["expectation_type"] + str(r["column"]): json.loads(r["kwargs"]) for r in rows}
    assert kwargs["expect_column_values_to_be_in_setxm"] == {"value_set": "<2 values>"}
    assert kwargs["expect_column_values_to_match_regexsjhm"] == {"regex": "^138"}
    assert "张伟" not in json.dumps(rows, ensure_ascii=False, default=str)


def test_a_logical_date_is_a_local_day_for_freshness() -> None:
    # 1 June in Shanghai ended at 16:00 UTC on 1 June; a day later (18:00 UTC on 2 June) the
    # daily dataset is 26 h behind: late, though a UTC day would still call it fresh
    now = datetime(2024, 6, 2, 18, tzinfo=UTC)
    assert freshness("@daily", date(2024, 6, 1), now, ZoneInfo("Asia/Shanghai")).state == "late"
    assert freshness("@daily", date(2024, 6, 1), now).state == "fresh"  # UTC days


def test_rates_are_not_rounded_before_they_are_shown() -> None:
    # 1,999,999 of 2,000,000 rows: rounded to four places first it would read "100%"
    assert percent(_rate(1_999_999, 2_000_000)) == "99.9%"
