"""Reads through the SQL endpoint, as the database captured them, for the access log.

pgaudit is not installed, and statement logging would put SQL text (literals: values) in the
server log, so each served view records its own reads: it calls ``pubdata_audit.log_read``
once per statement (:mod:`etl.serve.publish`), a ``SECURITY DEFINER`` function that inserts
the login role, the statement's start time, the view and the client's address into
``pubdata_audit.reads``. Roles may execute the function and touch nothing else in that schema.

What this does not see, said plainly: a statement that reads no row of a view (``LIMIT 0``)
leaves no row, which is right; a read inside a transaction the reader rolls back leaves no row
in the table (BI tools run in autocommit), but the function also writes a ``LOG`` line to the
server log, which a rollback cannot undo; a read-only transaction cannot insert the row, so
the read fails instead of going unrecorded (fail closed). Columns and row counts are not
captured: a view cannot see which columns the outer query kept.
"""

from __future__ import annotations

from datetime import UTC, datetime

from etl.audit import AccessEvent, Action, record_access
from etl.serve.database import connect, prepare
from etl.serve.model import ServedRead
from etl.serve.names import AUDIT_SCHEMA, STORE_SCHEMA
from etl.settings import Settings

#: The principal of a login no sync made (an administrator reading a view).
UNMANAGED = "postgres:"


def collect_reads(settings: Settings, *, limit: int = 10_000) -> list[ServedRead]:
    """The captured reads not acknowledged yet, oldest first.

    :func:`record_served_reads` moves them into the access log.

    Args:
        settings: ``PUBDATA_SERVE_URL``.
        limit: at most this many rows per call (call again until it returns fewer).
    """
    with connect(settings) as conn:
        prepare(conn)
        with conn.cursor() as cur:
            cur.execute(
                f"SELECT r.id, p.principal, r.role_name, r.read_at, r.schema_name, r.table_name, "
                f"host(r.client) FROM {AUDIT_SCHEMA}.reads AS r "
                f"LEFT JOIN {STORE_SCHEMA}.principals AS p ON p.role_name = r.role_name "
                "WHERE NOT r.collected ORDER BY r.id LIMIT %s",
                (limit,),
            )
            rows = cur.fetchall()
    found = []
    for id_, principal, role, at, schema, table, client in rows:
        assert isinstance(at, datetime)
        found.append(
            ServedRead(
                id=int(str(id_)),
                principal=str(principal) if principal is not None else f"{UNMANAGED}{role}",
                role=str(role),
                at=at,
                table=f"{schema}.{table}",
                client=None if client is None else str(client),
            )
        )
    return found


def acknowledge_reads(settings: Settings, up_to: int) -> int:
    """Mark every captured read with ``id <= up_to`` as recorded in the access log.

    The rows stay in ``pubdata_audit.reads`` (the database's own copy); only
    :func:`collect_reads` stops returning them.

    Returns:
        The rows marked.
    """
    with connect(settings) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute(
            f"UPDATE {AUDIT_SCHEMA}.reads SET collected = true WHERE id <= %s AND NOT collected",
            (up_to,),
        )
        return cur.rowcount


def lake_name(view: str) -> str:
    """A served view's ``pubdata sql`` name: ``shared_population.x`` → ``shared.population.x``."""
    schema, _, table = view.partition(".")
    zone, _, domain = schema.partition("_")
    return f"{zone}.{domain}.{table}"


def record_served_reads(settings: Settings, *, batch: int = 10_000) -> int:
    """Record the SQL endpoint's captured reads in the access log (``_meta.access_log``).

    Each read is acknowledged only after the access log holds it: a failure in between records
    the same reads again on the next call, never loses one.

    Returns:
        How many reads were recorded.
    """
    recorded = 0
    while True:
        reads = collect_reads(settings, limit=batch)
        for read in reads:
            event = AccessEvent(
                principal=read.principal,
                action=Action.SERVE,
                tables=(lake_name(read.table),),
                origin=read.client or f"{read.role}@local socket",
                at=read.at if read.at.tzinfo else read.at.replace(tzinfo=UTC),
            )
            record_access(settings, event)
        if reads:
            acknowledge_reads(settings, reads[-1].id)
        recorded += len(reads)
        if len(reads) < batch:
            return recorded
