"""What a failed step becomes in Airflow: retried or failed, and the one-line reason it is
recorded and alerted with (never the prefix twice)."""

from __future__ import annotations

import importlib
import sys
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from etl.errors import (
    ConfigError,
    DataError,
    PolicyError,
    PubdataError,
    SourceNotReady,
    TransientError,
)
from etl.registry import load_registry
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "dags"))
# the tasks' context module, and through it the exception Airflow's task runner sees
task_context = importlib.import_module("pubdata_task_context")
AirflowFailException: Any = task_context.AirflowFailException
failure_reason = task_context.failure_reason

DATASET = load_registry(REPO / "datasets").get("household_register")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _wrapped(cause: Exception) -> Any:
    try:
        try:
            raise cause
        except Exception as exc:
            raise AirflowFailException(f"{DATASET.id} failed at extract: …") from exc
    except AirflowFailException as wrapper:
        return wrapper
    raise AssertionError("not raised")


def test_an_unexpected_error_is_named_by_its_type_without_the_tasks_prefix() -> None:
    reason, _ = failure_reason(DATASET, {"exception": _wrapped(RecursionError())}, SHANGHAI)
    assert reason == "unexpected RecursionError (see the task log)"


def test_a_pubdata_error_is_its_own_message() -> None:
    reason, _ = failure_reason(
        DATASET, {"exception": _wrapped(DataError("x.csv is empty"))}, SHANGHAI
    )
    assert reason == "x.csv is empty"


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (SourceNotReady("source not delivered: a/2024-06-01.csv"), True),
        (TransientError("cannot reach the database"), True),
        (ConfigError("connection 'x' is not defined in Airflow"), False),
        (PolicyError("source path '../x' resolves outside the landing zone"), False),
        (DataError("x.csv is empty"), False),
    ],
)
def test_a_late_delivery_and_an_outage_are_retried_other_errors_fail(
    error: PubdataError, retried: bool
) -> None:
    outcome = task_context.task_outcome(error, DATASET.id, "extract", fail_fast=False)
    assert isinstance(outcome, AirflowFailException) is not retried
    assert str(outcome) == f"{DATASET.id} failed at extract: {error.message}"
    # a person waiting on `pubdata run` gets the failure at once
    waiting = task_context.task_outcome(error, DATASET.id, "extract", fail_fast=True)
    assert isinstance(waiting, AirflowFailException)
