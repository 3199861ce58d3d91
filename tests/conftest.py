"""Shared fixtures: isolated settings over the repository's registry and sample landing zone."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from etl.settings import Settings

REPO = Path(__file__).resolve().parents[1]


#: The session's home with a migrated Airflow metadata DB that new homes copy (set by
#: tests/integration/conftest.py). Kept here: pytest imports a conftest of a folder without an
#: ``__init__.py`` under another name than the test modules that import it, so a module state of
#: that conftest would not be the one they read.
MIGRATED_AIRFLOW_HOME: list[Path] = []


def make_settings(home: Path, **overrides: str) -> Settings:
    env = {
        "PUBDATA_HOME": str(home),
        "PUBDATA_REGISTRY": str(REPO / "datasets"),
        "PUBDATA_LANDING": str(REPO / "samples" / "landing"),
        "PUBDATA_EXPECTATIONS": str(REPO / "expectations"),
        "PUBDATA_TOKEN_KEY": "test:" + "dGVzdC1rZXktbm90LWEtc2VjcmV0LTMyLWJ5dGVzLi4u",
    }
    env.update(overrides)
    return Settings.from_env(env)


def fresh_python(
    script: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> Any:
    """Run ``script`` in a new interpreter from the repository; its last stdout line, as JSON.

    What a command, a DAG parse or a plugin sees in a fresh process: its own imports, module
    state and environment (``env``; None: this one's). A failure shows the end of its stderr.
    """
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home and lake under tmp_path."""
    return make_settings(tmp_path / "home")
