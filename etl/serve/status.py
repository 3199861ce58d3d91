"""What the endpoint serves now: each view, its rows, the lake version and who may read it."""

from __future__ import annotations

from datetime import datetime

from etl.serve.database import connect, prepare
from etl.serve.model import TableStatus
from etl.serve.names import STORE_SCHEMA
from etl.settings import Settings


def serve_status(settings: Settings) -> list[TableStatus]:
    """Every served table, sorted by ``schema.name``, with the roles granted SELECT on it."""
    with connect(settings) as conn:
        prepare(conn)
        with conn.cursor() as cur:
            cur.execute(
                "SELECT s.schema_name, s.table_name, s.zone, s.dataset, s.row_count, "
                "s.lake_version, s.refreshed_at, "
                "ARRAY(SELECT g.grantee::text FROM information_schema.role_table_grants AS g "
                "WHERE g.table_schema = s.schema_name AND g.table_name = s.table_name "
                "AND g.privilege_type = 'SELECT' AND g.grantee <> current_user ORDER BY 1) "
                f"FROM {STORE_SCHEMA}.served AS s ORDER BY 1, 2"
            )
            rows = cur.fetchall()
    found = []
    for schema, table, zone, dataset, count, version, at, roles in rows:
        assert isinstance(at, datetime) and isinstance(roles, list)
        found.append(
            TableStatus(
                table=f"{schema}.{table}",
                zone=str(zone),
                dataset=None if dataset is None else str(dataset),
                rows=int(str(count)),
                lake_version=int(str(version)),
                refreshed_at=at,
                readers=tuple(str(r) for r in roles),
            )
        )
    return found
