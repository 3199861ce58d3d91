"""Instants given on the command line (``--as-of``): local time unless an offset says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from etl.cli.output import parse_instant
from etl.errors import ConfigError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_time_without_an_offset_is_local_time() -> None:
    moment = parse_instant("2024-06-02T08:00:00", SHANGHAI)
    assert moment.astimezone(UTC) == datetime(2024, 6, 2, 0, 0, tzinfo=UTC)


def test_an_offset_wins_over_the_zone() -> None:
    moment = parse_instant("2024-06-02T08:00:00+00:00", SHANGHAI)
    assert moment.astimezone(UTC) == datetime(2024, 6, 2, 8, 0, tzinfo=UTC)


def test_a_wrong_time_is_one_line_naming_the_option() -> None:
    with pytest.raises(ConfigError, match=r"^--as-of 'yesterday' is not an ISO-8601 time"):
        parse_instant("yesterday", SHANGHAI)
