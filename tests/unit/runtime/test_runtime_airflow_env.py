from __future__ import annotations

import json
from pathlib import Path

import yaml

from etl.runtime.airflow_env import PROJECT_ROOT, TASK_RUNTIME, airflow_environment
from tests.conftest import make_settings


def test_embedded_defaults(tmp_path: Path) -> None:
    env = airflow_environment(make_settings(tmp_path), base={})
    assert env["AIRFLOW_HOME"] == str(tmp_path / "airflow")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite:////")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    transport = json.loads(env["AIRFLOW__OPENLINEAGE__TRANSPORT"])
    assert transport["type"] == "file"
    assert transport["log_file_path"].startswith(str(tmp_path))


def test_deployment_values_win(tmp_path: Path) -> None:
    base = {"AIRFLOW__CORE__EXECUTOR": "CeleryExecutor"}
    env = airflow_environment(make_settings(tmp_path), base=base)
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_every_deployment_has_the_task_runtime_settings(tmp_path: Path) -> None:
    """The embedded Airflow and the docker-compose deployment run tasks the same way."""
    env = airflow_environment(make_settings(tmp_path), base={})
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    deployed = compose["x-airflow-common"]["environment"]
    for key, value in TASK_RUNTIME.items():
        assert env[key] == value
        assert str(deployed[key]).lower() == value.lower(), key
    assert TASK_RUNTIME["AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD"] == "True"
