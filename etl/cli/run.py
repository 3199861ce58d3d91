"""``pubdata run``: one dataset, one logical date, through its Airflow DAG (``dag.test``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from etl.pipeline.steps_record import record_failure
from etl.registry import Dataset
from etl.runtime import locks
from etl.runtime.airflow_env import airflow_command, airflow_environment, ensure_airflow_db
from etl.runtime.context import RunContext, invocation_path
from etl.runtime.records import RunSummary, read_record_at
from etl.settings import Settings


@dataclass(frozen=True)
class RunOutcome:
    """What ``pubdata run`` reports: the run summary and where the full log is."""

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


def run_dataset(settings: Settings, dataset: Dataset, logical_date: date) -> RunOutcome:
    """Run the dataset's DAG once for ``logical_date`` through ``airflow dags test``.

    The run fails fast (no retries): a person is waiting for the answer. The full Airflow output
    goes to a log file under ``PUBDATA_HOME/logs/cli``; the summary comes from the run itself.
    """
    env = airflow_environment(settings)
    logs = settings.home / "logs" / "cli"
    ensure_airflow_db(settings, env, logs / "airflow-db.log")
    invocation = uuid.uuid4().hex
    log_path = logs / f"{dataset.id}-{logical_date.isoformat()}-{invocation[:8]}.log"
    conf = {"pubdata_invocation": invocation, "pubdata_fail_fast": True}
    argv = airflow_command(
        "dags", "test", dataset.dag_id, logical_date.isoformat(), "--conf", json.dumps(conf)
    )
    # see etl.runtime.locks: one run of a DAG and date at a time, and one registration at a
    # time (the DAG run's process inherits the setup lock and drops it when a task starts)
    with locks.held(settings.home, locks.date_lock(dataset.dag_id, logical_date.isoformat())):
        setup = locks.acquire(settings.home, locks.SETUP)
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)  # a home migrated elsewhere
            with log_path.open("wb") as out:
                child = subprocess.Popen(
                    argv,
                    env={**env, locks.SETUP_LOCK_FD: str(setup)},
                    stdout=out,
                    stderr=out,
                    pass_fds=(setup,),
                )
        finally:
            os.close(setup)  # the child's copy keeps the lock until its first task starts
        returncode = child.wait()
    result_path = invocation_path(settings, invocation)
    if result_path.is_file():
        summary = read_record_at(result_path, RunSummary)
    else:
        summary = RunSummary(
            status="failed",
            dataset=dataset.id,
            logical_date=logical_date,
            stage="airflow",
            error=f"the DAG run did not complete (exit {returncode}{_cause(log_path)}); "
            f"see {log_path}",
        )
        # the pipeline recorded no outcome: record that the run failed before it did
        ctx = RunContext(
            dataset=dataset.id,
            dag_id=dataset.dag_id,
            run_id=f"pubdata_run__{invocation}",
            logical_date=logical_date,
        )
        record_failure(settings, dataset, ctx, "airflow", str(summary.error))
    changes: dict[str, Any] = {"log": str(log_path)}
    if returncode != 0 and summary.ok:
        changes |= {"status": "failed", "stage": "airflow"}
        changes["error"] = f"airflow exited {returncode}; see {log_path}"
    return RunOutcome(summary.model_copy(update=changes), log_path)


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
