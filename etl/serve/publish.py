"""Refresh the served tables: load a new copy, then swap it in, in one transaction.

For one table, in one transaction:

1. ``CREATE TABLE pubdata_store.<base>__new`` and ``COPY`` the Delta table's snapshot into
   it (:mod:`etl.serve.copy`); readers keep reading the old rows meanwhile, unblocked.
2. Drop the view and the old base table, rename the new one, create the view over it, comment
   and grant it. These take an exclusive lock on the view for the few milliseconds left; a
   query arriving then waits and reads the new rows once the transaction commits.

So a reader sees the old rows or the new rows, never part of a load, and a failed load (a
broken file, a lost connection) leaves the old rows served. Each view reads its base table
through a ``MATERIALIZED`` CTE calling ``pubdata_audit.log_read`` once per statement, so each
statement that reads the view leaves one row in ``pubdata_audit.reads`` (:mod:`etl.serve.reads`).
A table whose Delta version is the one served is left as it is (``unchanged``) unless forced.
A full refresh also withdraws (drops) every view no longer served: a dataset found IMP or removed
from the registry, restricted tables once ``PUBDATA_SERVE_RESTRICTED`` is off.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping

import psycopg
import pyarrow as pa
from psycopg import sql

from etl.errors import ConfigError
from etl.integrate import load_domains
from etl.lake import delta
from etl.local_time import today
from etl.registry import Registry, load_registry
from etl.serve.copy import column_definitions, copy_batches
from etl.serve.database import connect, lock, prepare
from etl.serve.docs import column_comments, table_comment
from etl.serve.grants import access_config, readers
from etl.serve.model import ServedTable, TableRefresh
from etl.serve.names import AUDIT_SCHEMA, STORE_SCHEMA, loading_table
from etl.serve.sources import served_tables
from etl.settings import Settings
from etl.zones import TITLES

log = logging.getLogger(__name__)

Cursor = psycopg.Cursor[tuple[object, ...]]


def _selected(tables: list[ServedTable], dataset: str | None) -> list[ServedTable]:
    if dataset is None:
        return tables
    chosen = [t for t in tables if (t.dataset or t.name) == dataset]
    if not chosen:
        raise ConfigError(f"dataset {dataset}: no served table (not registered, or not served)")
    return chosen


def refresh(
    settings: Settings,
    *,
    dataset: str | None = None,
    force: bool = False,
    registry: Registry | None = None,
) -> list[TableRefresh]:
    """Bring every served table (or one dataset's) up to its lake table's latest version.

    Args:
        settings: ``PUBDATA_SERVE_URL``, the lake and the access file.
        dataset: only this dataset's tables (or this integrated repository's).
        force: reload a table even when its lake version is the one served.
        registry: the loaded registry (None: load ``settings.registry``).

    Returns:
        One record per table considered, in order.

    Raises:
        ConfigError: no serving URL, an unknown dataset, a column type not served.
        TransientError: the database cannot be reached.
    """
    registry = registry or load_registry(settings.registry)
    tables = _selected(served_tables(settings, registry), dataset)
    domains = load_domains(registry).domains
    config, day = access_config(settings), today(settings.zone)
    results = []
    with connect(settings) as conn:
        prepare(conn)
        roles = managed_roles(conn)
        for table in tables:
            allowed = sorted(roles[p] for p in readers(config, table.scope(), day) if p in roles)
            results.append(
                refresh_table(conn, table, settings, registry, domains, allowed, force=force)
            )
        if dataset is None:
            results += withdraw_others(conn, {(t.schema, t.name) for t in tables})
    return results


def withdraw_others(
    conn: psycopg.Connection[tuple[object, ...]], kept: set[tuple[str, str]]
) -> list[TableRefresh]:
    """Drop every served view (and its base table) that is not in ``kept``."""
    withdrawn = []
    with conn.transaction(), conn.cursor() as cur:
        lock(cur)
        cur.execute(f"SELECT schema_name, table_name, base_table FROM {STORE_SCHEMA}.served")
        for schema, name, base in cur.fetchall():
            if (schema, name) in kept:
                continue
            cur.execute(
                sql.SQL("DROP VIEW IF EXISTS {}").format(sql.Identifier(str(schema), str(name)))
            )
            cur.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(STORE_SCHEMA, str(base)))
            )
            cur.execute(
                f"DELETE FROM {STORE_SCHEMA}.served WHERE schema_name = %s AND table_name = %s",
                (schema, name),
            )
            log.info("withdrew %s.%s: no longer served", schema, name)
            withdrawn.append(TableRefresh(f"{schema}.{name}", "withdrawn"))
    return withdrawn


def managed_roles(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, str]:
    """Principal → role of every role the sync made (:mod:`etl.serve.roles`)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT principal, role_name FROM {STORE_SCHEMA}.principals")
        found = {str(p): str(r) for p, r in cur.fetchall()}
    conn.commit()
    return found


def _served_version(conn: psycopg.Connection[tuple[object, ...]], t: ServedTable) -> int | None:
    with conn.cursor() as cur:
        cur.execute(
            f"SELECT lake_version FROM {STORE_SCHEMA}.served "
            "WHERE schema_name = %s AND table_name = %s",
            (t.schema, t.name),
        )
        row = cur.fetchone()
    conn.commit()
    return int(str(row[0])) if row else None


