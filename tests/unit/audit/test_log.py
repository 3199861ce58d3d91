"""``record_access``: one hash chain in ``_meta.access_log``, kept by compaction and by two
processes appending at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.audit import AccessEvent, Action, read_events, read_log, record_access, verify_chain
from etl.audit.chain import GENESIS, row_hash
from etl.audit.log import APP_ID, head, log_uri
from etl.lake import delta
from etl.lake.maintenance import compact_table
from etl.lineage import read_meta
from etl.settings import Settings
from tests.conftest import REPO

T0 = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


def _event(rows: int = 3, **kw: object) -> AccessEvent:
    base: dict[str, object] = {
        "principal": "os:alice",
        "action": Action.SQL,
        "tables": ("shared.population.household_register",),
        "columns": ("xm", "gmsfhm_token"),
        "rows": rows,
        "purpose": "人口分布月报",
        "origin": "host-a:4242",
        "at": T0,
    }
    base.update(kw)
    return AccessEvent(**base)  # type: ignore[arg-type]


def test_appends_chain_each_row_to_the_one_before(settings: Settings) -> None:
    assert [record_access(settings, _event(rows=n)) for n in range(3)] == [1, 2, 3]
    rows = read_log(settings).to_pylist()
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[0]["prev_hash"] == GENESIS
    assert [r["prev_hash"] for r in rows[1:]] == [r["hash"] for r in rows[:-1]]
    assert all(row_hash(r) == r["hash"] for r in rows)
    assert rows[2]["tables"] == ["shared.population.household_register"]
    assert rows[2]["purpose"] == "人口分布月报" and rows[2]["at"] == T0
    report = verify_chain(settings)
    assert report.ok and report.rows == 3 and report.head_hash == rows[2]["hash"]
    # the head seq is the Delta log's application transaction
    assert delta.open_table(log_uri(settings)).transaction_version(APP_ID) == 3


def test_the_events_read_back_as_recorded(settings: Settings) -> None:
    event = _event(rows=None, token_lookups=2, action=Action.ENTITY)
    record_access(settings, event)
    (logged,) = read_events(settings)
    assert logged.seq == 1 and logged.event == event


def test_the_log_is_a_meta_table(settings: Settings) -> None:
    record_access(settings, _event())
    assert read_meta(settings.lake, "access_log").num_rows == 1


def test_an_event_needs_an_aware_time_and_a_known_action() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _event(at=datetime(2026, 12, 7, 2, 30))
    with pytest.raises(ValueError):
        _event(action="download")


def test_compaction_keeps_the_chain_and_the_head(settings: Settings) -> None:
    for n in range(12):
        record_access(settings, _event(rows=n))
    removed, added = compact_table(settings, log_uri(settings))
    assert removed == 12 and added == 1
    assert verify_chain(settings).ok
    # the head is found after the compaction commit and the chain goes on from it
    assert head(log_uri(settings))[0] == 12
    assert record_access(settings, _event()) == 13
    report = verify_chain(settings)
    assert report.ok and report.rows == 13


def test_the_head_is_found_from_the_row_when_commits_do_not_name_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(3):
        record_access(settings, _event(rows=n))
    expected = read_log(settings).to_pylist()[-1]["hash"]
    monkeypatch.setattr("etl.audit.log.HEAD_COMMITS", 0)  # as if many commits came since
    assert head(log_uri(settings)) == (3, expected)


_WRITER = """
import sys
from etl.audit import AccessEvent, record_access
from tests.conftest import make_settings
from pathlib import Path
settings = make_settings(Path(sys.argv[1]))
for n in range(50):
    record_access(settings, AccessEvent("os:" + sys.argv[2], "read", ("shared.a.b",), rows=n))
"""


@pytest.mark.slow
def test_two_processes_appending_at_once_make_one_chain(settings: Settings) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(settings.home), who], env=env, cwd=REPO
        )
        for who in ("alice", "bob")
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    report = verify_chain(settings)
    assert report.ok and report.rows == 100 and report.head_seq == 100
    events = read_events(settings)
    assert sorted(e.event.principal for e in events).count("os:alice") == 50


def test_local_writers_take_turns_on_a_lock_file_in_the_home(settings: Settings) -> None:
    record_access(settings, _event())
    assert (Path(settings.home) / "locks" / "access-log.lock").exists()


def test_of_two_writers_on_the_same_head_one_commits(settings: Settings) -> None:
    # what keeps writers on different hosts (no shared lock) on one chain
    import pyarrow as pa

    from etl.audit.log import SCHEMA, event_row

    record_access(settings, _event())
    uri = log_uri(settings)
    base_a, base_b = delta.snapshot(uri), delta.snapshot(uri)
    seq, prev = head(uri, base_a)
    rows = [
        pa.Table.from_pylist([event_row(_event(rows=n), seq + 1, prev)], SCHEMA) for n in (7, 8)
    ]
    assert delta.append_claimed(uri, rows[0], {}, (APP_ID, seq + 1), base_a)
    assert not delta.append_claimed(uri, rows[1], {}, (APP_ID, seq + 1), base_b)
    assert [r["rows"] for r in read_log(settings).to_pylist()] == [3, 7]
