"""Templated HTTP parameters: without an interval, `{start}`/`{end}` are the local day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from etl.extract.sources.http import fill

DAY = date(2024, 6, 1)


def test_without_an_interval_the_window_is_the_local_day() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    assert fill("{start}/{end}", DAY, None, shanghai) == (
        "2024-06-01T00:00:00+08:00/2024-06-02T00:00:00+08:00"
    )
    assert fill("{ds}|{ds_nodash}", DAY, None, shanghai) == "2024-06-01|20240601"


def test_an_interval_wins() -> None:
    interval = (datetime(2024, 6, 1, 2, tzinfo=UTC), datetime(2024, 6, 1, 3, tzinfo=UTC))
    assert fill("{start}", DAY, interval, ZoneInfo("Asia/Shanghai")) == "2024-06-01T02:00:00+00:00"
