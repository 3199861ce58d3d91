"""The serving database: the connection, and the schemas and tables the endpoint keeps itself.

:func:`prepare` makes (idempotently) what every refresh and role sync relies on:

- ``pubdata_store``: the base tables holding the rows, and the bookkeeping tables ``served``
  (one row per served view: lake version, rows, refresh time) and ``principals`` (the roles
  the sync manages). No role has any privilege on it.
- ``pubdata_audit.reads``: one row per statement that read a served view (role, time, view,
  client address; never a value), written by ``pubdata_audit.log_read``, a ``SECURITY
  DEFINER`` function each view calls once per statement (:mod:`etl.serve.publish`). Roles may
  execute the function and nothing else there, so they cannot change or delete a row.
- ``PUBLIC`` loses ``CONNECT`` and ``TEMP`` on the database: only the roles the sync made (and
  the administrator) connect.

Every transaction that changes the structure takes one advisory lock, so a refresh and a role
sync (or two refreshes) never interleave.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from etl.errors import ConfigError, TransientError
from etl.serve.names import AUDIT_SCHEMA, STORE_SCHEMA
from etl.settings import Settings

#: ``pg_advisory_xact_lock`` key of every structural change (``hashtext('pubdata serve')``).
LOCK_KEY = 0x70756264

_PREPARE = f"""
CREATE SCHEMA IF NOT EXISTS {STORE_SCHEMA};
REVOKE ALL ON SCHEMA {STORE_SCHEMA} FROM PUBLIC;
CREATE SCHEMA IF NOT EXISTS {AUDIT_SCHEMA};
REVOKE ALL ON SCHEMA {AUDIT_SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS {STORE_SCHEMA}.served (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    base_table text NOT NULL,
    zone text NOT NULL,
    domain text NOT NULL,
    dataset text,
    lake_version bigint NOT NULL,
    row_count bigint NOT NULL,
    refreshed_at timestamptz NOT NULL,
    PRIMARY KEY (schema_name, table_name)
);
CREATE TABLE IF NOT EXISTS {STORE_SCHEMA}.principals (
    role_name text PRIMARY KEY,
    principal text NOT NULL UNIQUE,
    synced_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {AUDIT_SCHEMA}.reads (
    id bigserial PRIMARY KEY,
    role_name text NOT NULL,
    read_at timestamptz NOT NULL,
    schema_name text NOT NULL,
    table_name text NOT NULL,
    client inet,
    collected boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS reads_pending ON {AUDIT_SCHEMA}.reads (id) WHERE NOT collected;
CREATE OR REPLACE FUNCTION {AUDIT_SCHEMA}.log_read(p_schema text, p_table text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    INSERT INTO {AUDIT_SCHEMA}.reads (role_name, read_at, schema_name, table_name, client)
    VALUES (session_user, statement_timestamp(), p_schema, p_table, inet_client_addr());
    -- the server log keeps a copy the reader's ROLLBACK cannot undo
    RAISE LOG 'pubdata read: role % view %.%', session_user, p_schema, p_table;
    RETURN true;
END
$fn$;
REVOKE ALL ON FUNCTION {AUDIT_SCHEMA}.log_read(text, text) FROM PUBLIC;
"""


def connect(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    """A connection to ``PUBDATA_SERVE_URL`` (not autocommit: callers commit in blocks).

    Raises:
        ConfigError: ``PUBDATA_SERVE_URL`` is not set.
        TransientError: the server cannot be reached (the message never holds the URL).
    """
    if settings.serve_url is None:
        raise ConfigError("PUBDATA_SERVE_URL is not set: there is no SQL endpoint to serve")
    try:
        return psycopg.connect(settings.serve_url, application_name="pubdata serve")
    except psycopg.OperationalError as exc:
        # libpq's message names host, port and user, never the password
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TransientError(f"cannot connect to PUBDATA_SERVE_URL: {first}") from None


def lock(cur: psycopg.Cursor[tuple[object, ...]]) -> None:
    """Take the serving layer's structural lock until the transaction ends."""
    cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))


def prepare(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Create the store, the audit table and function, and close the database to ``PUBLIC``."""
    with conn.transaction(), conn.cursor() as cur:
        lock(cur)
        cur.execute(_PREPARE)
        database = sql.Identifier(conn.info.dbname)
        cur.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(database))
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
