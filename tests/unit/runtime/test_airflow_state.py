"""Whether each DAG is paused, read from the Airflow metadata DB without importing Airflow."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from etl.runtime.airflow_state import paused_dags
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def embedded(monkeypatch: pytest.MonkeyPatch) -> None:
    # a deployment's metadata DB (set in the environment) wins over the embedded one
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)


def test_paused_and_active_dags_come_from_the_metadata_db(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    settings.airflow_home.mkdir(parents=True)
    with sqlite3.connect(settings.airflow_home / "airflow.db") as db:
        db.execute("CREATE TABLE dag (dag_id TEXT PRIMARY KEY, is_paused BOOLEAN)")
        db.executemany("INSERT INTO dag VALUES (?, ?)", [("ingest__a__x", 1), ("ingest__b__y", 0)])
    assert paused_dags(settings) == {"ingest__a__x": True, "ingest__b__y": False}


def test_no_metadata_db_yet_means_nothing_registered_and_none_is_created(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    assert paused_dags(settings) == {}
    assert not (settings.airflow_home / "airflow.db").exists()
