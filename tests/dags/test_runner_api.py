"""The runner's in-process Execution API serves the Task SDK's version without building the rest.

Building the routes of every API version since Airflow 3.0 cost ~2.5 s of CPU per `pubdata run`;
the runner's task processes speak only this installation's version. The check runs in a fresh
interpreter: the runner changes Airflow's module attributes for its own process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import fresh_python

DAGS = Path(__file__).resolve().parents[2] / "dags"

SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {dags!r})
    import pubdata_runner
    from airflow.api_fastapi.execution_api.app import InProcessExecutionAPI
    from airflow.sdk.api.datamodels._generated import API_VERSION

    patched = pubdata_runner.serve_newest_api_only() if {patch} else False
    api = InProcessExecutionAPI()
    import httpx
    client = httpx.Client(transport=api.transport, base_url="http://in-process.invalid./")
    ping = client.get("/health/ping", headers={{"Airflow-API-Version": str(API_VERSION)}})
    missing = client.get(
        "/task-instances/00000000-0000-0000-0000-000000000000/heartbeat",
        headers={{"Airflow-API-Version": str(API_VERSION)}},
    )
    print(json.dumps({{
        "patched": patched,
        "versions": [str(v.value) for v in api.app.versions.versions],
        "ping": ping.status_code,
        "heartbeat_route": missing.status_code,
    }}))
    """
)


def _serve(patch: bool) -> dict[str, object]:
    result: dict[str, object] = fresh_python(
        SCRIPT.format(dags=str(DAGS), patch=patch), timeout=300
    )
    return result


@pytest.mark.parametrize("patch", [True, False])
def test_the_sdk_version_is_served_with_and_without_the_older_ones(patch: bool) -> None:
    served = _serve(patch)
    assert served["patched"] is patch
    assert served["ping"] == 200
    # the tasks' routes are there: a GET on the heartbeat (a PUT route) is refused as a method
    assert served["heartbeat_route"] == 405
    versions = served["versions"]
    assert isinstance(versions, list)
    assert (len(versions) == 1) is patch


def test_the_dag_processor_does_not_parse_the_runner() -> None:
    # the runner is a program, not a DAG file: the DAG processor would import it for nothing
    listing = (
        "from airflow.utils.file import list_py_file_paths\n"
        f"print('\\n'.join(list_py_file_paths({str(DAGS)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", listing], capture_output=True, text=True, timeout=120, check=True
    )
    found = {Path(line).name for line in done.stdout.split()}
    assert "ingest.py" in found
    assert not {"pubdata_runner.py", "pubdata_wiring.py"} & found
