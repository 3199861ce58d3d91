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


def test_the_task_publishes_the_shared_table_after_integrating(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from collections import defaultdict
    from datetime import date
    from types import SimpleNamespace

    from etl.lake import delta
    from etl.lake.layout import integrated_table_uri
    from etl.pipeline.local import local_context, run_local
    from etl.zones import Zone

    settings = make_settings(tmp_path / "home")
    registry = load_registry(settings.registry)
    day = date(2024, 6, 1)
    for dataset_id in DOMAIN.datasets:
        dataset = registry.datasets[dataset_id]
        run_local(settings, dataset, local_context(dataset, day, f"scheduled__{day}T00:00:00"))
    events: defaultdict[Any, SimpleNamespace] = defaultdict(SimpleNamespace)
    context = {"run_id": "r1", "outlet_events": events}
    monkeypatch.setattr(wiring, "get_current_context", lambda: context)
    monkeypatch.setattr(wiring, "_with_token_key", lambda given: given)
    summary = wiring.run_integration(DOMAIN, settings)
    shared = delta.read(integrated_table_uri(settings.lake, DOMAIN.id, "records", Zone.SHARED))
    assert summary["shared_rows"] == shared.num_rows > 100
    assert summary["shared_version"] == 0
    shared_event = events[wiring.shared_integrated_asset(settings, DOMAIN)].extra
    assert shared_event["zone"] == "shared" and shared_event["delta_version"] == 0
    again = wiring.run_integration(DOMAIN, settings)  # nothing new: the table stays as it was
    assert "shared_rows" not in again
    assert (
        delta.version(integrated_table_uri(settings.lake, DOMAIN.id, "records", Zone.SHARED)) == 0
    )
