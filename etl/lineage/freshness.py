"""Freshness of a dataset against its schedule, without Airflow or a cron library.

The run for logical date D covers the interval ``[D, D + period)`` and can only start when that
interval has ended. A dataset is ``fresh`` while the time since the end of its latest loaded
interval is at most one period (the next run is due, not overdue); after that it is ``late``.
Presets map to their period; a cron expression is read for its coarsest fixed field (fixed day
of month: monthly, fixed weekday: weekly, fixed hour: daily, else hourly), which is exact for
the usual "once a day/week/month at a fixed time" schedules and conservative for others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from etl.local_time import UTC_ZONE, day_start

PRESETS: dict[str, timedelta | None] = {
    "@once": None,
    "@continuous": None,
    "@hourly": timedelta(hours=1),
    "@daily": timedelta(days=1),
    "@weekly": timedelta(days=7),
    "@monthly": timedelta(days=31),
    "@quarterly": timedelta(days=92),
    "@yearly": timedelta(days=366),
    "@annually": timedelta(days=366),
}


def schedule_period(schedule: str | None) -> timedelta | None:
    """The interval between runs of a schedule, or None when it has none (manual, once).

    Args:
        schedule: an Airflow preset (``@daily`` ...), a five-field cron expression, or None.

    Returns:
        The period, or None.
    """
    if schedule is None:
        return None
    text = schedule.strip().lower()
    if text in PRESETS:
        return PRESETS[text]
    fields = text.split()
    if len(fields) != 5:
        return None
    _, hour, day, month, weekday = fields
    if month != "*":
        return PRESETS["@yearly"]
    if day != "*":
        return PRESETS["@monthly"]
    if weekday != "*":
        return PRESETS["@weekly"]
    if hour != "*" and "/" not in hour:
        return PRESETS["@daily"]
    return PRESETS["@hourly"]


@dataclass(frozen=True)
class Freshness:
    """How current a dataset is.

    Attributes:
        state: ``fresh``, ``late``, ``never`` (no successful run) or ``unscheduled``.
        period_hours: the schedule's period in hours (None when unscheduled).
        lag_hours: hours since the latest loaded interval ended (None when never loaded).
    """

    state: str
    period_hours: float | None
    lag_hours: float | None

    @property
    def label(self) -> str:
        """Short text for a table: ``fresh``, ``late 3d``, ``never``, ``unscheduled``."""
        if self.state != "late" or self.lag_hours is None:
            return self.state
        if self.lag_hours >= 48:
            return f"late {self.lag_hours / 24:.0f}d"
        return f"late {self.lag_hours:.0f}h"

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form."""
        return {
            "state": self.state,
            "period_hours": self.period_hours,
            "lag_hours": self.lag_hours,
        }


def freshness(
    schedule: str | None,
    last_date: date | None,
    now: datetime | None = None,
    tz: ZoneInfo = UTC_ZONE,
) -> Freshness:
    """Judge a dataset's freshness.

    Args:
        schedule: the registry's schedule.
        last_date: the latest logical date loaded successfully, or None.
        now: the current instant (default: now, UTC).
        tz: the zone logical dates are days of (``Settings.zone``): a day ends at its local
            midnight.

    Returns:
        The verdict.
    """
    period = schedule_period(schedule)
    hours = period.total_seconds() / 3600 if period else None
    if last_date is None:
        return Freshness("never", hours, None)
    now = now or datetime.now(UTC)
    ended = day_start(last_date, tz) + (period or timedelta(0))
    lag = max(0.0, (now - ended).total_seconds() / 3600)
    if period is None:
        return Freshness("unscheduled", None, round(lag, 1))
    state = "fresh" if lag <= period.total_seconds() / 3600 else "late"
    return Freshness(state, hours, round(lag, 1))
