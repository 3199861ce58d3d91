"""PostgreSQL roles from the access file's grants: the database refuses what a grant does not open.

Each principal the access file names gets the role ``pubdata_<principal>``
(:func:`etl.serve.names.role_name`). A sync (:func:`sync_roles`, ``pubdata serve roles``)
revokes everything the role held in this database and grants, in the same transaction, what its
active grants cover today: ``CONNECT``, ``USAGE`` on the schemas and ``SELECT`` on the views of
the served tables the grants cover (:func:`etl.access.decide.covers`), and ``EXECUTE`` on the
read-capture function. An expired grant therefore ends at the first sync after its last day;
a principal without an active grant keeps a role that can neither log in nor read.

**Passwords.** A named principal logs in with its own secret (``PUBDATA_PRINCIPAL_SECRET``) as
the password, over SCRAM-SHA-256, and pubdata never holds the secret: the access file's
``secret_hash`` is PBKDF2-HMAC-SHA256 of the secret, which is exactly SCRAM's *SaltedPassword*
(RFC 5802 ``Hi()``), so :func:`scram_verifier` derives the verifier PostgreSQL stores
(``SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>``) from it. The secret must be
ASCII (SCRAM's SASLprep leaves ASCII unchanged). An ``os:<login>`` principal has no secret: its
role is ``NOLOGIN`` (an administrator may ``GRANT`` it to a login role of that person).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import psycopg
from psycopg import sql

from etl.access import AccessConfig
from etl.access.decide import TableScope, covers
from etl.errors import ConfigError
from etl.local_time import today
from etl.serve.database import connect, lock, prepare
from etl.serve.grants import access_config
from etl.serve.model import RoleGrant
from etl.serve.names import AUDIT_SCHEMA, STORE_SCHEMA, role_name
from etl.settings import Settings
from etl.zones import Zone

Cursor = psycopg.Cursor[tuple[object, ...]]
_LOG_READ = sql.SQL("{}.log_read(text, text)").format(sql.Identifier(AUDIT_SCHEMA))


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_")


def scram_verifier(secret_hash: str) -> str | None:
    """The SCRAM-SHA-256 verifier of the secret whose access-file hash is ``secret_hash``.

    Returns:
        The verifier for ``ALTER ROLE ... PASSWORD``, or None for a hash that is not
        ``pbkdf2_sha256`` (the role then cannot log in).
    """
    try:
        algorithm, rounds, salt, digest = secret_hash.split("$")
        iterations, salted, salt_bytes = int(rounds), _unb64(digest), _unb64(salt)
    except ValueError:
        return None
    if algorithm != "pbkdf2_sha256" or iterations < 1 or len(salted) != 32:
        return None
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt_bytes)}${b64(stored_key)}:{b64(server_key)}"


def _served_scopes(cur: Cursor) -> list[TableScope]:
    cur.execute(
        f"SELECT schema_name, table_name, zone, domain, dataset FROM {STORE_SCHEMA}.served "
        "ORDER BY 1, 2"
    )
    return [
        TableScope(f"{s}.{t}", Zone(str(z)), str(d), None if ds is None else str(ds))
        for s, t, z, d, ds in cur.fetchall()
    ]


def _principals(config: AccessConfig, known: dict[str, str]) -> dict[str, str]:
    """Principal → role, for everyone the file names and every role made before."""
    names = {p.name for p in config.principals} | {g.principal for g in config.grants}
    found = dict(known)
    for name in sorted(names - set(known)):
        found[name] = role_name(name)
    taken: dict[str, str] = {}
    for principal, role in found.items():
        if role in taken:
            raise ConfigError(f"principals {taken[role]} and {principal} would share role {role}")
        taken[role] = principal
    return found


def sync_roles(settings: Settings) -> list[RoleGrant]:
    """Make every principal's role hold exactly what its active grants cover today.

    Returns:
        One record per role, sorted by principal.

    Raises:
        ConfigError: no ``PUBDATA_SERVE_URL``, an invalid access file, a role name clash or a
            role of that name pubdata did not make.
        PolicyError: an access file others could have written.
    """
    config, day = access_config(settings), today(settings.zone)
    results = []
    with connect(settings) as conn:
        prepare(conn)
        with conn.transaction(), conn.cursor() as cur:
            lock(cur)
            cur.execute(f"SELECT principal, role_name FROM {STORE_SCHEMA}.principals")
            known = {str(p): str(r) for p, r in cur.fetchall()}
            scopes = _served_scopes(cur)
            for principal, role in sorted(_principals(config, known).items()):
                active = [g for g in config.grants_of(principal) if g.active(day)]
                named = config.principal(principal)
                verifier = scram_verifier(named.secret_hash) if named and active else None
                _ensure_role(cur, role, principal, principal in known)
                tables = [s for s in scopes if any(covers(g, s) for g in active)]
                _set_login(cur, role, verifier)
                _revoke_all(cur, role, {s.name.split(".")[0] for s in scopes})
                _grant(cur, role, tables)
                results.append(
                    RoleGrant(principal, role, verifier is not None, tuple(t.name for t in tables))
                )
    return results


def _ensure_role(cur: Cursor, role: str, principal: str, known: bool) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
    exists = cur.fetchone() is not None
    if exists and not known:
        raise ConfigError(
            f"principal {principal}: role {role} exists but was not made by pubdata serve; "
            "drop or rename it"
        )
    if not exists:
        cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    cur.execute(
        f"INSERT INTO {STORE_SCHEMA}.principals (role_name, principal, synced_at) "
        "VALUES (%s, %s, now()) ON CONFLICT (role_name) DO UPDATE SET synced_at = now()",
        (role, principal),
    )


def _set_login(cur: Cursor, role: str, verifier: str | None) -> None:
    who = sql.Identifier(role)
    if verifier is None:
        cur.execute(sql.SQL("ALTER ROLE {} NOLOGIN PASSWORD NULL").format(who))
    else:
        cur.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(who, sql.Literal(verifier)))


def _revoke_all(cur: Cursor, role: str, schemas: set[str]) -> None:
    who = sql.Identifier(role)
    database = sql.Identifier(str(cur.connection.info.dbname))
    cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(database, who))
    cur.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM {}").format(_LOG_READ, who))
    for schema in sorted(schemas):
        name = sql.Identifier(schema)
        cur.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(name, who))
        cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(name, who))


def _grant(cur: Cursor, role: str, tables: list[TableScope]) -> None:
    if not tables:
        return
    who = sql.Identifier(role)
    database = sql.Identifier(str(cur.connection.info.dbname))
    cur.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, who))
    cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(_LOG_READ, who))
    for schema in sorted({t.name.split(".")[0] for t in tables}):
        cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), who))
    for table in tables:
        view = sql.Identifier(*table.name.split(".", 1))
        cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(view, who))
