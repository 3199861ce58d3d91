"""What a failed integration becomes in Airflow: a one-line failure naming the repository, or a
retry when another integration of it committed first."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.errors import ConcurrentRun, ConfigError
from etl.integrate import load_domains
from etl.registry import load_registry
from tests.conftest import REPO, make_settings

sys.path.insert(0, str(REPO / "dags"))
wiring = importlib.import_module("pubdata_wiring")

DOMAIN = load_domains(load_registry(REPO / "datasets")).get("population")


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    import etl.integrate.engine as engine

    monkeypatch.setattr(wiring, "get_current_context", lambda: {"run_id": "r1"})
    monkeypatch.setattr(wiring, "_with_token_key", lambda settings: settings)
    monkeypatch.setattr(engine, "pending_runs", lambda settings, domain: [])

    def fail_with(error: Exception) -> Any:
        def integrate(*args: Any, **kwargs: Any) -> Any:
            assert kwargs["integration_id"] == "r1"  # the DAG run's id
            raise error

        monkeypatch.setattr(engine, "integrate", integrate)
        return lambda: wiring.run_integration(DOMAIN, make_settings(tmp_path / "home"))

    return fail_with


def test_a_configuration_problem_fails_for_good_in_one_line_naming_the_domain(
    failing: Any,
) -> None:
    run = failing(ConfigError("the tables were built from another version of the domain file"))
    with pytest.raises(wiring.AirflowFailException) as raised:
        run()
    message = str(raised.value)
    assert message.startswith("integration of population failed: the tables were built")
    assert "\n" not in message


def test_a_concurrent_integration_is_retried(failing: Any) -> None:
    run = failing(ConcurrentRun("another integration committed first"))
    with pytest.raises(wiring.AirflowException) as raised:
        run()
    assert not isinstance(raised.value, wiring.AirflowFailException)
    assert "population" in str(raised.value)
