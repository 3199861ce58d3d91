"""The compose deployment's SQL endpoint: its database, its owner and the URL the tasks get."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import psycopg
import yaml

from tests.conftest import REPO
from tests.unit.serve.conftest import ADMIN, unique

COMPOSE = yaml.safe_load((REPO / "docker-compose.yaml").read_text(encoding="utf-8"))


def _init_script() -> str:
    command: str = COMPOSE["services"]["airflow-init"]["command"][1]
    start = command.index("echo \"Creating the SQL endpoint's database")
    body = command[start:].split("python - <<'EOF'\n", 1)[1]
    return body.split("\nEOF\n", 1)[0]


def test_the_tasks_get_the_serving_url_and_init_gets_its_password() -> None:
    env: dict[str, Any] = COMPOSE["x-airflow-common"]["environment"]
    assert env["PUBDATA_SERVE_URL"].startswith("postgresql://pubdata_serve:${PUBDATA_SERVE_DB_")
    assert env["PUBDATA_SERVE_URL"].endswith("@postgres/pubdata_serve")
    assert "PUBDATA_SERVE_DB_PASSWORD" in COMPOSE["services"]["airflow-init"]["environment"]
    example = (REPO / "deploy" / "env.example").read_text(encoding="utf-8")
    assert "PUBDATA_SERVE_DB_PASSWORD=CHANGE_ME" in example


def test_the_init_script_creates_the_database_and_its_owner_twice_over() -> None:
    name = unique("pubdata_serve_compose")
    script = _init_script().replace("pubdata_serve", name)
    env = {
        **os.environ,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": ADMIN.replace("postgresql", "postgresql+psycopg2"),
        "PUBDATA_SERVE_DB_PASSWORD": "0123abcd",
    }
    try:
        for _ in range(2):  # a restart of airflow-init finds both and changes nothing else
            subprocess.run([sys.executable, "-c", script], env=env, check=True, timeout=60)
        with psycopg.connect(ADMIN) as con:
            owner = con.execute(
                "SELECT r.rolname, r.rolcreaterole, r.rolcanlogin, r.rolsuper FROM pg_database d "
                "JOIN pg_roles r ON r.oid = d.datdba WHERE d.datname = %s",
                (name,),
            ).fetchone()
        assert owner == (name, True, True, False)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'DROP ROLE IF EXISTS "{name}"')