def refresh_table(
    conn: psycopg.Connection[tuple[object, ...]],
    table: ServedTable,
    settings: Settings,
    registry: Registry,
    domains: Mapping[str, object],
    roles: list[str],
    *,
    force: bool = False,
) -> TableRefresh:
    """Refresh one served table from its lake table (see the module's docstring)."""
    if not delta.table_exists(table.uri):
        return TableRefresh(table.qualified, "missing")
    snapshot = delta.open_table(table.uri)
    version = int(snapshot.version())
    if not force and _served_version(conn, table) == version:
        return TableRefresh(table.qualified, "unchanged", lake_version=version)
    source = delta.snapshot_dataset(snapshot, table.uri)
    schema = source.schema
    comments = column_comments(table, schema, registry, domains)  # type: ignore[arg-type]
    started = time.perf_counter()
    rows = load_and_swap(
        conn,
        table,
        schema,
        source.to_batches(batch_size=settings.batch_rows),
        comment=table_comment(table, settings.lake),
        column_comments=comments,
        roles=roles,
        lake_version=version,
    )
    seconds = time.perf_counter() - started
    log.info(
        "served %s: %s rows of lake version %s in %.1f s", table.qualified, rows, version, seconds
    )
    return TableRefresh(table.qualified, "refreshed", rows, version, round(seconds, 3))


def load_and_swap(
    conn: psycopg.Connection[tuple[object, ...]],
    table: ServedTable,
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    *,
    comment: str,
    column_comments: Mapping[str, str],
    roles: list[str],
    lake_version: int,
) -> int:
    """Load ``batches`` into a new base table and swap it in under the view, atomically.

    Args:
        conn: the serving database (no transaction open).
        table: the served table.
        schema: the rows' columns (the view's, in order).
        batches: the rows.
        comment: the view's comment.
        column_comments: per column, its comment.
        roles: the roles granted SELECT on the view (and USAGE on its schema).
        lake_version: the Delta version the rows are, recorded in ``pubdata_store.served``.

    Returns:
        The rows now served.
    """
    store = sql.Identifier(STORE_SCHEMA)
    new = sql.Identifier(STORE_SCHEMA, loading_table(table.base))
    with conn.transaction(), conn.cursor() as cur:
        # one refresh or role sync at a time; readers are not blocked until the swap below
        lock(cur)
        cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(new))
        columns = column_definitions(schema, table.qualified)
        cur.execute(sql.SQL("CREATE TABLE {} ({})").format(new, columns))
        rows = copy_batches(cur, new, schema, batches)
        cur.execute(sql.SQL("ANALYZE {}").format(new))
        # the swap: from here on, readers of this view wait for the commit
        _ensure_schema(cur, table)
        view = sql.Identifier(table.schema, table.name)
        view_schema = sql.Identifier(table.schema)
        cur.execute(sql.SQL("DROP VIEW IF EXISTS {}").format(view))
        cur.execute(
            sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(STORE_SCHEMA, table.base))
        )
        cur.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(new, sql.Identifier(table.base)))
        cur.execute(_view_sql(table, schema, store))
        _describe(cur, view, comment, column_comments)
        for role in roles:
            who = sql.Identifier(role)
            cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(view_schema, who))
            cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(view, who))
        _record(cur, table, rows, lake_version)
    return rows


def _ensure_schema(cur: Cursor, table: ServedTable) -> None:
    schema = sql.Identifier(table.schema)
    cur.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema))
    cur.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))
    words = f"pubdata {TITLES[table.zone]} ({table.zone}) · {table.domain}"
    cur.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(schema, sql.Literal(words)))


def _view_sql(table: ServedTable, schema: pa.Schema, store: sql.Identifier) -> sql.Composed:
    # The MATERIALIZED CTE runs once per statement; joining it keeps the planner from
    # skipping it, so no statement reads rows without leaving its audit row first.
    columns = sql.SQL(", ").join(sql.Identifier("t", name) for name in schema.names)
    return sql.SQL(
        "CREATE VIEW {view} AS WITH audit AS MATERIALIZED "
        "(SELECT {log}({schema}, {name}) AS logged) "
        "SELECT {columns} FROM {base} AS t, audit WHERE audit.logged"
    ).format(
        view=sql.Identifier(table.schema, table.name),
        log=sql.Identifier(AUDIT_SCHEMA, "log_read"),
        schema=sql.Literal(table.schema),
        name=sql.Literal(table.name),
        columns=columns,
        base=sql.SQL("{}.{}").format(store, sql.Identifier(table.base)),
    )


def _describe(cur: Cursor, view: sql.Identifier, comment: str, columns: Mapping[str, str]) -> None:
    cur.execute(sql.SQL("COMMENT ON VIEW {} IS {}").format(view, sql.Literal(comment)))
    for name, text in columns.items():
        target = sql.SQL("{}.{}").format(view, sql.Identifier(name))
        cur.execute(sql.SQL("COMMENT ON COLUMN {} IS {}").format(target, sql.Literal(text)))


def _record(cur: Cursor, table: ServedTable, rows: int, lake_version: int) -> None:
    cur.execute(
        f"INSERT INTO {STORE_SCHEMA}.served (schema_name, table_name, base_table, zone, domain, "
        "dataset, lake_version, row_count, refreshed_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, now()) "
        "ON CONFLICT (schema_name, table_name) DO UPDATE SET base_table = EXCLUDED.base_table, "
        "lake_version = EXCLUDED.lake_version, row_count = EXCLUDED.row_count, "
        "refreshed_at = EXCLUDED.refreshed_at",
        (
            table.schema,
            table.name,
            table.base,
            str(table.zone),
            table.domain,
            table.dataset,
            lake_version,
            rows,
        ),
    )
