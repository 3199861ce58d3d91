"""Reads through the SQL endpoint are captured by the database, without values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from etl.audit import Action, read_events, verify_chain
from etl.serve import (
    acknowledge_reads,
    collect_reads,
    record_served_reads,
    refresh,
    sync_roles,
)
from tests.unit.serve.conftest import TOMORROW, Served, grant_line, unique


@pytest.fixture
def reader(served: Served) -> str:
    refresh(served.settings)
    bi = unique("bi")
    served.grant(grant_line(bi, "shared, open", TOMORROW), principals=(bi,))
    sync_roles(served.settings)
    return bi


def test_each_statement_reading_a_view_leaves_one_read(served: Served, reader: str) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    with served.login(f"pubdata_{reader}") as con:
        con.execute("SELECT xm FROM shared_population.people WHERE n = 0").fetchall()
        con.execute(
            "SELECT count(*) FROM open_population.people o JOIN shared_population.people s "
            "USING (xm)"
        ).fetchall()

    reads = collect_reads(served.settings)

    assert {(r.principal, r.role) for r in reads} == {(reader, f"pubdata_{reader}")}
    assert reads[0].table == "shared_population.people"
    # the join reads both views in one statement: one row each, in the plan's order
    assert sorted(r.table for r in reads[1:]) == [
        "open_population.people",
        "shared_population.people",
    ]
    assert len(reads) == 3
    assert all(r.client == "127.0.0.1" and r.at >= before for r in reads)
    assert "甲" not in repr(reads) and "丙" not in repr(reads)


def test_acknowledged_reads_are_not_collected_again(served: Served, reader: str) -> None:
    with served.login(f"pubdata_{reader}") as con:
        con.execute("SELECT * FROM shared_population.people").fetchall()
    first = collect_reads(served.settings)
    assert len(first) == 1

    assert acknowledge_reads(served.settings, first[-1].id) == 1

    assert collect_reads(served.settings) == []
    with served.login(f"pubdata_{reader}") as con:
        con.execute("SELECT * FROM open_population.people").fetchall()
    assert [r.table for r in collect_reads(served.settings)] == ["open_population.people"]


def test_an_administrators_read_is_captured_under_its_login(served: Served) -> None:
    refresh(served.settings)
    with served.admin() as con:
        con.execute("SELECT * FROM shared_population.people").fetchall()

    assert [(r.principal, r.table) for r in collect_reads(served.settings)] == [
        ("postgres:postgres", "shared_population.people")
    ]


def test_a_read_only_transaction_cannot_read_unrecorded(served: Served, reader: str) -> None:
    with served.login(f"pubdata_{reader}") as con:
        con.execute("SET default_transaction_read_only = on")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            con.execute("SELECT * FROM shared_population.people").fetchall()

    assert collect_reads(served.settings) == []


def test_served_reads_move_into_the_access_log_once(served: Served, reader: str) -> None:
    with served.login(f"pubdata_{reader}") as con:
        con.execute("SELECT xm FROM shared_population.people").fetchall()

    assert record_served_reads(served.settings) == 1
    assert record_served_reads(served.settings) == 0  # acknowledged: not recorded twice

    [logged] = read_events(served.settings)
    event = logged.event
    assert (event.principal, event.action, event.tables, event.origin) == (
        reader,
        Action.SERVE,
        ("shared.population.people",),
        "127.0.0.1",
    )
    assert verify_chain(served.settings).ok
