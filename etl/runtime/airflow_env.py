"""The environment of the embedded Airflow (SQLite metadata DB, LocalExecutor, file lineage).

``etl`` never imports Airflow; it starts it as a subprocess with this environment, so that a run
from the command line goes through the same code path as the scheduler (``dags/pubdata_runner.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from etl.errors import ConfigError
from etl.runtime import locks
from etl.settings import PROJECT_ROOT, Settings

#: The folder of ``airflow_local_settings.py`` (on ``PYTHONPATH`` of every Airflow process).
LOCAL_SETTINGS = PROJECT_ROOT / "deploy" / "airflow"


#: Airflow settings of every deployment (the embedded one here; docker-compose.yaml and
#: bench/scheduler.py set the same): a task emits its OpenLineage events from a thread, not from
#: a fork of the task process. A fork of a process that holds Great Expectations and the pipeline
#: costs ~0.07 s of CPU per event (two per task), and a forked emitter that blocks can leave the
#: task stuck in ``running`` (the option's documented reason).
TASK_RUNTIME: dict[str, str] = {"AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD": "True"}


def airflow_environment(
    settings: Settings, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Environment for Airflow subprocesses; values already set in ``base`` win (deployments)."""
    env = dict(os.environ if base is None else base)
    home = settings.airflow_home
    lineage = settings.home / "openlineage"
    defaults = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        # schedules in local time: cron ``0 2 * * *`` is 02:00 in the city
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": settings.timezone,
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": "120",
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "pubdata",
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(lineage / "events.jsonl"), "append": True}
        ),
        **TASK_RUNTIME,
        "GX_ANALYTICS_ENABLED": "false",
        "PUBDATA_HOME": str(settings.home),
        "PUBDATA_REGISTRY": str(settings.registry),
        "PUBDATA_LANDING": str(settings.landing),
        "PUBDATA_LAKE": settings.lake,
        # zones with a location of their own; their keys travel in the environment only
        **{f"PUBDATA_LAKE_{z.name}": root for z, root in settings.zone_roots.items()},
        "PUBDATA_EXPECTATIONS": str(settings.expectations),
        "PUBDATA_TIMEZONE": settings.timezone,
    }
    for key, value in defaults.items():
        env.setdefault(key, value)
    # airflow_local_settings: the scheduler (LocalExecutor) and Celery workers start tasks warm
    paths = [str(LOCAL_SETTINGS), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def airflow_command(*args: str) -> list[str]:
    """The argv of an Airflow CLI call with the current interpreter."""
    return [sys.executable, "-m", "airflow", *args]


def ensure_airflow_db(settings: Settings, env: Mapping[str, str], log_path: Path) -> None:
    """Create or migrate the embedded metadata DB once (later calls are a file check).

    Concurrent callers migrate one after the other under the home's setup lock (two
    ``airflow db migrate`` on a fresh database both create its tables and one fails).

    Raises:
        ConfigError: when ``airflow db migrate`` fails (its output is in ``log_path``).
    """
    home = Path(env["AIRFLOW_HOME"])
    marker = home / ".pubdata-migrated"
    conn = env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "")
    if marker.is_file() and marker.read_text() == conn:
        return
    with locks.held(settings.home, locks.SETUP):
        if marker.is_file() and marker.read_text() == conn:
            return  # migrated by the caller that held the lock before
        home.mkdir(parents=True, exist_ok=True)
        (settings.home / "openlineage").mkdir(parents=True, exist_ok=True)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as out:
            done = subprocess.run(
                airflow_command("db", "migrate"), env=dict(env), stdout=out, stderr=out, check=False
            )
        if done.returncode != 0:
            raise ConfigError(f"airflow db migrate failed (exit {done.returncode}); see {log_path}")
        marker.write_text(conn)
