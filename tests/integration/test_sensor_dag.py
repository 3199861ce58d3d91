"""A late delivery through the DAG's ``wait_for_source`` sensor (reschedule mode, real Airflow).

One dataset waits up to one minute, poking every minute: a delivery that lands while the run
waits is loaded; a delivery that never comes fails the run with "source not delivered" (one line,
no stack trace), recorded in lineage as failed at ``wait_for_source``.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from etl.lineage import read_meta
from tests.conftest import REPO
from tests.integration.conftest import Cli, cli_for

pytestmark = pytest.mark.integration

REGISTRY = """
id: late_register
title: 迟交登记 (a delivery that comes late)
department: civil_affairs
domain: social_assistance
source:
  kind: file
  format: csv
  path: late/{ds}.csv
  wait: {timeout_minutes: 1, poke_minutes: 1}
columns: {}
"""
SAMPLE = REPO / "samples" / "landing" / "civil_affairs" / "relief_payments" / "2024-06-01.csv"


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    root = tmp_path_factory.mktemp("sensor")
    registry = root / "registry" / "civil_affairs"
    registry.mkdir(parents=True)
    (registry / "late_register.yaml").write_text(REGISTRY.lstrip(), encoding="utf-8")
    (root / "landing" / "late").mkdir(parents=True)
    # not migrated: the two runs below start together on a fresh home and migrate it in turn
    return cli_for(
        root / "home",
        migrated=False,
        PUBDATA_REGISTRY=str(root / "registry"),
        PUBDATA_LANDING=str(root / "landing"),
    )


class Pending:
    """A ``pubdata run`` going on in a thread (the answer arrives when ``result`` is called)."""

    def __init__(self, cli: Cli, dataset: str, day: str) -> None:
        self._answer: tuple[int, dict[str, Any], str] | None = None
        self._thread = threading.Thread(target=self._run, args=(cli, dataset, day))
        self._thread.start()

    def _run(self, cli: Cli, dataset: str, day: str) -> None:
        self._answer = cli.run_json(dataset, day)

    def result(self) -> tuple[int, dict[str, Any], str]:
        self._thread.join()
        assert self._answer is not None
        return self._answer


@pytest.fixture(scope="module")
def never_delivered(cli: Cli) -> Pending:
    # Started first and waited for last: its minute of waiting overlaps the other test's run
    # (two runs of one home for two dates, as the scheduler may have).
    return Pending(cli, "late_register", "2024-06-02")


def test_a_delivery_arriving_while_the_sensor_waits_is_loaded(
    cli: Cli, never_delivered: Pending
) -> None:
    target = Path(cli.settings.landing) / "late" / "2024-06-01.csv"

    def deliver() -> None:
        time.sleep(8)  # the run has started and the sensor has poked once
        shutil.copy(SAMPLE, target)

    courier = threading.Thread(target=deliver)
    courier.start()
    code, summary, err = cli.run_json("late_register", "2024-06-01")
    courier.join()
    assert code == 0, err
    assert summary["status"] == "success"
    assert summary["rows_in"] == summary["rows_loaded"] + summary["rows_quarantined"] > 0


def test_a_delivery_that_never_comes_fails_as_not_delivered(
    cli: Cli, never_delivered: Pending
) -> None:
    code, _, err = never_delivered.result()
    assert code == 1
    lines = [line for line in err.strip().splitlines() if line]
    assert len(lines) == 1, err
    assert "source not delivered" in lines[0]
    assert "late/2024-06-02.csv" in lines[0]
    assert "Traceback" not in err
    runs = read_meta(cli.settings.lake, "lineage_runs")
    failed = [r for r in runs.to_pylist() if str(r["logical_date"]) == "2024-06-02"]
    assert failed
    row = failed[-1]
    assert row["status"] == "failed"
    assert row["error_stage"] == "wait_for_source"
    assert "source not delivered" in row["error_message"]
