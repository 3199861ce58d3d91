"""CLI error paths: one clear line on stderr, no traceback, the right exit code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.conftest import FILE_DATASET, Cli, cli_for

pytestmark = pytest.mark.integration


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_unknown_dataset(cli: Cli) -> None:
    done = cli("run", "no_such_dataset", "--date", "2024-06-01")
    assert done.returncode == 2
    assert "unknown dataset 'no_such_dataset'" in one_line(done.stderr)


def test_source_not_delivered(cli: Cli) -> None:
    done = cli("run", "household_register", "--date", "2024-12-31")
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "household_register failed at extract" in line
    assert "not delivered" in line


def test_date_before_start_date(cli: Cli) -> None:
    done = cli("run", "household_register", "--date", "1999-01-01")
    assert done.returncode == 2
    assert "before household_register's start_date" in one_line(done.stderr)


def test_bad_yaml_is_reported_by_registry_check(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    (registry / "x").mkdir(parents=True)
    (registry / "x" / "broken.yaml").write_text("id: broken\ntitle: [\n")
    (registry / "x" / "typo.yaml").write_text(
        FILE_DATASET.format(id="typo", path="a.csv") + "scheduel: '@daily'\n"
    )
    cli = cli_for(tmp_path / "home", PUBDATA_REGISTRY=str(registry))
    done = cli("registry", "check")
    assert done.returncode == 1
    assert "broken.yaml" in done.stderr and "not valid YAML" in done.stderr
    assert "typo.yaml: line 9: scheduel: unknown key; did you mean 'schedule'?" in done.stderr
    run = cli("run", "typo", "--date", "2024-06-01")
    assert run.returncode == 2
    assert "registry check" in one_line(run.stderr)


def test_path_escaping_the_landing_zone_is_refused(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "escape.yaml").write_text(
        FILE_DATASET.format(id="escape", path="../../datasets/public_security/{ds}.csv")
    )
    cli = cli_for(tmp_path / "home", PUBDATA_REGISTRY=str(registry))
    done = cli("run", "escape", "--date", "2024-06-01")
    assert done.returncode == 2  # refused before a run starts, like every hostile path
    line = one_line(done.stderr)
    assert line.startswith("pubdata: source path") and "outside the landing zone" in line


def test_repository_registry_checks_clean(cli: Cli) -> None:
    done = cli("registry", "check")
    assert done.returncode == 0, done.stderr
    assert f"in {REPO / 'datasets'}" in done.stdout


def test_demo_says_what_it_does_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    (registry / "civil_affairs").mkdir(parents=True)
    shutil.copy(
        REPO / "datasets" / "civil_affairs" / "relief_payments.yaml",
        registry / "civil_affairs" / "relief_payments.yaml",
    )
    (registry / "absent.yaml").write_text(FILE_DATASET.format(id="absent", path="nowhere/{ds}.csv"))
    cli = cli_for(tmp_path / "home", PUBDATA_REGISTRY=str(registry))
    done = cli("demo", "--date", "2024-06-01")
    assert done.returncode == 1  # one dataset had no delivery
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    # answered before any run: the delivery is missing
    assert lines[0].startswith("  absent failed at extract: source not delivered")
    assert lines[1] == "[1/1] relief_payments 2024-06-01 ..."
    # a plain line per step (stderr is a pipe), then the run's result
    steps = ["extract", "validate", "classify", "load", "record"]
    assert lines[2:7] == [f"  relief_payments 2024-06-01 {step} ok" for step in steps]
    assert lines[7].startswith("  relief_payments 2024-06-01: ") and " loaded, " in lines[7]
    assert len(lines) == 8
    assert "Traceback" not in done.stderr
    assert "relief_payments" in done.stdout  # the catalog follows
