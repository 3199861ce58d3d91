"""Anomaly rules over the access log (研判机制): reads a person should look at.

Five rules, each over one principal's events, thresholds from :class:`Thresholds` (the
``audit.rules`` section of the registry's ``alerts.yaml``, defaults otherwise):

- ``bulk_token``: reads returning many rows with a tokenized identifier among their columns
  (a token joins records across tables: a bulk copy of them is a copy of who is who);
- ``off_hours``: reads outside the working days and hours, in the settings' time zone;
- ``baseline``: a day's rows far above the principal's usual day (the median of its previous
  days of reading);
- ``token_lookups``: many look-ups of single tokens in a short window (someone looking people
  up one by one);
- ``refusals``: many attempts the grants refused in a short window (someone probing for what
  they may not read).

The read rules leave refused attempts out (nothing was read). The day rules give one finding per
principal and local day; the look-up and refusal rules one per window.
A finding holds counts and thresholds, never a value, and names no token.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from etl.access import PIPELINE
from etl.audit.event import AccessEvent, Action
from etl.registry.alerts import AuditRules

#: The rules' thresholds (``alerts.yaml`` → ``audit.rules``; every field has a default).
Thresholds = AuditRules
#: Per table (its ``pubdata sql`` name), the columns holding tokens (:mod:`etl.audit.tokens`).
TokenColumns = Mapping[str, frozenset[str]]


class Rule(StrEnum):
    """The anomaly rules."""

    BULK_TOKEN = "bulk_token"
    OFF_HOURS = "off_hours"
    BASELINE = "baseline"
    TOKEN_LOOKUPS = "token_lookups"
    REFUSALS = "refusals"


RULE_LABELS: dict[Rule, str] = {
    Rule.BULK_TOKEN: "批量读取令牌化标识 bulk read of tokenized identifiers",
    Rule.OFF_HOURS: "非工作时间读取 reads outside working hours",
    Rule.BASELINE: "读取量远超基线 rows far above the principal's baseline",
    Rule.TOKEN_LOOKUPS: "反复查询单个令牌 repeated look-ups of single tokens",
    Rule.REFUSALS: "反复越权尝试 repeated attempts the grants refused",
}


@dataclass(frozen=True)
class Finding:
    """One unusual pattern of one principal's reads.

    Attributes:
        rule: which rule.
        principal: whose reads.
        start: the window's first instant (UTC): a local day's start, or the first look-up.
        end: the window's last instant (UTC), inclusive.
        events: reads in the finding.
        rows: rows those reads returned (look-ups for ``token_lookups``).
        detail: counts against thresholds, in one line without a value.
    """

    rule: Rule
    principal: str
    start: datetime
    end: datetime
    events: int
    rows: int
    detail: str

    def overlaps(self, other: Finding) -> bool:
        """Whether ``other`` is the same finding (rule, principal, overlapping window)."""
        return (
            self.rule == other.rule
            and self.principal == other.principal
            and self.start <= other.end
            and other.start <= self.end
        )


def _day_window(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    end = start + timedelta(days=1) - timedelta(microseconds=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def _by_principal_day(
    events: Iterable[AccessEvent], tz: ZoneInfo
) -> dict[tuple[str, date], list[AccessEvent]]:
    grouped: dict[tuple[str, date], list[AccessEvent]] = defaultdict(list)
    for event in events:
        grouped[(event.principal, event.at.astimezone(tz).date())].append(event)
    return grouped


def _rows(events: Sequence[AccessEvent]) -> int:
    return sum(e.rows or 0 for e in events)


def _day_finding(
    rule: Rule, key: tuple[str, date], events: Sequence[AccessEvent], tz: ZoneInfo, detail: str
) -> Finding:
    start, end = _day_window(key[1], tz)
    return Finding(rule, key[0], start, end, len(events), _rows(events), detail)


def bulk_token(
    events: Iterable[AccessEvent], rules: Thresholds, tokens: TokenColumns, tz: ZoneInfo
) -> list[Finding]:
    """Per principal and day, the reads of at least ``bulk_token_rows`` rows with a token column."""

    def hit(event: AccessEvent) -> bool:
        if (event.rows or 0) < rules.bulk_token_rows:
            return False
        columns = set(event.columns)
        return any(tokens.get(table, frozenset()) & columns for table in event.tables)

    found = []
    for key, hits in _by_principal_day((e for e in events if hit(e)), tz).items():
        detail = (
            f"{len(hits)} read(s) of >= {rules.bulk_token_rows} rows with a tokenized column, "
            f"{_rows(hits)} rows in all, on {key[1].isoformat()}"
        )
        found.append(_day_finding(Rule.BULK_TOKEN, key, hits, tz, detail))
    return found


def off_hours(events: Iterable[AccessEvent], rules: Thresholds, tz: ZoneInfo) -> list[Finding]:
    """Per principal and day, the reads outside the working days and hours."""
    start, end = rules.working_hours

    def outside(event: AccessEvent) -> bool:
        if not rules.off_hours_pipeline and event.principal.startswith(f"{PIPELINE}:"):
            return False
        local = event.at.astimezone(tz)
        return local.isoweekday() not in rules.working_days or not start <= local.hour < end

    found = []
    for key, hits in _by_principal_day((e for e in events if outside(e)), tz).items():
        detail = (
            f"{len(hits)} read(s), {_rows(hits)} rows, outside working hours "
            f"({start:02d}:00-{end:02d}:00 on days {','.join(map(str, rules.working_days))}, "
            f"{tz.key}) on {key[1].isoformat()}"
        )
        found.append(_day_finding(Rule.OFF_HOURS, key, hits, tz, detail))
    return found


def baseline(events: Iterable[AccessEvent], rules: Thresholds, tz: ZoneInfo) -> list[Finding]:
    """Per principal and day, rows above ``baseline_factor`` times its median day."""
    days = _by_principal_day(events, tz)
    totals: dict[str, dict[date, int]] = defaultdict(dict)
    for (principal, day), hits in days.items():
        totals[principal][day] = _rows(hits)
    found = []
    for (principal, day), hits in days.items():
        today = totals[principal][day]
        if today < rules.baseline_min_rows:
            continue
        first = day - timedelta(days=rules.baseline_days)
        before = [rows for d, rows in totals[principal].items() if first <= d < day]
        if len(before) < rules.baseline_min_days:
            continue
        median = statistics.median(before)
        if today <= rules.baseline_factor * median:
            continue
        detail = (
            f"{today} rows on {day.isoformat()}, > {rules.baseline_factor:g} x the median "
            f"{median:g} of its {len(before)} day(s) of reading in the {rules.baseline_days} "
            "days before"
        )
        found.append(_day_finding(Rule.BASELINE, (principal, day), hits, tz, detail))
    return found


def _bursts(
    events: Iterable[AccessEvent],
    weight: Callable[[AccessEvent], int],
    limit: int,
    minutes: int,
) -> Iterator[tuple[str, list[AccessEvent], int]]:
    """Per principal, each window of ``minutes`` whose events weigh more than ``limit``.

    Yields (principal, the events of the window, their weight); a window overlapping the one
    reported before is not reported again.
    """
    window = timedelta(minutes=minutes)
    mine: dict[str, list[AccessEvent]] = defaultdict(list)
    for event in events:
        if weight(event):
            mine[event.principal].append(event)
    for principal, hits in mine.items():
        hits.sort(key=lambda e: e.at)
        first, count, last_end = 0, 0, None
        for index, event in enumerate(hits):
            count += weight(event)
            while hits[first].at < event.at - window:
                count -= weight(hits[first])
                first += 1
            if count <= limit or (last_end is not None and hits[first].at <= last_end):
                continue
            yield principal, hits[first : index + 1], count
            last_end = event.at


def token_lookups(events: Iterable[AccessEvent], rules: Thresholds) -> list[Finding]:
    """Windows where a principal made more than ``token_lookups`` single-token look-ups."""

    def lookups(event: AccessEvent) -> int:
        return event.token_lookups if event.rows is not None and event.rows <= 1 else 0

    found = []
    minutes = rules.lookup_window_minutes
    for principal, hits, count in _bursts(events, lookups, rules.token_lookups, minutes):
        detail = (
            f"{count} single-token look-ups within {minutes} minutes "
            f"(more than {rules.token_lookups})"
        )
        found.append(
            Finding(
                Rule.TOKEN_LOOKUPS, principal, hits[0].at, hits[-1].at, len(hits), count, detail
            )
        )
    return found


def refusals(events: Iterable[AccessEvent], rules: Thresholds) -> list[Finding]:
    """Windows where a principal made more than ``refusals`` attempts the grants refused."""

    def refused(event: AccessEvent) -> int:
        return int(event.action == Action.REFUSED)

    found = []
    minutes = rules.refusal_window_minutes
    for principal, hits, count in _bursts(events, refused, rules.refusals, minutes):
        tables = len({t for e in hits for t in e.tables})
        detail = (
            f"{count} refused attempts on {tables} table(s) within {minutes} minutes "
            f"(more than {rules.refusals})"
        )
        found.append(Finding(Rule.REFUSALS, principal, hits[0].at, hits[-1].at, count, 0, detail))
    return found


def evaluate(
    events: Sequence[AccessEvent],
    rules: Thresholds,
    tokens: TokenColumns,
    tz: ZoneInfo,
    since: datetime | None = None,
) -> list[Finding]:
    """Every rule over the events; findings whose window ends before ``since`` are left out.

    Args:
        events: the access log's events (all of them: baselines need the days before).
        rules: the thresholds.
        tokens: the tokenized columns per table.
        tz: the time zone of working hours and days.
        since: only findings whose window reaches this instant or later (None: all).
    """
    reads = [e for e in events if e.action != Action.REFUSED]  # refused: nothing was read
    found = [
        *bulk_token(reads, rules, tokens, tz),
        *off_hours(reads, rules, tz),
        *baseline(reads, rules, tz),
        *token_lookups(reads, rules),
        *refusals(events, rules),
    ]
    if since is not None:
        found = [f for f in found if f.end >= since]
    return sorted(found, key=lambda f: (f.start, f.rule, f.principal))
