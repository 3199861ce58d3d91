"""How the pages show timestamps and durations (the ``when`` and ``duration`` filters)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from etl.ui.html import duration, when


def test_timestamps_are_shown_in_local_time_to_the_second() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    moment = datetime(2024, 6, 1, 20, 5, 9, 871080, tzinfo=UTC)
    assert when(moment, shanghai) == "2024-06-02 04:05:09"  # the next day in the city
    assert when("2024-06-01T08:05:09.871080+00:00", shanghai) == "2024-06-01 16:05:09"
    assert when("2024-06-01T08:05:09", ZoneInfo("UTC")) == "2024-06-01 08:05:09"  # naive: UTC
    assert when(None, shanghai) == "-" and when("", shanghai) == "-"


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (0.4, 9.96, 12.4, 185, 7620, None)] == [
        "0.4 s",
        "10 s",
        "12 s",
        "3 min 05 s",
        "2 h 07 min",
        "-",
    ]
