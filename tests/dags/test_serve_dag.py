"""The DAG ``serve__postgres``: scheduled on the served tables' assets, only with a serving URL."""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from etl.integrate import load_domains
from etl.registry import load_registry
from tests.conftest import REPO, make_settings
from tests.unit.serve.conftest import lake_settings, serving_database

sys.path.insert(0, str(REPO / "dags"))
wiring = importlib.import_module("pubdata_wiring")

REGISTRY = load_registry(REPO / "datasets")
DOMAINS = list(load_domains(REGISTRY).domains.values())


def test_no_dag_without_a_serving_url(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    assert wiring.build_serve_dag(settings, REGISTRY, DOMAINS) is None


def test_the_dag_follows_shared_and_open_assets(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", PUBDATA_SERVE_URL="postgresql://h/db")

    dag = wiring.build_serve_dag(settings, REGISTRY, DOMAINS)

    assert dag is not None and dag.dag_id == "serve__postgres"
    names = {a.name for a in wiring.served_assets(settings, REGISTRY, DOMAINS)}
    assert names and not any(n.startswith("restricted.") for n in names)
    assert any(n.startswith("shared.integrated.") for n in names)
    restricted = replace(settings, serve_restricted=True)
    assert any(
        n.startswith("restricted.")
        for n in (a.name for a in wiring.served_assets(restricted, REGISTRY, DOMAINS))
    )
    assert [t.task_id for t in dag.tasks] == ["refresh"]


def test_the_task_refreshes_and_syncs(tmp_path: Path) -> None:
    with serving_database() as (_, url):
        settings = lake_settings(tmp_path, url)
        summary = wiring.run_serve(settings)
        again = wiring.run_serve(settings)
    assert summary == {
        "refreshed": 2,
        "unchanged": 0,
        "missing": 0,
        "rows_refreshed": 6,
        "roles": 0,
        "roles_with_login": 0,
        "reads_recorded": 0,  # nobody read a served view yet
    }
    assert (again["refreshed"], again["unchanged"]) == (0, 2)  # the lake did not change


def test_an_unreachable_database_is_retried(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", PUBDATA_SERVE_URL="postgresql://u@127.0.0.1:1/x")
    with pytest.raises(wiring.AirflowException) as raised:
        wiring.run_serve(settings)
    assert not isinstance(raised.value, wiring.AirflowFailException)
    assert str(raised.value).startswith("serve__postgres: cannot connect")
