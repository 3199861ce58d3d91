"""A real PostgreSQL database per test (127.0.0.1:5432, user postgres, trust) and a tiny lake.

Roles are global to the server, so each test's principals carry a random suffix and the
fixture drops the roles its database's sync made after dropping the database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from etl.access.config import write_access
from etl.access.secrets import hash_secret
from etl.lake import delta, zone_table_uri
from etl.settings import Settings
from tests.conftest import make_settings
from tests.unit.read.conftest import D1, D2, rows

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATASET = """\
id: people
title: 人口 people
department: public_security
department_title: 公安局
domain: population
source: {kind: file, format: csv, path: "ps/{ds}.csv"}
open: true
columns:
  xm: {title: 姓名, description: 登记的姓名}
  n: {type: int64, title: 序号}
"""


@dataclass
class Served:
    settings: Settings
    url: str
    database: str

    def login(self, role: str) -> psycopg.Connection[tuple[object, ...]]:
        """A real login as ``role`` (trust auth on 127.0.0.1), autocommit."""
        return psycopg.connect(
            f"postgresql://{role}@127.0.0.1:5432/{self.database}", autocommit=True
        )

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url, autocommit=True)

    def grant(self, *grants: str, principals: tuple[str, ...] = ()) -> None:
        """Write the access file: named ``principals`` (secret = name) and ``grants`` lines."""
        text = ["principals:" if principals else "principals: []"] + [
            f"  - name: {p}\n    secret_hash: {hash_secret(p, iterations=1000)}" for p in principals
        ]
        text += ["grants:", *grants] if grants else ["grants: []"]
        write_access(self.settings.access_file, "\n".join(text) + "\n")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def grant_line(principal: str, zones: str, expires: date, extra: str = "") -> str:
    return f"  - {{principal: {principal}, zones: [{zones}], expires: {expires}{extra}}}"


TOMORROW = date.today() + timedelta(days=30)
YESTERDAY = date.today() - timedelta(days=1)


@contextmanager
def serving_database() -> Iterator[tuple[str, str]]:
    """A new database (name, URL), dropped afterwards with the roles its syncs made."""
    name = unique("pubdata_serve_test")
    with psycopg.connect(ADMIN, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        roles: list[str] = []
        try:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as con:
                roles = [
                    r for (r,) in con.execute("SELECT role_name FROM pubdata_store.principals")
                ]
        except psycopg.errors.UndefinedTable:
            roles = []  # the test never synced roles: there are none to drop
        with psycopg.connect(ADMIN, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in roles:
                con.execute(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture
def database() -> Iterator[tuple[str, str]]:
    with serving_database() as found:
        yield found


def lake_settings(tmp_path: Path, url: str, **env: str) -> Settings:
    registry = tmp_path / "registry"
    registry.mkdir(exist_ok=True)
    (registry / "people.yaml").write_text(DATASET, encoding="utf-8")
    settings = make_settings(tmp_path / "home", PUBDATA_REGISTRY=str(registry), **env)
    for zone in ("restricted", "shared", "open"):
        uri = zone_table_uri(settings.lake, zone, "population", "people")
        delta.replace_partition(uri, rows(["甲", "乙"], D1, "r1"), D1, {})
        delta.replace_partition(uri, rows(["丙"], D2, "r2"), D2, {})
    settings.home.mkdir(parents=True, exist_ok=True)
    return replace(settings, serve_url=url)


@pytest.fixture
def served(tmp_path: Path, database: tuple[str, str]) -> Served:
    """The lake (people: restricted, shared, open; 3 rows each) and an empty serving database."""
    name, url = database
    return Served(lake_settings(tmp_path, url), url, name)
