"""The same DAGs on the distributed engine: Celery on Redis, PostgreSQL, the lake on S3.

The test starts what a deployment runs (``airflow api-server``, ``scheduler``, ``dag-processor``
and ``celery worker``) as processes with their own ``AIRFLOW_HOME``, a fresh PostgreSQL database
for the metadata (and the Celery results), one empty Redis database as the broker and a moto S3
server as the lake's object store. Two sample DAGs are triggered through the REST API v2 for the
demo date and must succeed; the lake is then read back from S3 through the Delta log.

Everything started here is stopped here: each component runs in its own process group, which is
killed on the way out; the database is dropped and only the Redis database picked is flushed.
The registry is a copy of the two sample entries with ``schedule: null`` so that unpausing the
DAGs creates no scheduled run beside the triggered one (the demo date is long past).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from etl.lake import delta, zone_table_uri
from etl.lineage import read_meta
from etl.registry import load_registry
from etl.runtime.airflow_env import LOCAL_SETTINGS, TASK_RUNTIME, airflow_command
from tests.conftest import REPO, make_settings
from tests.s3_server import TEST_AWS, free_port, make_bucket, moto_server

pytestmark = pytest.mark.integration

DAY = "2024-06-01"
DATASETS = {
    "air_quality": ("ecology", "environment"),
    "enterprise_registry": ("market_regulation", "legal_entity"),
}
BUCKET = "pubdata-it"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
USER, PASSWORD = "it-admin", secrets.token_urlsafe(12)
AWS = TEST_AWS
STARTUP_TIMEOUT = 120
RUN_TIMEOUT = 360


def _request(
    url: str, *, method: str = "GET", data: Any = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")[:500]


@dataclass
class Stack:
    """The processes started, their logs, and where the API is."""

    root: Path
    env: dict[str, str]
    api: str = ""
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> Path:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        return self.root / "logs" / f"{name}.log"

    def start(self, name: str, *args: str, **extra_env: str) -> None:
        self.log(name).parent.mkdir(parents=True, exist_ok=True)
        with self.log(name).open("ab") as out:
            self.procs[name] = subprocess.Popen(
                airflow_command(*args),
                env={**self.env, **extra_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: we stop exactly what we started
            )

    def tails(self, lines: int = 60) -> str:
        parts = []
        for path in sorted((self.root / "logs").glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"----- {path.name} -----\n" + "\n".join(text))
        task_logs = sorted(Path(self.env["AIRFLOW_HOME"], "logs").rglob("attempt=*.log"))
        for path in task_logs[-6:]:
            text = path.read_text(errors="replace").splitlines()[-25:]
            parts.append(f"----- task {path.relative_to(self.env['AIRFLOW_HOME'])} -----\n")
            parts.append("\n".join(text))
        return "\n".join(parts)

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def moto() -> Iterator[str]:
    with moto_server() as endpoint:
        make_bucket(endpoint, BUCKET)
        yield endpoint


def _boto_kwargs() -> dict[str, str]:
    return {
        "region_name": AWS["AWS_REGION"],
        "aws_access_key_id": AWS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": AWS["AWS_SECRET_ACCESS_KEY"],
    }


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards (connections and all)."""
    import psycopg

    name = f"pubdata_it_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_db() -> Iterator[int]:
    """One empty Redis database number for the broker; only that one is flushed afterwards."""
    import redis

    for number in sorted(range(1, 16), key=lambda _: secrets.randbelow(1000)):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.dbsize() == 0:
            break
    else:
        raise RuntimeError("no empty Redis database (1-15) for the Celery broker on 127.0.0.1:6379")
    try:
        yield number
    finally:
        client.flushdb()
        client.close()


