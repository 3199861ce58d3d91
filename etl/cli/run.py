"""``pubdata run`` and ``pubdata demo``: DAG runs through Airflow, in one warm runner process.

The runner (``dags/pubdata_runner.py``) makes and executes real DAG runs (the scheduler's code
path: the supervisor, task logs where the UI reads them, asset events, OpenLineage); it pays
Airflow's and Great Expectations' start-up once for every run it is given. This module starts
it with the embedded Airflow's environment, hands it the plan, relays its events and reads
each run's summary back.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from etl.registry import Dataset
from etl.runtime.airflow_env import airflow_environment, ensure_airflow_db
from etl.runtime.context import RunContext, invocation_path
from etl.runtime.records import RunSummary, read_record_at
from etl.runtime.runner_plan import EVENTS_FD, Plan, PlannedRun, RunnerEvent, run_invocation
from etl.settings import Settings

#: The runner's checks of a task's liveness, in seconds: also how long the supervisor may sit
#: idle after its task process has exited (Airflow's default is 5 s per task).
HEARTBEAT_SECONDS = "1"


@dataclass(frozen=True)
class RunOutcome:
    """What ``pubdata run`` reports for one run: its summary and where the full log is."""

    summary: RunSummary
    log_path: Path

    @property
    def ok(self) -> bool:
        """Whether the run succeeded."""
        return self.summary.ok

    def error_line(self) -> str:
        """One line for stderr: which dataset, which stage, why."""
        s = self.summary
        stage = s.stage or "airflow"
        return f"{s.dataset} failed at {stage}: {s.error or 'see ' + str(self.log_path)}"


@dataclass(frozen=True)
class Request:
    """One dataset's runs: one logical date, or every date from ``start`` to ``end``."""

    dataset: Dataset
    start: date
    end: date | None = None


class Progress:
    """Turns the runner's events into progress on stderr.

    At a terminal, one status line per run, rewritten as its tasks end; otherwise (a pipe, a CI
    log) a plain line per task when ``plain`` (the demo, date ranges), nothing when not (a
    script of ``pubdata run`` gets one line per result or error). The end of each run prints its
    result, read from the run's summary.
    """

    def __init__(self, settings: Settings, requests: Sequence[Request], *, plain: bool) -> None:
        self._settings = settings
        self._ids = {r.dataset.dag_id: r.dataset.id for r in requests}
        self._total = sum(1 if r.end is None else (r.end - r.start).days + 1 for r in requests)
        self._tty = sys.stderr.isatty()
        self._plain = plain
        self._count = 0
        self._line = ""
        #: the ``done`` events of the runs the plan's asset events triggered (integrations)
        self.triggered: list[RunnerEvent] = []

    def __call__(self, event: RunnerEvent) -> None:
        """Show one event."""
        name = self._ids.get(event.dag_id or "", event.dag_id or "")
        if event.event == "run" and event.dag_id not in self._ids:
            # a run the plan's asset events triggered (an integration): not counted in the plan
            self._line = f"[asset] {name} {event.day}"
            self._show(self._line + " ...", final=not self._tty)
        elif event.event == "run":
            self._count += 1
            self._line = f"[{self._count}/{self._total}] {name} {event.day}"
            self._show(self._line + " ...", final=not self._tty)
        elif event.event == "task":
            mark = "ok" if event.state == "success" else str(event.state)
            if self._tty:
                self._line += f" {event.task_id} {mark}"
                self._show(self._line, final=False)
            else:
                self._show(f"  {name} {event.day} {event.task_id} {mark}", final=True)
        elif event.event == "done" and event.invocation and event.day:
            triggered = event.dag_id not in self._ids
            if triggered:
                self.triggered.append(event)
            # a failed integration is in no summary a script reads: say it, plain or not
            loud = triggered and event.state != "success"
            self._show(self._result(name, event), final=True, always=loud)
        elif event.event == "error":
            self._show(f"  {name} failed: {event.error}", final=True)

    def _result(self, name: str, event: RunnerEvent) -> str:
        assert event.invocation is not None and event.day is not None
        took = f"{event.seconds} s"
        if event.dag_id not in self._ids:
            if event.state != "success" or event.entities is None:
                return f"  {name} {event.day}: the DAG run ended {event.state} ({took})"
            counts = f"{event.entities} entities, {event.conflicts} conflicts"
            return f"  {name} {event.day}: {counts} ({took})"
        path = invocation_path(self._settings, run_invocation(event.invocation, event.day))
        s = read_record_at(path, RunSummary) if path.is_file() else None
        if s is not None and s.ok:
            return (
                f"  {name} {event.day}: {s.rows_loaded} loaded, {s.rows_quarantined} "
                f"quarantined, grade {s.dataset_grade} ({took})"
            )
        if s is not None and s.status == "skipped":
            return f"  {name} {event.day}: skipped, {s.error}"
        error = (s.error if s else None) or f"the DAG run ended {event.state}"
        stage = (s.stage if s else None) or "airflow"
        return f"  {name} {event.day} failed at {stage}: {error}"

    def _show(self, text: str, *, final: bool, always: bool = False) -> None:
        if not (self._tty or self._plain or always):
            return
        if self._tty:
            sys.stderr.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def run_dataset(settings: Settings, dataset: Dataset, logical_date: date) -> RunOutcome:
    """Run the dataset's DAG once for ``logical_date`` (see :func:`run_requests`)."""
    return run_requests(settings, [Request(dataset, logical_date)])[0]


