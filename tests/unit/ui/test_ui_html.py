"""How the pages show timestamps and durations (the ``when`` and ``duration`` filters)."""

from __future__ import annotations

from datetime import UTC, datetime

from etl.ui.html import duration, when


def test_timestamps_are_shown_to_the_second_with_their_offset() -> None:
    moment = datetime(2024, 6, 1, 8, 5, 9, 871080, tzinfo=UTC)
    assert when(moment) == "2024-06-01 08:05:09+00:00"
    assert when("2024-06-01T08:05:09.871080+00:00") == "2024-06-01 08:05:09+00:00"
    assert when(None) == "-" and when("") == "-"


def test_durations_read_as_people_say_them() -> None:
    assert [duration(s) for s in (0.4, 9.96, 12.4, 185, 7620, None)] == [
        "0.4 s",
        "10 s",
        "12 s",
        "3 min 05 s",
        "2 h 07 min",
        "-",
    ]