def _registry(root: Path) -> Path:
    registry = root / "registry"
    for dataset, (department, _) in DATASETS.items():
        text = (REPO / "datasets" / department / f"{dataset}.yaml").read_text(encoding="utf-8")
        assert 'schedule: "@daily"' in text
        target = registry / department / f"{dataset}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.replace('schedule: "@daily"', "schedule: null"), encoding="utf-8")
    return registry


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, moto: str, database: str, redis_db: int
) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("celery-s3")
    home = root / "home"
    airflow_home = root / "airflow"
    passwords = airflow_home / "passwords.json"
    passwords.parent.mkdir(parents=True)
    passwords.write_text(json.dumps({USER: PASSWORD}))
    settings = make_settings(home)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PUBDATA_", "AWS_"))}
    env.update(AWS)
    env.update(
        AWS_ENDPOINT_URL=moto,
        PUBDATA_HOME=str(home),
        PUBDATA_REGISTRY=str(_registry(root)),
        PUBDATA_LANDING=str(settings.landing),
        PUBDATA_EXPECTATIONS=str(settings.expectations),
        PUBDATA_TOKEN_KEY=settings.token_key or "",
        PUBDATA_LAKE=f"s3://{BUCKET}/lake",
        GX_ANALYTICS_ENABLED="false",
        # airflow_local_settings: the Celery worker imports the pipeline before it forks tasks
        PYTHONPATH=str(LOCAL_SETTINGS),
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{USER}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT="120",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"postgresql+psycopg://{database}",
        # psycopg 3 serves the async engine too (asyncpg is not installed).
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=f"postgresql+psycopg_async://{database}",
        AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:6379/{redis_db}",
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+postgresql+psycopg://{database}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="2",
        AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(24),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(48),
        # Other engineers' workers may hold the default log-server ports on this machine.
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT="300",
        # how long a worker's supervisor may sit idle after its task process exited (default
        # 5 s per task, ten tasks here); the DAG runner of `pubdata run` uses 1 s too
        AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL="1",
        AIRFLOW__OPENLINEAGE__NAMESPACE="pubdata",
        AIRFLOW__OPENLINEAGE__TRANSPORT=json.dumps(
            {"type": "file", "log_file_path": str(home / "openlineage" / "events.jsonl")}
        ),
        **TASK_RUNTIME,
    )
    (home / "openlineage").mkdir(parents=True)
    st = Stack(root, env, api=f"http://127.0.0.1:{port}")
    try:
        with st.log("db-migrate").open("ab") as out:
            done = subprocess.run(
                airflow_command("db", "migrate"), env=env, stdout=out, stderr=out, check=False
            )
        assert done.returncode == 0, st.tails()
        st.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
        st.start("dag-processor", "dag-processor")
        st.start("scheduler", "scheduler")
        st.start(
            "celery-worker",
            "celery",
            "worker",
            "--concurrency",
            "2",
            "--celery-hostname",
            f"pubdata-it-{secrets.token_hex(3)}@%h",
            # every import a task process makes lands in its task log: GX must not be one
            PYTHONPROFILEIMPORTTIME="1",
        )
        _wait(st, lambda: _request(f"{st.api}/api/v2/monitor/health")[0] == 200, "api-server")
        yield st
    except BaseException:
        print(st.tails())
        raise
    finally:
        st.stop()


