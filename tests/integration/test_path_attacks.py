"""Hostile landing-zone paths through the real ``pubdata run``: one clear line, nothing read.

``pubdata run`` checks the delivery before it starts an Airflow run, so these are refused up
front (exit 2) without a run, a staging file or a lake write. The same refusals inside a
running extract step, and the swap between the check and the read, are hooked
deterministically in ``tests/unit/extract/test_paths_toctou.py`` and ``test_paths_refusals.py``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from etl.lineage import read_meta
from tests.integration.conftest import FILE_DATASET, Cli, cli_for

pytestmark = pytest.mark.integration

SECRET = "OUTSIDE_SECRET"


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    base = tmp_path_factory.mktemp("attacks")
    registry, landing = base / "registry", base / "landing" / "attacks"
    (registry / "testing").mkdir(parents=True)
    landing.mkdir(parents=True)
    for name in ("fifo", "escape"):
        (registry / "testing" / f"{name}.yaml").write_text(
            FILE_DATASET.format(id=name, path=f"attacks/{name}.csv")
        )
    (base / "secret.csv").write_text(f"name\n{SECRET}\n", encoding="utf-8")
    os.mkfifo(landing / "fifo.csv")  # nobody writes: a blocking open would hang the run
    (landing / "escape.csv").symlink_to(base / "secret.csv")
    return cli_for(
        base / "home", PUBDATA_REGISTRY=str(registry), PUBDATA_LANDING=str(base / "landing")
    )


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(
    ("dataset", "says"),
    [
        ("fifo", "source path 'attacks/fifo.csv' is a FIFO, not a regular file"),
        ("escape", "source path 'attacks/escape.csv' resolves outside the landing zone"),
    ],
)
def test_a_hostile_delivery_fails_the_run_with_one_line(
    attacked: Cli, dataset: str, says: str
) -> None:
    started = time.monotonic()
    done = attacked("run", dataset, "--date", "2024-06-01", timeout=60)
    assert time.monotonic() - started < 60  # a FIFO never blocks the check
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"pubdata: {says}")
    assert SECRET not in done.stdout + done.stderr
    assert read_meta(attacked.settings.lake, "lineage_runs").num_rows == 0  # no run started
    assert not attacked.settings.staging.exists()
    assert not (Path(attacked.settings.lake) / "restricted").exists()
