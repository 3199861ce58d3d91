"""Credentials and personal values stay where they belong, with every secret configured.

One small register of persons (names, ID numbers, mobiles) is read from a PostgreSQL database
this module creates, through a connection stored in the Airflow metadata DB with a password,
by ``pubdata run`` with a token key configured (``PUBDATA_TOKEN_KEY``). Afterwards:

* the credentials (token key, database password, Airflow's Fernet key) appear in no file under
  ``PUBDATA_HOME`` (task and CLI logs, OpenLineage events, staging, the lake's data and logs,
  the metadata DB's bytes), the Fernet key's own configuration file aside;
* the stored connection's password is a Fernet token under the deployment's key, not the text;
* the raw personal values appear nowhere but the restricted zone and the run's Arrow staging
  tables: not in the logs, the metadata DB (XCom, rendered fields, every other table), the
  OpenLineage events, the other staging files, nor the shared zone and ``_meta`` (data and
  Delta logs), and those Arrow tables and the staging folders are the pipeline's OS user's
  alone (0600/0700).

The searches are those of test_leak_scan. One run, about 30 s of Airflow start-up.
"""

from __future__ import annotations

import base64
import configparser
import json
import stat
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from etl.lake import delta
from etl.runtime.airflow_env import airflow_command, airflow_environment, ensure_airflow_db
from tests.integration.conftest import Cli, cli_for
from tests.integration.test_leak_scan import (
    cells_of,
    collect_secrets,
    delta_tables,
    lines_of,
    metadata_db_lines,
    report,
    search,
    staging_lines,
)

pytestmark = pytest.mark.integration

DAY = "2024-06-01"
PASSWORD = f"pw-{uuid.uuid4().hex}"
TOKEN_SECRET = base64.b64encode(uuid.uuid4().bytes + uuid.uuid4().bytes).decode()
ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
REGISTRY = """
id: people
title: 人口登记 (persons from a department database)
department: civil_affairs
domain: population
source: {kind: sql, conn_id: people_db, table: people}
"""


def id_number(i: int) -> str:
    """A well-formed 18-digit resident ID number (check digit included)."""
    body = f"110105{1950 + i % 50}{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 997:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


