"""What ``pubdata run`` asks the DAG runner for, and what the runner reports back.

The runner (``dags/pubdata_runner.py``) is the Airflow side: it executes real DAG runs in one
warm process. This module is the contract between it and the CLI, so both read one definition:
the plan goes to the runner's stdin as JSON, events come back as JSON lines.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

#: Environment variable naming the file descriptor the runner writes its events to.
EVENTS_FD = "PUBDATA_RUNNER_FD"


def run_invocation(invocation: str, day: date) -> str:
    """The id under which the run of ``day`` of a planned run writes its summary."""
    return f"{invocation}-{day:%Y%m%d}"


class PlannedRun(BaseModel):
    """The DAG run of one logical date, or with ``end`` an Airflow backfill of ``start..end``.

    Attributes:
        dag_id: the dataset's DAG.
        start: the logical date (the first one of a range).
        end: the last logical date of a range (inclusive), or None for one date.
        invocation: the CLI's id of this request; each run's summary is found again by
            :meth:`invocation_for` its date.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dag_id: str
    start: date
    end: date | None = None
    invocation: str

    @model_validator(mode="after")
    def _ordered(self) -> PlannedRun:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def invocation_for(self, day: date) -> str:
        """The id under which the run of ``day`` writes its summary."""
        return run_invocation(self.invocation, day)

    def conf_for(self, day: date) -> dict[str, Any]:
        """The DAG run's conf: its summary's id, and no retries (a person waits for the answer)."""
        return {"pubdata_invocation": self.invocation_for(day), "pubdata_fail_fast": True}


class Plan(BaseModel):
    """The runs to execute, in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: tuple[PlannedRun, ...]


class RunnerEvent(BaseModel):
    """One line the runner reports (ids, dates, task names and states; never values).

    ``ready``: the runner has parsed and registered the DAGs; ``run``: a DAG run starts (a
    backfill's runs come one after the other); ``task``: a task instance ended in ``state``;
    ``done``: the DAG run ended in ``state``; ``error``: a planned run could not start.
    ``invocation`` names the planned run an event belongs to (an asset-triggered run, which
    the plan did not name, gets one of its own). The ``done`` of an integration also carries
    its counts: ``entities`` touched and ``conflicts`` opened.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event: Literal["ready", "run", "task", "done", "error"]
    invocation: str | None = None
    dag_id: str | None = None
    run_id: str | None = None
    day: date | None = None
    task_id: str | None = None
    state: str | None = None
    seconds: float | None = None
    error: str | None = None
    entities: int | None = None
    conflicts: int | None = None
