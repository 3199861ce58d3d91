"""The anomaly rules: each fires on the pattern it is for, and not just below its threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from etl.audit import AccessEvent, Action, Rule, Thresholds, evaluate
from etl.audit.rules import baseline, bulk_token, off_hours, token_lookups

SH = ZoneInfo("Asia/Shanghai")
TABLE = "shared.population.household_register"
TOKENS = {TABLE: frozenset({"gmsfhm"})}
RULES = Thresholds()
# Monday 2026-12-07, 10:00 in Shanghai
MONDAY_10 = datetime(2026, 12, 7, 10, 0, tzinfo=SH).astimezone(UTC)


def _read(
    at: datetime, rows: int, columns: tuple[str, ...] = ("xm",), who: str = "os:alice", **kw: object
) -> AccessEvent:
    return AccessEvent(who, Action.SQL, (TABLE,), columns, rows=rows, at=at, **kw)  # type: ignore[arg-type]


def test_bulk_read_of_a_token_column_fires() -> None:
    events = [_read(MONDAY_10, 1000, ("gmsfhm", "xm")), _read(MONDAY_10, 5000, ("gmsfhm",))]
    (found,) = bulk_token(events, RULES, TOKENS, SH)
    assert (found.rule, found.principal, found.events, found.rows) == (
        Rule.BULK_TOKEN,
        "os:alice",
        2,
        6000,
    )
    assert "2 read(s) of >= 1000 rows" in found.detail


def test_bulk_token_does_not_fire_below_the_rows_or_without_a_token_column() -> None:
    events = [
        _read(MONDAY_10, 999, ("gmsfhm",)),
        _read(MONDAY_10, 100_000, ("xm",)),
        AccessEvent("os:alice", "sql", ("shared.other.t",), ("gmsfhm",), rows=5000, at=MONDAY_10),
    ]
    assert bulk_token(events, RULES, TOKENS, SH) == []
    assert bulk_token(events, Thresholds(bulk_token_rows=999), TOKENS, SH)[0].events == 1


def test_reads_outside_working_hours_fire_in_the_settings_zone() -> None:
    evening = MONDAY_10 + timedelta(hours=9, minutes=30)  # 19:30 Shanghai
    saturday = MONDAY_10 + timedelta(days=5)
    events = [_read(evening, 5), _read(evening + timedelta(minutes=5), 7), _read(saturday, 1)]
    found = off_hours(events, RULES, SH)
    assert [(f.events, f.rows) for f in found] == [(2, 12), (1, 1)]
    assert found[0].start == datetime(2026, 12, 7, tzinfo=SH)  # one finding per local day


def test_working_hours_reads_and_the_pipeline_do_not_fire() -> None:
    late = MONDAY_10 + timedelta(hours=8, minutes=59)  # 18:59
    events = [
        _read(MONDAY_10, 5),
        _read(late, 5),
        _read(late + timedelta(hours=5), 5, who="pipeline:etl"),
    ]
    assert off_hours(events, RULES, SH) == []
    # 10:00 Shanghai is 02:00 UTC: outside the hours if they were UTC's
    assert len(off_hours(events[:1], RULES, ZoneInfo("UTC"))) == 1
    assert len(off_hours(events, Thresholds(off_hours_pipeline=True), SH)) == 1


def _history(days: int, rows: int, who: str = "os:alice") -> list[AccessEvent]:
    return [_read(MONDAY_10 - timedelta(days=d), rows, who=who) for d in range(1, days + 1)]


def test_a_day_far_above_the_baseline_fires() -> None:
    events = [*_history(10, 2000), _read(MONDAY_10, 15_000), _read(MONDAY_10, 6_000)]
    (found,) = baseline(events, RULES, SH)
    assert (found.rule, found.rows, found.events) == (Rule.BASELINE, 21_000, 2)
    assert "> 10 x the median 2000 of its 10 day(s)" in found.detail


def test_baseline_does_not_fire_within_the_factor_below_the_minimum_or_without_history() -> None:
    assert baseline([*_history(10, 2000), _read(MONDAY_10, 20_000)], RULES, SH) == []
    assert baseline([*_history(10, 100), _read(MONDAY_10, 9_999)], RULES, SH) == []
    assert baseline([*_history(2, 100), _read(MONDAY_10, 50_000)], RULES, SH) == []
    # another principal's history is not alice's baseline
    assert baseline([*_history(10, 10, who="os:bob"), _read(MONDAY_10, 50_000)], RULES, SH) == []
    # days older than baseline_days do not count
    old = [_read(MONDAY_10 - timedelta(days=40 + d), 10) for d in range(5)]
    assert baseline([*old, _read(MONDAY_10, 50_000)], RULES, SH) == []


def _lookup(minutes: float, rows: int = 1, who: str = "os:alice") -> AccessEvent:
    at = MONDAY_10 + timedelta(minutes=minutes)
    return AccessEvent(who, Action.ENTITY, (TABLE,), rows=rows, token_lookups=1, at=at)


def test_repeated_single_token_lookups_fire_once_per_window() -> None:
    events = [_lookup(m * 2) for m in range(25)]  # 25 look-ups in 48 minutes
    (found,) = token_lookups(events, RULES)
    assert (found.rule, found.rows) == (Rule.TOKEN_LOOKUPS, 21)
    assert found.start == MONDAY_10 and found.end == MONDAY_10 + timedelta(minutes=40)
    # a second burst two hours later is a second finding
    later = [_lookup(120 + m) for m in range(21)]
    assert len(token_lookups([*events, *later], RULES)) == 2


def test_lookups_do_not_fire_when_spread_out_or_returning_many_rows() -> None:
    assert token_lookups([_lookup(m * 2) for m in range(20)], RULES) == []  # exactly 20
    assert token_lookups([_lookup(m * 4) for m in range(25)], RULES) == []  # 100 minutes
    assert token_lookups([_lookup(m, rows=2) for m in range(25)], RULES) == []
    spread = [_lookup(m, who=f"os:u{m % 2}") for m in range(25)]
    assert token_lookups(spread, RULES) == []


def test_evaluate_runs_every_rule_and_keeps_findings_from_since() -> None:
    saturday = MONDAY_10 - timedelta(days=2)
    events = [_read(saturday, 5), _read(MONDAY_10, 2000, ("gmsfhm",))]
    found = evaluate(events, RULES, TOKENS, SH)
    assert [f.rule for f in found] == [Rule.OFF_HOURS, Rule.BULK_TOKEN]
    assert [f.rule for f in evaluate(events, RULES, TOKENS, SH, since=MONDAY_10)] == [
        Rule.BULK_TOKEN
    ]


def _refused(minutes: int, who: str = "os:mallory") -> AccessEvent:
    table = ("restricted.population.household_register",)
    return AccessEvent(who, Action.REFUSED, table, at=MONDAY_10 + timedelta(minutes=minutes))


def test_repeated_refused_attempts_fire_and_are_not_reads() -> None:
    from etl.audit.rules import refusals

    assert refusals([_refused(m) for m in range(5)], RULES) == []  # exactly 5: allowed
    (found,) = refusals([_refused(m * 5) for m in range(6)], RULES)  # 6 in 25 minutes
    assert (found.rule, found.principal, found.events) == (Rule.REFUSALS, "os:mallory", 6)
    assert found.detail == "6 refused attempts on 1 table(s) within 60 minutes (more than 5)"
    assert refusals([_refused(m * 20) for m in range(6)], RULES) == []  # 100 minutes
    # a refused attempt at night read nothing: it is not an off-hours read
    night = [_refused(14 * 60 + m) for m in range(3)]  # 00:00 on Tuesday
    assert evaluate(night, RULES, TOKENS, SH) == []
