"""The fixed cost of a run: many small datasets through Airflow, per DAG run (issue #16).

N generated datasets (default 50 of 1,000 rows: the benchmark register's fifteen columns, with
names, ID numbers, mobiles and addresses) run for one logical date in two ways:

* ``runner``: ``pubdata``'s DAG runner (what ``pubdata run`` and ``make demo`` use): one
  process registers the DAGs, imports Airflow and the pipeline once, and executes the N DAG
  runs one after the other, each task forked from it;
* ``local``: a deployment with LocalExecutor (``airflow api-server``, ``dag-processor`` and
  ``scheduler``) on a fresh PostgreSQL database; the N DAGs are unpaused and triggered
  through the REST API and run as the scheduler schedules them (``parallelism``: two task
  slots per core, :data:`SLOTS`), with pubdata's task settings (``TASK_RUNTIME``);
* ``local-cold``: the same deployment as tasks ran before issue #16: no
  ``airflow_local_settings`` (each task process imports what it needs), OpenLineage events
  emitted from forks of the task, and no compiled bytecode (an empty ``PYTHONPYCACHEPREFIX``:
  every import compiles its module, as in an environment installed without ``.pyc`` files
  where ``PYTHONDONTWRITEBYTECODE`` is set);
* ``celery``: the distributed deployment of the integration tests (CeleryExecutor on the
  machine's Redis, results in PostgreSQL, one ``celery worker`` with :data:`SLOTS` prefork
  processes; ``parallelism`` at Airflow's default, as in ``docker-compose.yaml``),
  warm: ``airflow_local_settings`` preloads the pipeline in the worker before it forks.

For each mode: wall seconds for all runs, the DAG runs' own wall time (start to end in the
metadata DB, median), CPU seconds of every process of the mode divided by the runs (the
scheduler's and API server's idle work included: it is the cost of keeping up), and runs per
hour per core. ``--modes`` picks the modes; ``--json`` prints the rows for machines.

    .venv/bin/python bench/scheduler.py                  # 50 datasets x 1,000 rows, every mode
    .venv/bin/python bench/scheduler.py --datasets 10 --modes runner
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.children import TOKEN_KEY  # noqa: E402
from bench.population import build_pools, generate  # noqa: E402
from etl.cli.table import render  # noqa: E402
from etl.registry import load_registry  # noqa: E402
from etl.runtime.airflow_env import (  # noqa: E402
    LOCAL_SETTINGS,
    TASK_RUNTIME,
    airflow_command,
    airflow_environment,
    ensure_airflow_db,
)
from etl.settings import Settings  # noqa: E402

DAY = date(2024, 6, 1)
SEED = 1000
TEMPLATE = REPO / "bench" / "datasets" / "population" / "population_register.yaml"
EXPECTATIONS = REPO / "bench" / "expectations"
ADMIN = "bench"
#: LocalExecutor's task slots: two per core. A small task waits on the scheduler and the API
#: server about as long as it computes; one slot per core leaves the cores idle half the time.
SLOTS = 2 * (os.cpu_count() or 1)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"


@dataclass
class Row:
    """One mode's figures."""

    mode: str
    runs: int
    succeeded: int
    wall_s: float
    run_wall_median_s: float
    cpu_s_per_run: float
    runs_per_hour_per_core: float


def _datasets(root: Path, count: int, rows: int) -> tuple[Path, Path]:
    """A registry of ``count`` copies of the benchmark register and their deliveries."""
    registry, landing = root / "registry", root / "landing"
    registry.mkdir(parents=True)
    template = TEMPLATE.read_text(encoding="utf-8")
    pools = build_pools(SEED)  # names and addresses shared; each file's rows have their own seed
    for n in range(count):
        name = f"small_{n:03d}"
        text = template.replace("id: population_register", f"id: {name}")
        text = text.replace("population/population_register/{ds}.csv", f"small/{name}/{{ds}}.csv")
        # no schedule: unpausing makes no scheduled run beside the triggered one
        text = text.replace('schedule: "@daily"', "schedule: null")
        (registry / f"{name}.yaml").write_text(text, encoding="utf-8")
        generate(
            landing / "small" / name / f"{DAY.isoformat()}.csv", rows, seed=SEED + n, pools=pools
        )
    return registry, landing


