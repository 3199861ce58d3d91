"""A task's run context: its logical date is a day of the configured time zone."""

from __future__ import annotations

import importlib
import sys
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from etl.registry import load_registry
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "dags"))
run_context = importlib.import_module("pubdata_task_context").run_context

DATASET = load_registry(REPO / "datasets").get("household_register")


def _context(logical: datetime) -> dict[str, object]:
    dag_run = SimpleNamespace(run_id="manual__x", clear_number=0, conf={}, run_after=logical)
    return {"dag_run": dag_run, "logical_date": logical, "ti": SimpleNamespace(try_number=1)}


@pytest.mark.parametrize(
    ("zone", "day"),
    [("Asia/Shanghai", date(2024, 6, 1)), ("UTC", date(2024, 5, 31))],
)
def test_the_logical_date_is_the_local_day_of_the_runs_instant(zone: str, day: date) -> None:
    # 01:00 on 1 June in Shanghai, which Airflow keeps as 17:00 UTC the day before
    ctx = run_context(DATASET, _context(datetime(2024, 5, 31, 17, tzinfo=UTC)), ZoneInfo(zone))
    assert ctx.logical_date == day


def test_a_cron_run_late_in_the_local_day_stays_on_that_day() -> None:
    late = datetime(2024, 6, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    ctx = run_context(DATASET, _context(late), ZoneInfo("Asia/Shanghai"))
    assert ctx.logical_date == date(2024, 6, 1)
