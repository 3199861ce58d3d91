"""Every read through the reader API and ``pubdata sql`` leaves one access-log row, or fails."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from etl.audit import Action, read_events, verify_chain
from etl.errors import ConfigError
from etl.read import read
from etl.read.sql import query
from etl.read.trail import AccessNotRecorded, token_literals
from tests.unit.read.conftest import Lake

TOKEN = "test:" + "abcdefghijklmnopqrstuvwxyz234567"


def test_a_read_is_logged_with_its_table_columns_and_rows(lake: Lake) -> None:
    table = read("people", "shared", columns=["xm", "n"], settings=lake.settings)
    [logged] = read_events(lake.settings)
    event = logged.event
    assert event.action == Action.READ
    assert event.principal.startswith("pipeline:")
    assert event.tables == ("shared.population.people",)
    assert event.columns == ("xm", "n")
    assert event.rows == table.num_rows == 4
    assert verify_chain(lake.settings).ok


def test_a_query_is_logged_by_the_tables_it_names_never_by_its_text(lake: Lake) -> None:
    settings = replace(lake.settings, purpose="人口月报")
    sql = (
        "SELECT p.xm FROM shared.population.people p "
        f"WHERE p.xm = '{TOKEN}' OR p.xm = '甲' OR p.xm = '{TOKEN}'"
    )
    result = query(settings, sql)
    [logged] = read_events(settings)
    event = logged.event
    assert (event.action, event.tables, event.columns) == (
        Action.SQL,
        ("shared.population.people",),
        ("xm",),
    )
    assert event.rows == result.num_rows
    assert event.token_lookups == 2
    assert event.purpose == "人口月报"
    # neither the query nor a literal of it is anywhere in the log
    text = repr([e.event for e in read_events(settings)])
    assert TOKEN not in text and "甲" not in text and "WHERE" not in text


def test_a_read_the_log_cannot_record_is_not_returned(lake: Lake) -> None:
    # appends take turns on a lock under the home: a home where it cannot be taken
    locks = lake.settings.home / "locks"
    shutil.rmtree(locks, ignore_errors=True)
    locks.write_text("not a folder")
    with pytest.raises(AccessNotRecorded, match=r"could not record pipeline:.*read of shared"):
        read("people", "shared", settings=lake.settings)
    with pytest.raises(AccessNotRecorded, match="the read is not returned"):
        query(lake.settings, "SELECT count(*) FROM shared.population.people")


def test_token_literals_are_counted_not_kept() -> None:
    assert token_literals(f"select * from t where a = '{TOKEN}'") == 1
    assert token_literals("select * from t where a = 'test:short'") == 0


def test_an_attempt_the_grants_refuse_is_logged_as_refused(tmp_path: Path) -> None:
    from dataclasses import replace

    from etl.access import AccessDenied
    from tests.unit.read.test_read_access import SECRET, granted_lake

    lake = granted_lake(tmp_path)
    bi = replace(lake.settings, principal="bi_superset", principal_secret=SECRET)
    with pytest.raises(AccessDenied):
        read("licences", "shared", settings=bi)
    with pytest.raises(ConfigError, match="not granted to bi_superset"):
        query(bi, "SELECT * FROM shared.market.licences")
    # asking for more than one's own clearance request is no attempt on the grants
    with pytest.raises(AccessDenied):
        read("people", "restricted", settings=bi)
    refused = [e.event for e in read_events(bi) if e.event.action == Action.REFUSED]
    assert [(e.principal, e.tables) for e in refused] == [
        ("bi_superset", ("shared.market.licences",)),
        ("bi_superset", ("shared.market.licences",)),
    ]