def _env(root: Path, registry: Path, landing: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PUBDATA_"))}
    env.update(
        PUBDATA_HOME=str(root / "home"),
        PUBDATA_REGISTRY=str(registry),
        PUBDATA_LANDING=str(landing),
        PUBDATA_EXPECTATIONS=str(EXPECTATIONS),
        PUBDATA_TOKEN_KEY=TOKEN_KEY,
    )
    return env


def _cpu(process: psutil.Process) -> float:
    """CPU seconds of a process and every descendant, reaped or alive."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


def _run_walls(conn_url: str, dag_ids: list[str]) -> list[float]:
    engine = sa.create_engine(conn_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT dag_id, start_date, end_date, state FROM dag_run")
        ).all()
    engine.dispose()
    return [
        (_moment(end) - _moment(start)).total_seconds()
        for dag_id, start, end, state in rows
        if dag_id in dag_ids and state == "success" and start and end
    ]


def _moment(value: datetime | str) -> datetime:
    """A timestamp as the metadata DB returns it (SQLite: text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def bench_runner(root: Path, registry: Path, landing: Path) -> Row:
    """Every dataset's run through one DAG runner (``pubdata run``'s path)."""
    env = _env(root / "runner", registry, landing)
    code = (
        "import sys, datetime as dt\n"
        "from etl.settings import Settings\n"
        "from etl.registry import load_registry\n"
        "from etl.cli.run import Request, run_requests\n"
        "s = Settings.from_env()\n"
        "reg = load_registry(s.registry)\n"
        "day = dt.date.fromisoformat(sys.argv[1])\n"
        "out = run_requests(s, [Request(reg.datasets[i], day) for i in sorted(reg.datasets)])\n"
        "print(sum(o.ok for o in out))\n"
    )
    # the embedded metadata DB is migrated first (once per home, not part of a run's cost)
    settings = Settings.from_env(env)
    ensure_airflow_db(settings, airflow_environment(settings, env), root / "runner-db.log")
    started = time.monotonic()
    before = psutil.Process().cpu_times()
    done = subprocess.run(
        [sys.executable, "-c", code, DAY.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    after = psutil.Process().cpu_times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    if done.returncode != 0:
        raise SystemExit(f"runner failed:\n{done.stderr[-3000:]}")
    succeeded = int(done.stdout.strip().splitlines()[-1])
    dag_ids = [d.dag_id for d in load_registry(registry).datasets.values()]
    walls = _run_walls(f"sqlite:///{settings.airflow_home / 'airflow.db'}", dag_ids)
    return _row("runner", len(dag_ids), succeeded, wall, walls, cpu)


def _row(mode: str, runs: int, ok: int, wall: float, walls: list[float], cpu: float) -> Row:
    return Row(
        mode=mode,
        runs=runs,
        succeeded=ok,
        wall_s=round(wall, 1),
        run_wall_median_s=round(statistics.median(walls), 1) if walls else 0.0,
        cpu_s_per_run=round(cpu / max(runs, 1), 2),
        runs_per_hour_per_core=round(ok / (cpu / 3600), 1) if cpu else 0.0,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _redis_db() -> Iterator[int]:
    """An empty Redis database number for the Celery broker; only that one is flushed after."""
    import redis

    for number in range(15, 0, -1):
        client = redis.Redis(host="127.0.0.1", port=6379, db=number)
        if client.dbsize() == 0:
            break
        client.close()
    else:
        raise SystemExit("no empty Redis database (1-15) for the Celery broker on 127.0.0.1:6379")
    try:
        yield number
    finally:
        client.flushdb()
        client.close()


@contextlib.contextmanager
def _database() -> Iterator[str]:
    name = f"pubdata_bench_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def _request(url: str, method: str = "GET", data: Any = None, token: str | None = None) -> Any:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def _wait(check: Any, what: str, timeout: float, procs: dict[str, subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = [n for n, p in procs.items() if p.poll() is not None]
        if dead:
            raise SystemExit(f"{dead} exited while waiting for {what}")
        with contextlib.suppress(OSError, ValueError):
            if check():
                return
        time.sleep(1)
    raise SystemExit(f"{what} not ready after {timeout:.0f} s")


def bench_local(
    root: Path, registry: Path, landing: Path, timeout: float, *, warm: bool, celery: bool = False
) -> Row:
    """Every dataset's run through a deployment, triggered over the REST API.

    ``warm``: with ``airflow_local_settings`` on the path (the scheduler, or the Celery worker,
    imports the pipeline before it forks its task processes); without it, each task process
    imports what it needs. ``celery``: CeleryExecutor and one worker instead of LocalExecutor.
    """
    mode = "celery" if celery else "local" if warm else "local-cold"
    home = root / mode
    airflow_home = home / "airflow"
    airflow_home.mkdir(parents=True)
    passwords = airflow_home / "passwords.json"
    password = secrets.token_urlsafe(12)
    passwords.write_text(json.dumps({ADMIN: password}))
    port = _free_port()
    dag_ids = [d.dag_id for d in load_registry(registry).datasets.values()]
    broker = _redis_db() if celery else contextlib.nullcontext(0)
    with _database() as database, broker as redis_db:
        env = _env(home, registry, landing)
        env.update(
            GX_ANALYTICS_ENABLED="false",
            AIRFLOW_HOME=str(airflow_home),
            AIRFLOW__CORE__DAGS_FOLDER=str(REPO / "dags"),
            AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM=str(SLOTS),
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{ADMIN}:admin",
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=database,
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=database.replace(
                "postgresql+psycopg", "postgresql+psycopg_async"
            ),
            AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}",
            AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(24),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(48),
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(_free_port()),
            AIRFLOW__OPENLINEAGE__NAMESPACE="pubdata",
            AIRFLOW__OPENLINEAGE__TRANSPORT=json.dumps(
                {"type": "file", "log_file_path": str(home / "events.jsonl")}
            ),
        )
        if celery:
            env.update(
                AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
                AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:6379/{redis_db}",
                AIRFLOW__CELERY__RESULT_BACKEND=f"db+{database}",
                AIRFLOW__CELERY__WORKER_CONCURRENCY=str(SLOTS),
            )
            # As docker-compose.yaml: the workers' concurrency bounds what runs; parallelism
            # (Airflow's default, 32) only bounds what the scheduler may queue. Set to the
            # workers' slots it left them idle: the executor gives a slot back only when it
            # has read the task's end from the result backend, on a later scheduler loop.
            del env["AIRFLOW__CORE__PARALLELISM"]
        if warm:
            env["PYTHONPATH"] = str(LOCAL_SETTINGS)
            env.update(TASK_RUNTIME)
        else:
            (home / "no-bytecode").mkdir()
            env["PYTHONPYCACHEPREFIX"] = str(home / "no-bytecode")
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        logs = home / "logs"
        logs.mkdir()
        subprocess.run(
            airflow_command("db", "migrate"),
            env=env,
            check=True,
            stdout=(logs / "migrate.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        procs: dict[str, subprocess.Popen[bytes]] = {}
        try:
            services: list[tuple[str, tuple[str, ...]]] = [
                ("api-server", ("api-server", "--host", "127.0.0.1", "--port", str(port))),
                ("dag-processor", ("dag-processor",)),
                ("scheduler", ("scheduler",)),
            ]
            if celery:
                worker = f"pubdata-bench-{secrets.token_hex(3)}@%h"
                services.append(
                    (
                        "celery-worker",
                        ("celery", "worker", "--concurrency", str(SLOTS), "-H", worker),
                    )
                )
            for name, args in services:
                procs[name] = subprocess.Popen(
                    airflow_command(*args),
                    env=env,
                    stdout=(logs / f"{name}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            api = f"http://127.0.0.1:{port}"
            _wait(lambda: _request(f"{api}/api/v2/monitor/health"), "api-server", 180, procs)
            token = _request(
                f"{api}/auth/token", "POST", {"username": ADMIN, "password": password}
            )["access_token"]
            for dag_id in dag_ids:
                _wait(
                    lambda d=dag_id: _request(f"{api}/api/v2/dags/{d}", token=token),
                    f"{dag_id} parsed",
                    300,
                    procs,
                )
            trees = [psutil.Process(p.pid) for p in procs.values()]
            cpu_before = [_cpu(t) for t in trees]
            started = time.monotonic()
            for dag_id in dag_ids:
                _request(f"{api}/api/v2/dags/{dag_id}", "PATCH", {"is_paused": False}, token)
                _request(
                    f"{api}/api/v2/dags/{dag_id}/dagRuns",
                    "POST",
                    {"dag_run_id": "bench", "logical_date": f"{DAY}T00:00:00Z"},
                    token,
                )

            # the states are read from the metadata DB, not over the REST API: polling N runs
            # through the API server every second would bill the bench's own requests to it
            watcher = sa.create_engine(database, poolclass=sa.pool.NullPool)

            def finished() -> bool:
                with watcher.connect() as conn:
                    done = conn.execute(
                        sa.text(
                            "SELECT count(*) FROM dag_run WHERE run_id = 'bench'"
                            " AND state IN ('success', 'failed')"
                        )
                    ).scalar_one()
                return int(done) >= len(dag_ids)

            _wait(finished, "every DAG run", timeout, procs)
            wall = time.monotonic() - started
            spent = {
                name: _cpu(t) - before
                for name, t, before in zip(procs, trees, cpu_before, strict=True)
            }
            cpu = sum(spent.values())
            print(
                f"{mode}: CPU s by process tree: "
                + ", ".join(f"{name} {seconds:.1f}" for name, seconds in spent.items()),
                file=sys.stderr,
            )
        finally:
            for proc in procs.values():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=30)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        walls = _run_walls(database, dag_ids)
    return _row(mode, len(dag_ids), len(walls), wall, walls, cpu)


def _table(rows: list[Row]) -> str:
    return render(list(asdict(rows[0])), [list(asdict(r).values()) for r in rows])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=50)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--modes", default="runner,local,local-cold,celery")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds for all runs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pubdata-bench-scheduler-"))
    try:
        registry, landing = _datasets(root / "data", args.datasets, args.rows)
        rows = []
        for mode in args.modes.split(","):
            if mode == "runner":
                rows.append(bench_runner(root, registry, landing))
            elif mode in ("local", "local-cold", "celery"):
                warm = mode != "local-cold"
                celery = mode == "celery"
                rows.append(
                    bench_local(root, registry, landing, args.timeout, warm=warm, celery=celery)
                )
            else:
                raise SystemExit(
                    f"unknown mode {mode!r}; expected runner, local, local-cold or celery"
                )
            print(_table(rows[-1:]) if args.json else _table(rows), file=sys.stderr)
        if args.json:
            print(json.dumps([asdict(r) for r in rows]))
        else:
            print(_table(rows))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"kept {root}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
