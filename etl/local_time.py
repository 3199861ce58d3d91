"""The city's time zone: logical dates are local days, times are shown in local time.

A run's logical date is a day in the configured zone (``PUBDATA_TIMEZONE``, default
``Asia/Shanghai``), the same zone Airflow schedules in (its ``default_timezone``), so a cron
``0 2 * * *`` runs at 02:00 local time and a run started at 01:00 local time on 1 June belongs
to 1 June, although Airflow stores it as 17:00 UTC on 31 May. Airflow and the lineage tables
keep instants in UTC; they become local only where a day is taken or a person reads a time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from etl.errors import ConfigError

#: The zone of a city in China when nothing else is configured.
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: UTC as a zone (the default of library functions that are given no zone).
UTC_ZONE = ZoneInfo("UTC")


def zone(name: str, setting: str = "PUBDATA_TIMEZONE") -> ZoneInfo:
    """The IANA time zone ``name``, given by ``setting``.

    Raises:
        ConfigError: ``name`` is not a time zone (one line, naming the setting).
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{setting}={name!r} is not an IANA time zone (expected e.g. {DEFAULT_TIMEZONE})"
        ) from None


def today(tz: ZoneInfo) -> date:
    """Today in ``tz``: the local day grants and products' expiries are checked against."""
    return datetime.now(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz`` (an aware datetime): the logical date of its run."""
    return datetime.combine(day, time.min, tzinfo=tz)


def day_end(day: date, tz: ZoneInfo) -> datetime:
    """The last second of ``day`` in ``tz``: a range of days ends there, inclusive."""
    return day_start(day + timedelta(days=1), tz) - timedelta(seconds=1)


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` in ``tz``; a naive moment is UTC (how Airflow and the lineage tables keep it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The day in ``tz`` that ``moment`` falls on: the logical date of an Airflow run."""
    return local(moment, tz).date()


def show(moment: datetime | str | None, tz: ZoneInfo) -> str:
    """``moment`` (or its ISO-8601 text) as a person reads it: local time to the second.

    ``-`` when there is none; naive moments are UTC (see :func:`local`).
    """
    if moment is None or moment == "":
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return local(moment, tz).strftime("%Y-%m-%d %H:%M:%S")