def run_requests(
    settings: Settings,
    requests: Sequence[Request],
    on_event: Callable[[RunnerEvent], None] | None = None,
) -> list[RunOutcome]:
    """Run the requested DAG runs in one runner process; one outcome per run, in order.

    A range is an Airflow backfill (one run per date of the DAG's schedule). Runs fail fast (no
    retries): a person is waiting for the answer. Airflow's output goes to a log file under
    ``PUBDATA_HOME/logs/cli``; each summary comes from the run itself.

    Args:
        settings: the pubdata settings.
        requests: the runs to make, executed in this order.
        on_event: called with each event of the runner (progress), if given.
    """
    env = airflow_environment(settings)
    logs = settings.home / "logs" / "cli"
    ensure_airflow_db(settings, env, logs / "airflow-db.log")
    invocation = uuid.uuid4().hex
    name = requests[0].dataset.id if len(requests) == 1 else f"{len(requests)}-datasets"
    log_path = logs / f"{name}-{requests[0].start.isoformat()}-{invocation[:8]}.log"
    planned = [
        PlannedRun(
            dag_id=r.dataset.dag_id,
            start=r.start,
            end=r.end,
            invocation=f"{invocation}-{n}",
        )
        for n, r in enumerate(requests)
    ]
    ran: dict[str, list[date]] = {}
    refused: dict[str, str] = {}

    def seen(event: RunnerEvent) -> None:
        if event.event == "run" and event.invocation and event.day:
            ran.setdefault(event.invocation, []).append(event.day)
        elif event.event == "error" and event.invocation:
            refused[event.invocation] = event.error or "refused"
        if on_event is not None:
            on_event(event)

    returncode = _start_runner(env, Plan(runs=tuple(planned)), log_path, seen)
    outcomes: list[RunOutcome] = []
    for request, plan in zip(requests, planned, strict=True):
        if plan.invocation in refused:
            outcomes.append(RunOutcome(_refused(request, refused[plan.invocation]), log_path))
            continue
        # a range has the runs of the DAG's schedule in it; one date has its run, or its failure
        for day in ran.get(plan.invocation) or ([] if request.end else [request.start]):
            summary = _summary(settings, request.dataset, plan, day, returncode, log_path)
            outcomes.append(RunOutcome(summary.model_copy(update={"log": str(log_path)}), log_path))
    return outcomes


def _refused(request: Request, error: str) -> RunSummary:
    """The summary of a planned run Airflow would not make (no DAG run exists for it)."""
    return RunSummary(
        status="failed",
        dataset=request.dataset.id,
        logical_date=request.start,
        stage="airflow",
        error=error,
    )


def _start_runner(
    env: dict[str, str],
    plan: Plan,
    log_path: Path,
    on_event: Callable[[RunnerEvent], None] | None,
) -> int:
    """Run the runner to its end, relaying its events; its exit code."""
    runner = Path(env["AIRFLOW__CORE__DAGS_FOLDER"]) / "pubdata_runner.py"
    read_end, write_end = os.pipe()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as out:
        child = subprocess.Popen(
            [sys.executable, str(runner)],
            env={
                **env,
                EVENTS_FD: str(write_end),
                "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": HEARTBEAT_SECONDS,
            },
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=out,
            pass_fds=(write_end,),
        )
        os.close(write_end)
        assert child.stdin is not None
        child.stdin.write(plan.model_dump_json().encode())
        child.stdin.close()
        with os.fdopen(read_end, encoding="utf-8") as events:
            for line in events:
                if on_event is not None:
                    on_event(RunnerEvent.model_validate_json(line))
        return child.wait()


def _summary(
    settings: Settings,
    dataset: Dataset,
    plan: PlannedRun,
    day: date,
    returncode: int,
    log_path: Path,
) -> RunSummary:
    """The run's own summary; when it wrote none, a failure recorded for it now."""
    result_path = invocation_path(settings, plan.invocation_for(day))
    if result_path.is_file():
        summary = read_record_at(result_path, RunSummary)
        if returncode != 0 and summary.ok:
            error = f"the runner exited {returncode}; see {log_path}"
            summary = summary.model_copy(
                update={"status": "failed", "stage": "airflow", "error": error}
            )
        return summary
    error = f"the DAG run did not complete (exit {returncode}{_cause(log_path)}); see {log_path}"
    # the pipeline recorded no outcome: record that the run failed before it did (the pipeline's
    # modules are imported here only: a run that wrote its summary never needs them)
    from etl.pipeline.steps_record import record_failure

    ctx = RunContext(
        dataset=dataset.id,
        dag_id=dataset.dag_id,
        run_id=f"pubdata_run__{plan.invocation_for(day)}",
        logical_date=day,
    )
    record_failure(settings, dataset, ctx, "airflow", error)
    return RunSummary(
        status="failed", dataset=dataset.id, logical_date=day, stage="airflow", error=error
    )


def _cause(log_path: Path) -> str:
    """The type of the last exception Airflow logged (never its message: it may hold values)."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = re.findall(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception))\b", text, flags=re.MULTILINE)
    return f": {found[-1]}" if found else ""


def public_summary(summary: RunSummary) -> dict[str, Any]:
    """The ``--json`` shape of ``pubdata run`` (a contract: keys are stable)."""
    data = summary.to_dict()
    keys = (
        "status",
        "dataset",
        "logical_date",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "dataset_grade",
        "tables",
    )
    out = {k: data[k] for k in keys}
    for extra in ("flags", "run_id", "stage", "error", "log"):
        if data[extra] is not None:
            out[extra] = data[extra]
    return out
