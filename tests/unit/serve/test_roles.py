"""Roles from grants: the database itself refuses what a principal was not granted."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace

import psycopg
import pytest

from etl.errors import ConfigError
from etl.serve import refresh, serve_status, sync_roles
from etl.serve.roles import scram_verifier
from tests.unit.serve.conftest import TOMORROW, YESTERDAY, Served, grant_line, unique

DENIED = psycopg.errors.InsufficientPrivilege


@pytest.fixture
def restricted(served: Served) -> Served:
    """The lake served with its restricted zone too."""
    served.settings = replace(served.settings, serve_restricted=True)
    refresh(served.settings)
    return served


def test_a_role_reads_its_granted_tables_and_nothing_else(restricted: Served) -> None:
    bi, other = unique("bi"), unique("open")
    restricted.grant(
        grant_line(bi, "shared", TOMORROW, ", domains: [population]"),
        grant_line(other, "open", TOMORROW),
        principals=(bi, other),
    )

    synced = {g.principal: g for g in sync_roles(restricted.settings)}

    assert synced[bi].tables == ("shared_population.people",)
    assert synced[bi].login and synced[bi].role == f"pubdata_{bi}"
    assert synced[other].tables == ("open_population.people",)
    with restricted.login(f"pubdata_{bi}") as con:
        assert con.execute("SELECT count(*) FROM shared_population.people").fetchone() == (3,)
        for refused in (
            "SELECT * FROM open_population.people",
            "SELECT * FROM restricted_population.people",
            "SELECT * FROM pubdata_store.restricted_population__people",
            "SELECT * FROM pubdata_store.shared_population__people",
            "SELECT * FROM pubdata_audit.reads",
            "DELETE FROM pubdata_audit.reads",
            "INSERT INTO pubdata_audit.reads (role_name, read_at, schema_name, table_name) "
            "VALUES ('x', now(), 'a', 'b')",
        ):
            with pytest.raises(DENIED):
                con.execute(refused)
    with restricted.login(f"pubdata_{other}") as con:
        with pytest.raises(DENIED):
            con.execute("SELECT * FROM shared_population.people")
        assert con.execute("SELECT count(*) FROM open_population.people").fetchone() == (3,)
    status = {s.table: s.readers for s in serve_status(restricted.settings)}
    assert status["shared_population.people"] == (f"pubdata_{bi}",)
    assert status["restricted_population.people"] == ()


def test_a_restricted_grant_opens_the_restricted_schema(restricted: Served) -> None:
    analyst = unique("analyst")
    restricted.grant(
        grant_line(analyst, "restricted", TOMORROW, ", datasets: [people]"), principals=(analyst,)
    )
    sync_roles(restricted.settings)

    with restricted.login(f"pubdata_{analyst}") as con:
        got = con.execute("SELECT count(*) FROM restricted_population.people").fetchone()
        assert got == (3,)
        with pytest.raises(DENIED):
            con.execute("SELECT * FROM shared_population.people")


def test_an_expired_grant_is_revoked_on_the_next_sync(restricted: Served) -> None:
    bi = unique("bi")
    restricted.grant(grant_line(bi, "shared", TOMORROW), principals=(bi,))
    sync_roles(restricted.settings)
    with restricted.login(f"pubdata_{bi}") as con:
        assert con.execute("SELECT count(*) FROM shared_population.people").fetchone() == (3,)

    restricted.grant(grant_line(bi, "shared", YESTERDAY), principals=(bi,))
    synced = sync_roles(restricted.settings)

    assert [(g.principal, g.login, g.tables) for g in synced] == [(bi, False, ())]
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        restricted.login(f"pubdata_{bi}")
    with restricted.admin() as con:
        con.execute(f'SET ROLE "pubdata_{bi}"')
        with pytest.raises(DENIED):
            con.execute("SELECT * FROM shared_population.people")


def test_a_refresh_keeps_the_grants_of_the_view_it_replaces(restricted: Served) -> None:
    bi = unique("bi")
    restricted.grant(grant_line(bi, "shared", TOMORROW), principals=(bi,))
    sync_roles(restricted.settings)

    refresh(restricted.settings, force=True)

    with restricted.login(f"pubdata_{bi}") as con:
        assert con.execute("SELECT count(*) FROM shared_population.people").fetchone() == (3,)


def test_public_and_unmanaged_roles_cannot_connect(restricted: Served) -> None:
    stranger = unique("stranger")
    with restricted.admin() as con:
        con.execute(f'CREATE ROLE "{stranger}" LOGIN')
    try:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            restricted.login(stranger)
        with restricted.admin() as con:
            public = con.execute(
                "SELECT n.nspname FROM pg_namespace n, aclexplode(n.nspacl) a "
                "WHERE a.grantee = 0 AND (n.nspname LIKE 'pubdata%%' OR n.nspname LIKE "
                "'shared%%' OR n.nspname LIKE 'open%%' OR n.nspname LIKE 'restricted%%')"
            ).fetchall()
        assert public == []
    finally:
        with restricted.admin() as con:
            con.execute(f'DROP ROLE "{stranger}"')


def test_an_os_principal_gets_a_role_that_cannot_log_in(restricted: Served) -> None:
    login = unique("alice")
    restricted.grant(grant_line(f"os:{login}", "open", TOMORROW))

    synced = sync_roles(restricted.settings)

    assert [(g.role, g.login, g.tables) for g in synced] == [
        (f"pubdata_os_{login}", False, ("open_population.people",))
    ]


def test_a_role_pubdata_did_not_make_is_not_taken_over(restricted: Served) -> None:
    bi = unique("bi")
    with restricted.admin() as con:
        con.execute(f'CREATE ROLE "pubdata_{bi}"')
    try:
        restricted.grant(grant_line(bi, "shared", TOMORROW), principals=(bi,))
        with pytest.raises(ConfigError, match=f"role pubdata_{bi} exists but was not made"):
            sync_roles(restricted.settings)
    finally:
        with restricted.admin() as con:
            con.execute(f'DROP ROLE "pubdata_{bi}"')


def test_the_scram_verifier_is_the_one_postgresql_makes_from_the_secret(served: Served) -> None:
    role, secret = unique("scram"), "s3cret-Secret_42"
    with served.admin() as con:
        con.execute("SET password_encryption = 'scram-sha-256'")
        con.execute(f"CREATE ROLE \"{role}\" PASSWORD '{secret}'")
        try:
            stored = con.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)
            ).fetchone()
        finally:
            con.execute(f'DROP ROLE "{role}"')
    assert stored is not None
    made_by_postgres = str(stored[0])
    iterations, salt = made_by_postgres.split("$")[1].split(":")
    salt_bytes = base64.b64decode(salt)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode(), salt_bytes, int(iterations))

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw, altchars=b"-_").decode().rstrip("=")

    secret_hash = f"pbkdf2_sha256${iterations}${b64(salt_bytes)}${b64(digest)}"
    assert scram_verifier(secret_hash) == made_by_postgres
    assert scram_verifier("bcrypt$x") is None
