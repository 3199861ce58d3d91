"""Integration fixtures: the real `pubdata` CLI driving the real Airflow (the DAG runner)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from etl.runtime.airflow_env import airflow_environment, ensure_airflow_db
from etl.settings import Settings
from tests.conftest import MIGRATED_AIRFLOW_HOME, make_settings

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


def cli_for(home: Path, *, migrated: bool = True, **overrides: str) -> Cli:
    """A CLI over its own home; ``migrated``: its metadata DB copied from the session's template.

    Without ``migrated`` (or before the template exists) the first ``pubdata run`` migrates.
    """
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
    if migrated and MIGRATED_AIRFLOW_HOME:
        _seed(MIGRATED_AIRFLOW_HOME[0], settings, env)
    return Cli(settings, env)


#: What a home gets from the template: not its airflow.cfg (each home generates its own Fernet
#: key) nor its lock files.
_NOT_COPIED = shutil.ignore_patterns("airflow.cfg", "locks")


def _seed(template: Path, settings: Settings, env: dict[str, str]) -> None:
    """Give a new home the template's migrated metadata DB, marked as migrated for this home.

    ``airflow db migrate`` costs seconds of CPU per home (an Airflow start-up); the schema it
    creates is the same in every home (no path, key or row of a home in it), so it is made once.
    """
    shutil.copytree(template, settings.home, ignore=_NOT_COPIED, dirs_exist_ok=True)
    conn = airflow_environment(settings, base=env)["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    (settings.airflow_home / ".pubdata-migrated").write_text(conn)


def _template_root(factory: pytest.TempPathFactory) -> Path:
    """A folder of this session shared by its xdist workers (each has a basetemp of its own)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One home migrated by ``pubdata run``'s own code (ensure_airflow_db) for the session.

    Workers share it: the first migrates under the home's setup lock, the other waits for it.
    """
    home = _template_root(tmp_path_factory) / "pubdata-airflow-template" / "home"
    settings = make_settings(home)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PUBDATA_"))}
    env = airflow_environment(settings, base=clean)
    ensure_airflow_db(settings, env, home / "logs" / "cli" / "airflow-db.log")
    MIGRATED_AIRFLOW_HOME[:] = [home]
    return home


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One embedded Airflow home and lake for the session's sample runs."""
    return cli_for(tmp_path_factory.mktemp("pubdata") / "home")
