"""What `pubdata run` says on stderr about the runs the plan's asset events triggered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.cli.run import Progress, Request
from etl.registry import load_registry
from etl.runtime.runner_plan import RunnerEvent
from tests.conftest import make_settings

DAY = date(2024, 6, 1)


def _progress(tmp_path: Path, *, plain: bool) -> Progress:
    settings = make_settings(tmp_path)
    dataset = load_registry(settings.registry).get("household_register")
    return Progress(settings, [Request(dataset, DAY)], plain=plain)


def _integration(state: str, **counts: int) -> list[RunnerEvent]:
    common = {"invocation": "x-asset-0", "dag_id": "integrate__population", "day": DAY}
    return [
        RunnerEvent(event="run", **common),
        RunnerEvent(event="done", state=state, seconds=1.5, **common, **counts),
    ]


def test_a_failed_integration_is_said_even_to_a_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    progress = _progress(tmp_path, plain=False)  # a script's `pubdata run`: no progress lines
    for event in _integration("failed"):
        progress(event)
    assert capsys.readouterr().err == (
        "  integrate__population 2024-06-01: the DAG run ended failed (1.5 s)\n"
    )
    assert [e.state for e in progress.triggered] == ["failed"]


def test_a_successful_integration_stays_quiet_for_a_script_and_counts_when_plain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet = _progress(tmp_path, plain=False)
    for event in _integration("success", entities=1675, conflicts=9):
        quiet(event)
    assert capsys.readouterr().err == ""
    plain = _progress(tmp_path, plain=True)
    for event in _integration("success", entities=1675, conflicts=9):
        plain(event)
    assert capsys.readouterr().err == (
        "[asset] integrate__population 2024-06-01 ...\n"
        "  integrate__population 2024-06-01: 1675 entities, 9 conflicts (1.5 s)\n"
    )