PEOPLE = [
    (i, SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)], id_number(i), f"139{i * 7919:08d}")
    for i in range(1, 121)
]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A throw-away database with a ``people`` table and a reader role that has a password."""
    name = f"pubdata_secrets_{uuid.uuid4().hex[:10]}"
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    engine = sa.create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE people (id integer, xm text, sfzh text, sjhm text)")
            conn.execute(
                sa.text("INSERT INTO people VALUES (:i, :x, :s, :m)"),
                [dict(zip("ixsm", row, strict=True)) for row in PEOPLE],
            )
            conn.exec_driver_sql(f"GRANT SELECT ON people TO {role}")
        engine.dispose()
        yield f"postgresql://{role}:{PASSWORD}@127.0.0.1:5432/{name}"
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()


@dataclass(frozen=True)
class Run:
    cli: Cli
    summary: dict[str, Any]
    output: str
    fernet_key: str
    personal: dict[str, str]

    @property
    def home(self) -> Path:
        return self.cli.settings.home

    @property
    def credentials(self) -> dict[str, str]:
        return {
            TOKEN_SECRET: "the token key",
            PASSWORD: "the database password",
            self.fernet_key: "the Fernet key",
        }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, database: str) -> Run:
    root = tmp_path_factory.mktemp("secrets")
    (root / "registry").mkdir()
    (root / "registry" / "people.yaml").write_text(REGISTRY.lstrip(), encoding="utf-8")
    cli = cli_for(
        root / "home",
        PUBDATA_REGISTRY=str(root / "registry"),
        PUBDATA_LANDING=str(root / "landing"),
        PUBDATA_EXPECTATIONS=str(root / "expectations"),
        PUBDATA_TOKEN_KEY=f"secrets:{TOKEN_SECRET}",
    )
    env = airflow_environment(cli.settings, base=cli.env)
    # migrated as pubdata run migrates (its log folder), so that the connection can be stored first
    ensure_airflow_db(cli.settings, env, cli.settings.home / "logs" / "cli" / "airflow-db.log")
    added = subprocess.run(
        airflow_command("connections", "add", "people_db", "--conn-uri", database),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr[-2000:]
    done = cli("run", "people", "--date", DAY, "--json", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["status"] == "success" and summary["rows_loaded"] == len(PEOPLE)
    config = configparser.ConfigParser(interpolation=None)
    config.read(cli.settings.airflow_home / "airflow.cfg")
    fernet_key = config.get("core", "fernet_key")
    assert len(fernet_key) == 44  # a generated key, not an empty one (plain-text connections)
    personal = collect_secrets(cli, {"people": "population"}, minimum=len(PEOPLE) * 2)
    return Run(cli, summary, done.stdout + done.stderr, fernet_key, personal)


def test_the_register_is_graded_personal_and_kept_out_of_shared(run: Run) -> None:
    where = set(run.personal.values())
    assert {"people.xm", "people.sfzh", "people.sjhm"} <= where
    assert set(run.summary["tables"]) == {"restricted", "shared"}
    _, name, number, mobile = PEOPLE[7]
    planted = [f'{{"note": "{name}"}}', f"id={number}", f"<td>{mobile}</td>"]
    assert search(planted, run.personal) == {"people.xm": 1, "people.sfzh": 1, "people.sjhm": 1}


def test_no_credential_in_any_file_of_the_home(run: Run) -> None:
    config = run.cli.settings.airflow_home / "airflow.cfg"  # where the Fernet key is configured
    files = [p for p in sorted(run.home.rglob("*")) if p.is_file() and p != config]
    assert len(files) > 20
    found = {}
    for path in files:
        data = path.read_bytes()
        for secret, what in run.credentials.items():
            if secret.encode() in data:
                found[str(path.relative_to(run.home))] = what
    assert not found, f"credentials in files: {found}"
    assert not any(secret in run.output for secret in run.credentials), "in pubdata's output"


def test_the_stored_password_is_a_fernet_token_under_the_deployments_key(run: Run) -> None:
    rows = metadata_db_lines(run.home / "airflow" / "airflow.db")["connection"]
    assert PASSWORD not in rows
    token = next(cell for cell in rows if cell.startswith("gAAAAA"))  # Fernet's version byte
    assert Fernet(run.fernet_key.encode()).decrypt(token.encode()).decode() == PASSWORD


def test_no_personal_value_in_logs_lineage_events_or_pubdatas_output(run: Run) -> None:
    events = run.home / "openlineage" / "events.jsonl"
    assert events.is_file() and events.stat().st_size > 0
    places = {
        "OpenLineage events": lines_of([events]),
        "Airflow task logs": lines_of(sorted((run.home / "airflow" / "logs").rglob("*"))),
        "CLI logs": lines_of(sorted((run.home / "logs").rglob("*"))),
        "invocation records": lines_of(sorted((run.home / "invocations").rglob("*"))),
        "pubdata run output": run.output.splitlines(),
    }
    assert places["CLI logs"]  # the runner's Airflow output
    for place, lines in places.items():
        hits = search(lines, run.personal)
        assert not hits, f"{place}: {report(hits)}"


def test_no_personal_value_in_the_airflow_metadata_db(run: Run) -> None:
    tables = metadata_db_lines(run.home / "airflow" / "airflow.db")
    assert tables["xcom"] and tables["connection"]
    for table, lines in tables.items():
        hits = search(lines, run.personal)
        assert not hits, f"airflow.db {table}: {report(hits)}"


def test_no_personal_value_in_the_lake_outside_the_restricted_zone(run: Run) -> None:
    lake = Path(run.cli.settings.lake)
    tables = [*delta_tables(lake / "shared"), *delta_tables(lake / "_meta")]
    assert len(tables) >= 5
    for path in tables:
        hits = search(list(cells_of(delta.read(str(path)))), run.personal)
        assert not hits, f"{path.relative_to(lake)}: {report(hits)}"
        commits = search(lines_of(sorted((path / "_delta_log").iterdir())), run.personal)
        assert not commits, f"{path.relative_to(lake)} Delta log: {report(commits)}"


def test_no_personal_value_in_staging_outside_the_run_data(run: Run) -> None:
    hits = search(staging_lines(run.home), run.personal)
    assert not hits, f"staging: {report(hits)}"


def test_staged_run_data_is_private_to_the_pipeline_user(run: Run) -> None:
    staging = run.home / "staging"
    private = [staging, *staging.rglob("*")]
    private = [p for p in private if p.is_dir() or p.suffix == ".arrow"]  # JSON: value-free
    assert any(p.suffix == ".arrow" for p in private)
    for path in private:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, f"{path.relative_to(run.home)} is {oct(mode)}"
