"""Integration fixtures: the real `pubdata` CLI driving the real Airflow (the DAG runner)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from etl.settings import Settings
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


@dataclass
class Cli:
    settings: Settings
    env: dict[str, str]

    def __call__(self, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "etl", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def run_json(self, dataset: str, day: str) -> tuple[int, dict[str, Any], str]:
        done = self("run", dataset, "--date", day, "--json")
        return done.returncode, json.loads(done.stdout or "{}"), done.stderr


#: A minimal file-source registry entry: ``.format(id=..., path=...)``.
FILE_DATASET = """\
id: {id}
title: 测试 test
department: testing
domain: test
source:
  kind: file
  format: csv
  path: {path}
"""


def cli_for(home: Path, **overrides: str) -> Cli:
    settings = make_settings(home, **overrides)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PUBDATA_"))}
    env.update(
        PUBDATA_HOME=str(settings.home),
        PUBDATA_REGISTRY=str(settings.registry),
        PUBDATA_LANDING=str(settings.landing),
        PUBDATA_EXPECTATIONS=str(settings.expectations),
        PUBDATA_TOKEN_KEY=settings.token_key or "",
    )
    env.update({k: v for k, v in overrides.items() if k.startswith("PUBDATA_")})
    return Cli(settings, env)


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One embedded Airflow home and lake for the session's sample runs."""
    return cli_for(tmp_path_factory.mktemp("pubdata") / "home")
