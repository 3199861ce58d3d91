"""The sql source on SQLite (standard library): reflection, incremental intervals, queries.

The same code runs against PostgreSQL and MariaDB in tests/integration/test_sources_sql.py.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.extract import ConnectionFields, StaticConnections, extract_source
from etl.extract.sources.sql import day_interval
from etl.registry.sources import SqlSource

DAY = date(2024, 6, 1)


@pytest.fixture
def connections(tmp_path: Path) -> StaticConnections:
    path = tmp_path / "dept.db"
    # SQLite keeps timestamps as text: written as SQLAlchemy writes (and binds) them.
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE "order" (id INTEGER PRIMARY KEY, code TEXT, amount NUMERIC,
                                  updated_at TIMESTAMP, day DATE, "select" TEXT);
            INSERT INTO "order" VALUES
                (3, '0003', 30.5, '2024-06-01 23:59:59.000000', '2024-06-01', 'x'),
                (1, '0001', 10, '2024-06-01 00:00:00.000000', '2024-06-01', NULL),
                (2, '0002', 20, '2024-05-31 23:59:59.000000', '2024-05-31', ''),
                (4, '0004', 40, '2024-06-02 00:00:00.000000', '2024-06-02', 'y');
            """
        )
    fields = ConnectionFields(conn_id="dept", conn_type="sqlite", host=str(path))
    return StaticConnections({"dept": fields})


def _read(connections: StaticConnections, **spec: object) -> list[dict[str, object]]:
    source = SqlSource.model_validate({"kind": "sql", "conn_id": "dept", **spec})
    extracted = extract_source(
        source, landing=Path("/nonexistent"), logical_date=DAY, connections=connections
    )
    [fingerprint] = extracted.fingerprints
    assert fingerprint.kind == "sql"
    assert fingerprint.rows == extracted.table.num_rows
    assert "dept" in fingerprint.relative_path
    return extracted.table.to_pylist()


def test_snapshot_of_a_reserved_word_table_in_key_order(connections: StaticConnections) -> None:
    rows = _read(connections, table="order", columns=["id", "code", "select"])
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0] == {"id": "1", "code": "0001", "select": None}


def test_incremental_reads_exactly_the_interval(connections: StaticConnections) -> None:
    spec = {"table": "order", "mode": "incremental", "watermark": "updated_at"}
    rows = _read(connections, **spec)
    assert [r["code"] for r in rows] == ["0001", "0003"]
    assert _read(connections, **spec) == rows  # a re-run reads the same rows
    by_day = _read(connections, table="order", mode="incremental", watermark="day")
    assert [r["code"] for r in by_day] == ["0001", "0003"]


def test_query_with_bound_interval(connections: StaticConnections) -> None:
    query = (
        'SELECT code, amount FROM "order" WHERE updated_at >= :start AND updated_at < :end'
        " ORDER BY code"
    )
    assert _read(connections, query=query, mode="incremental") == [
        {"code": "0001", "amount": "10"},
        {"code": "0003", "amount": "30.5"},
    ]


def test_the_fingerprint_hashes_the_content(connections: StaticConnections) -> None:
    source = SqlSource(kind="sql", conn_id="dept", table="order")
    first = extract_source(source, landing=Path("/x"), logical_date=DAY, connections=connections)
    again = extract_source(source, landing=Path("/x"), logical_date=DAY, connections=connections)
    assert first.fingerprints[0].sha256 == again.fingerprints[0].sha256
    assert first.fingerprints[0].uri == "sql://dept/order"


def test_configuration_errors(connections: StaticConnections) -> None:
    with pytest.raises(ConfigError, match="table missing not found on connection 'dept'"):
        _read(connections, table="missing")
    with pytest.raises(ConfigError, match="column 'nope' not found in table order"):
        _read(connections, table="order", columns=["nope"])
    with pytest.raises(ConfigError, match="watermark column 'nope' not found"):
        _read(connections, table="order", mode="incremental", watermark="nope")
    with pytest.raises(ConfigError, match="must be a date or timestamp column"):
        _read(connections, table="order", mode="incremental", watermark="code")
    with pytest.raises(ConfigError, match="connection 'dept' is not defined"):
        _read(StaticConnections({}), table="order")


def test_day_interval_is_the_logical_date_in_the_source_zone() -> None:
    start, end = day_interval(DAY, "Asia/Shanghai")
    assert start.astimezone(UTC) == datetime(2024, 5, 31, 16, tzinfo=UTC)
    assert (end - start).days == 1


def test_naive_database_times_are_in_the_pipelines_zone_unless_the_source_says(
    connections: StaticConnections,
) -> None:
    # Airflow's interval of 1 June in Shanghai, in UTC: the database's naive times are local
    shanghai_day = (datetime(2024, 5, 31, 16, tzinfo=UTC), datetime(2024, 6, 1, 16, tzinfo=UTC))

    def codes(**spec: object) -> list[object]:
        source = SqlSource.model_validate(
            {"kind": "sql", "conn_id": "dept", "table": "order", "mode": "incremental"}
            | {"watermark": "updated_at", **spec}
        )
        table = extract_source(
            source,
            landing=Path("/nonexistent"),
            logical_date=DAY,
            interval=shanghai_day,
            connections=connections,
        ).table
        return table.column("code").to_pylist()

    assert codes() == ["0001", "0003"]
    assert codes(timezone="UTC") == ["0001", "0002"]  # a database that keeps UTC
