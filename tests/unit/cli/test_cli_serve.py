"""``pubdata serve refresh|roles|status`` against a real PostgreSQL database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from etl.cli.main import main
from tests.unit.serve.conftest import (
    TOMORROW,
    Served,
    grant_line,
    lake_settings,
    serving_database,
    unique,
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    with serving_database() as (name, url):
        served = Served(lake_settings(tmp_path, url), url, name)
        _environment(served, monkeypatch)
        yield served


def _environment(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    s = served.settings
    monkeypatch.setenv("PUBDATA_HOME", str(s.home))
    monkeypatch.setenv("PUBDATA_LAKE", s.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(s.registry))
    monkeypatch.setenv("PUBDATA_SERVE_URL", served.url)


def test_refresh_roles_and_status(env: Served, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "refresh", "--json"]) == 0
    refreshed = json.loads(capsys.readouterr().out)
    assert [(r["table"], r["state"], r["rows"]) for r in refreshed] == [
        ("shared_population.people", "refreshed", 3),
        ("open_population.people", "refreshed", 3),
    ]
    bi = unique("bi")
    env.grant(grant_line(bi, "open", TOMORROW), principals=(bi,))

    assert main(["serve", "roles"]) == 0
    out = capsys.readouterr().out
    assert f"pubdata_{bi}" in out and "open_population.people" in out

    assert main(["serve", "status"]) == 0
    out = capsys.readouterr().out
    assert "shared_population.people" in out and f"pubdata_{bi}" in out
    assert main(["serve", "refresh", "--dataset", "people"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_an_unset_url_is_one_line(
    env: Served, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PUBDATA_SERVE_URL")
    assert main(["serve", "status"]) == 2
    assert capsys.readouterr().err == (
        "pubdata: PUBDATA_SERVE_URL is not set: there is no SQL endpoint to serve\n"
    )


def test_an_unreachable_server_names_no_password(
    env: Served, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_SERVE_URL", "postgresql://u:hunter2@127.0.0.1:1/x")
    assert main(["serve", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pubdata: cannot connect to PUBDATA_SERVE_URL") and "hunter2" not in err
