"""``verify_chain``: a row changed, removed, inserted or reordered, by rewriting the Delta
table with pyarrow as someone with write access to the lake could, is found and named by its
seq; never by a value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from etl.audit import AccessEvent, record_access, verify_chain
from etl.audit.chain import row_hash
from etl.audit.log import SCHEMA, event_row, log_uri, read_log
from etl.lake import delta
from etl.settings import Settings

T0 = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
Rows = list[dict[str, Any]]


@pytest.fixture
def logged(settings: Settings) -> Settings:
    for n in range(6):
        event = AccessEvent(
            "os:alice",
            "sql",
            ("shared.population.hh",),
            ("xm",),
            rows=10 + n,
            origin="host:1",
            at=T0 + timedelta(minutes=n),
        )
        record_access(settings, event)
    return settings


def _rewrite(settings: Settings, change: Callable[[Rows], Rows]) -> None:
    rows = change(read_log(settings).to_pylist())
    write_deltalake(log_uri(settings), pa.Table.from_pylist(rows, schema=SCHEMA), mode="overwrite")


def test_an_untouched_log_verifies(logged: Settings) -> None:
    report = verify_chain(logged)
    assert report.ok and report.rows == 6 and report.head_seq == 6
    assert report.problem is None


def test_an_empty_log_verifies(settings: Settings) -> None:
    report = verify_chain(settings)
    assert report.ok and report.rows == 0 and report.head_seq == 0


def test_a_changed_row_count_is_found(logged: Settings) -> None:
    def change(rows: Rows) -> Rows:
        rows[2]["rows"] = 1  # seq 3 claims fewer rows were read
        return rows

    _rewrite(logged, change)
    report = verify_chain(logged)
    assert not report.ok and report.broken_seq == 3
    assert report.problem == "seq 3 was changed after it was recorded"


def test_a_changed_row_with_a_recomputed_hash_breaks_the_next_one(logged: Settings) -> None:
    def change(rows: Rows) -> Rows:
        rows[2]["principal"] = "os:bob"
        rows[2]["hash"] = row_hash(rows[2])
        return rows

    _rewrite(logged, change)
    assert verify_chain(logged).broken_seq == 4


def test_a_deleted_row_is_found(logged: Settings) -> None:
    _rewrite(logged, lambda rows: rows[:3] + rows[4:])
    report = verify_chain(logged)
    assert report.broken_seq == 4 and report.problem == "seq 4 is missing"


def test_a_deleted_last_row_is_found(logged: Settings) -> None:
    _rewrite(logged, lambda rows: rows[:-1])
    report = verify_chain(logged)
    assert report.broken_seq == 6 and "missing" in (report.problem or "")


def test_an_inserted_row_is_found(logged: Settings) -> None:
    def insert(rows: Rows) -> Rows:
        # a well-formed row chained onto seq 2, the later rows renumbered after it
        fake = event_row(AccessEvent("os:bob", "sql", rows=1, at=T0), 3, rows[1]["hash"])
        later = [{**r, "seq": r["seq"] + 1} for r in rows[2:]]
        return [*rows[:2], fake, *later]

    _rewrite(logged, insert)
    report = verify_chain(logged)
    assert report.broken_seq == 4  # the old seq 3 no longer follows its predecessor


def test_a_row_forged_onto_the_end_is_found(logged: Settings) -> None:
    def append(rows: Rows) -> Rows:
        return [*rows, event_row(AccessEvent("os:bob", "sql", rows=1, at=T0), 7, rows[-1]["hash"])]

    _rewrite(logged, append)
    report = verify_chain(logged)
    assert report.broken_seq == 7 and report.problem == "seq 7 was added outside the log"


def test_a_doubled_seq_is_found(logged: Settings) -> None:
    _rewrite(logged, lambda rows: [*rows[:3], rows[2], *rows[3:]])
    assert verify_chain(logged).broken_seq == 3


def test_reordered_rows_are_found(logged: Settings) -> None:
    def swap(rows: Rows) -> Rows:
        # rows 2 and 3 change places, each keeping the seq of its new place
        a, b = rows[1], rows[2]
        rows[1] = {**b, "seq": 2}
        rows[2] = {**a, "seq": 3}
        return rows

    _rewrite(logged, swap)
    assert verify_chain(logged).broken_seq == 2


def test_physical_row_order_alone_is_not_tampering(logged: Settings) -> None:
    _rewrite(logged, lambda rows: list(reversed(rows)))
    assert verify_chain(logged).ok


def test_the_problem_never_shows_a_value(logged: Settings) -> None:
    def change(rows: Rows) -> Rows:
        rows[0]["purpose"] = "110101199003071234"
        return rows

    _rewrite(logged, change)
    report = verify_chain(logged)
    assert report.broken_seq == 1
    assert "110101199003071234" not in str(report).replace(report.head_hash, "")
    assert "alice" not in (report.problem or "")


def test_nothing_is_appended_to_a_log_whose_head_row_is_gone(
    logged: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.audit import AuditLogBroken

    _rewrite(logged, lambda rows: rows[:-1])
    monkeypatch.setattr("etl.audit.log.HEAD_COMMITS", 0)  # the commit metadata is not consulted
    with pytest.raises(AuditLogBroken, match="head seq 6 is held by 0 rows"):
        record_access(logged, AccessEvent("os:alice", "sql", rows=1))
    assert delta.version(log_uri(logged)) is not None
