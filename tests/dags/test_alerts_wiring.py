"""Alert notifiers are attached to every dataset DAG as its registry entry says.

The DAG files are parsed in a subprocess (as Airflow's DAG processor does), over the sample
registry plus one dataset with a deadline alert; the deadline callback is run by Airflow's own
executor-callback entry point against a local HTTP server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from etl.registry import load_registry
from tests.conftest import REPO, fresh_python
from tests.unit.alerts.servers import start_hook

DAGS = REPO / "dags"
LATE = """\
id: late
title: 迟到数据 (late data)
department: extra
domain: d
source: {kind: file, format: csv, path: 'late/{ds}.csv', wait: {timeout_minutes: 600}}
alerts: {channels: [wecom_ops], on: [not_delivered], deadline_minutes: 90}
"""

PARSE = """
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
from airflow.serialization.serialized_objects import DagSerialization

def name(cb):
    return getattr(getattr(cb, "func", None), "__name__", None) or type(cb).__name__

bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
out = {}
for dag_id, dag in bag.dags.items():
    if not dag_id.startswith("ingest__"):
        continue
    # what the DAG processor stores and the scheduler reads back
    stored = json.loads(json.dumps(DagSerialization.to_dict(dag)))
    deadlines = DagSerialization.from_dict(stored).deadline or []
    out[dag_id] = {
        "failure": {t.task_id: [name(c) for c in t.on_failure_callback] for t in dag.tasks},
        "success": {t.task_id: [name(c) for c in t.on_success_callback] for t in dag.tasks},
        "deadline": [
            {"path": d["callback"]["__data__"]["path"],
             "kwargs": d["callback"]["__data__"]["kwargs"],
             "seconds": d["interval"]["__data__"],
             "reference": d["reference"]["reference_type"]}
            for d in deadlines
        ],
    }
print(json.dumps({"dags": out, "errors": {Path(k).name: v for k, v in bag.import_errors.items()}}))
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("registry")
    shutil.copytree(REPO / "datasets", root, dirs_exist_ok=True)
    (root / "extra").mkdir()
    (root / "extra" / "late.yaml").write_text(LATE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def parsed(registry: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("home")
    env = dict(os.environ, PUBDATA_REGISTRY=str(registry), PUBDATA_HOME=str(home))
    found: dict = fresh_python(PARSE, str(DAGS), env=env, timeout=300)
    return found


def test_notifiers_follow_each_datasets_alerts_section(registry: Path, parsed: dict) -> None:
    assert parsed["errors"] == {}
    datasets = load_registry(registry).datasets
    assert any(d.alerts is None for d in datasets.values())  # both cases are exercised
    for dataset in datasets.values():
        dag = parsed["dags"][dataset.dag_id]
        on = set(dataset.alerts.on) if dataset.alerts else set()
        failure = ["record_failure"] + ["RunFailureNotifier"] * bool(
            on & {"failure", "not_delivered"}
        )
        for task, callbacks in dag["failure"].items():
            assert callbacks == failure, (dataset.id, task)
        success = ["RunAlertsNotifier"] * bool(on & {"quality", "drift", "important"})
        assert dag["success"]["record"] == success, dataset.id
        assert all(dag["success"][t] == [] for t in dag["success"] if t != "record")


def test_samples_alert(parsed: dict) -> None:
    household = parsed["dags"]["ingest__public_security__household_register"]
    assert household["failure"]["extract"] == ["record_failure", "RunFailureNotifier"]
    assert household["success"]["record"] == ["RunAlertsNotifier"]


def test_deadline_alert_only_where_configured(parsed: dict) -> None:
    late = parsed["dags"]["ingest__extra__late"]
    assert late["deadline"] == [
        {
            "path": "pubdata_notifiers.deadline_missed",
            "kwargs": {"dataset_id": "late", "minutes": 90},
            "seconds": 5400.0,
            "reference": "DagRunQueuedAtDeadline",
        }
    ]
    # no `on: failure` here, but a sensor timeout is `not_delivered`: the notifier is attached
    assert late["failure"]["wait_for_source"] == ["record_failure", "RunFailureNotifier"]
    assert late["success"]["record"] == []
    others = [d for d, v in parsed["dags"].items() if v["deadline"] and d != "ingest__extra__late"]
    assert others == []


DEADLINE = """
import json, sys
import structlog
from airflow.sdk.execution_time.callback_supervisor import execute_callback
context = {
    "dag_run": {"dag_run_id": "scheduled__2024-06-01T00:00:00+00:00",
                "dag_id": "ingest__extra__late", "logical_date": "2024-06-01T00:00:00Z",
                "queued_at": "2024-06-01T00:00:05Z"},
    "deadline": {"id": "d1", "deadline_time": "2024-06-01T01:30:05Z"},
}
ok, error = execute_callback(sys.argv[1], {"dataset_id": "late", "minutes": 90, "context": context},
                             None, None, structlog.get_logger())
print(json.dumps({"ok": ok, "error": error}))
"""


def test_deadline_callback_sends_through_airflows_callback_runner(
    registry: Path, tmp_path: Path
) -> None:
    httpd, hook = start_hook()
    try:
        conn = {
            "conn_type": "http",
            "host": "127.0.0.1",
            "port": hook.port,
            "extra": {"endpoint": "/cgi-bin/webhook/send", "params": {"key": "k-1"}},
        }
        env = dict(
            os.environ,
            PUBDATA_REGISTRY=str(registry),
            PUBDATA_HOME=str(tmp_path / "home"),
            AIRFLOW_CONN_PUBDATA_WECOM=json.dumps(conn),
            AIRFLOW__API__BASE_URL="http://airflow.test:8080",
            PYTHONPATH=os.pathsep.join(
                [str(DAGS), str(REPO)]
            ),  # the bundle path, as Airflow adds it
        )
        done = subprocess.run(
            [sys.executable, "-c", DEADLINE, "pubdata_notifiers.deadline_missed"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        assert json.loads(done.stdout.strip().splitlines()[-1]) == {"ok": True, "error": None}
    finally:
        httpd.shutdown()
        httpd.server_close()
    [request] = hook.requests
    assert request.query == {"key": "k-1"}
    content = request.body["markdown"]["content"]
    assert "数据未按时报送 source not delivered: 迟到数据 (late data) (late)" in content
    assert "had not finished 90 min after it was queued" in content
    assert (
        "(http://airflow.test:8080/dags/ingest__extra__late/runs/"
        "scheduled__2024-06-01T00%3A00%3A00%2B00%3A00)" in content
    )