def _wait(st: Stack, ready: Any, what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [n for n, p in st.procs.items() if p.poll() is not None]
        assert not dead, f"{dead} exited while waiting for {what}\n{st.tails()}"
        with contextlib.suppress(OSError):  # not listening yet
            if ready():
                return
        time.sleep(0.25)
    raise AssertionError(f"{what} not ready after {timeout}s\n{st.tails()}")


def _token(st: Stack) -> str:
    status, body = _request(
        f"{st.api}/auth/token", method="POST", data={"username": USER, "password": PASSWORD}
    )
    assert status == 201, (status, body)
    return str(body["access_token"])


def _assert_started_warm(stack: Stack, run_ids: dict[str, str]) -> None:
    """The worker imported GX and the pipeline before forking: no task process imported GX."""
    for dag_id, run_id in run_ids.items():
        folder = Path(stack.env["AIRFLOW_HOME"], "logs", f"dag_id={dag_id}", f"run_id={run_id}")
        log = (folder / "task_id=validate" / "attempt=1.log").read_text(errors="replace")
        imports = [line for line in log.splitlines() if "import time:" in line]
        assert imports, "the task process's import profile reaches its log"
        assert not [line for line in imports if "great_expectations" in line], dag_id


def test_two_sample_dags_succeed_on_celery_with_the_lake_on_s3(
    stack: Stack, moto: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token(stack)
    dag_ids = {d: f"ingest__{dept}__{d}" for d, (dept, _) in DATASETS.items()}
    for dag_id in dag_ids.values():
        url = f"{stack.api}/api/v2/dags/{dag_id}"
        _wait(stack, lambda u=url: _request(u, token=token)[0] == 200, f"{dag_id} parsed")
        status, body = _request(url, method="PATCH", data={"is_paused": False}, token=token)
        assert status == 200, (status, body)
    run_ids = {}
    for dataset, dag_id in dag_ids.items():
        status, body = _request(
            f"{stack.api}/api/v2/dags/{dag_id}/dagRuns",
            method="POST",
            data={"dag_run_id": f"it__{dataset}", "logical_date": f"{DAY}T00:00:00Z"},
            token=token,
        )
        assert status == 200, (status, body)
        run_ids[dag_id] = body["dag_run_id"]

    states: dict[str, str] = {}
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline and len(states) < len(run_ids):
        for dag_id, run_id in run_ids.items():
            status, body = _request(
                f"{stack.api}/api/v2/dags/{dag_id}/dagRuns/{run_id}", token=token
            )
            if status == 200 and body["state"] in ("success", "failed"):
                states[dag_id] = body["state"]
        time.sleep(0.5)
    if states != dict.fromkeys(run_ids, "success"):
        tasks = {
            dag_id: _request(
                f"{stack.api}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", token=token
            )[1]
            for dag_id, run_id in run_ids.items()
        }
        summary = {
            d: [(t["task_id"], t["state"]) for t in (b or {}).get("task_instances", [])]
            for d, b in tasks.items()
            if isinstance(b, dict)
        }
        pytest.fail(f"runs ended {states} (tasks {summary})\n{stack.tails()}")

    _assert_started_warm(stack, run_ids)

    # The lake, read back from S3 through the Delta log with the workers' settings.
    for name in ("AWS_ENDPOINT_URL", *AWS):
        monkeypatch.setenv(name, stack.env[name])
    lake = stack.env["PUBDATA_LAKE"]
    registry = load_registry(Path(stack.env["PUBDATA_REGISTRY"]))
    runs = read_meta(lake, "lineage_runs").to_pylist()
    for dataset, (_, domain) in DATASETS.items():
        spec = registry.get(dataset)
        assert spec.domain == domain
        mine = [r for r in runs if r["dataset"] == dataset and r["status"] == "success"]
        assert mine, f"no successful lineage_runs row for {dataset}"
        assert {r["run_id"] for r in mine} == {f"it__{dataset}"}
        assert {str(r["logical_date"]) for r in mine} == {DAY}
        loaded = {r["zone"]: r["rows_loaded"] for r in mine}
        for zone in ("restricted", "shared"):
            table = delta.read(zone_table_uri(lake, zone, domain, dataset))
            assert table.num_rows == loaded[zone] > 0
            assert set(table.column("_run_id").to_pylist()) == {f"it__{dataset}"}
    import boto3

    keys = [
        o["Key"]
        for o in boto3.client("s3", endpoint_url=moto, **_boto_kwargs())
        .list_objects_v2(Bucket=BUCKET, Prefix="lake/")
        .get("Contents", [])
    ]
    assert any("/_delta_log/" in k for k in keys)
    assert not [k for k in keys if "_pubdata_probe" in k]  # the probe cleans up after itself
