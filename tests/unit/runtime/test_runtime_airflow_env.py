from __future__ import annotations

import json
from pathlib import Path

from etl.runtime.airflow_env import airflow_environment
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
