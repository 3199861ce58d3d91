from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from etl.errors import ConfigError, PolicyError
from etl.read import read, to_pandas, versions
from tests.unit.read.conftest import Lake


def test_reads_the_latest_version_through_the_log(lake: Lake) -> None:
    table = read("people", settings=lake.settings)
    # the re-run of 2024-06-01 replaced its two rows: a glob would see 2 + 1 + 3 rows
    assert table.num_rows == 4
    assert sorted(table["_run_id"].to_pylist()) == ["r2", "r3", "r3", "r3"]


def test_date_and_columns(lake: Lake) -> None:
    table = read("people", date="2024-06-02", columns=["xm", "_source_row"], settings=lake.settings)
    assert table.column_names == ["xm", "_source_row"]
    assert table.to_pylist() == [{"xm": "丙", "_source_row": 1}]


def test_time_travel_by_version_and_instant(lake: Lake) -> None:
    assert read("people", as_of=0, settings=lake.settings).num_rows == 2
    assert read("people", as_of=1, settings=lake.settings).num_rows == 3
    instant = datetime.fromtimestamp(lake.before_rerun_ms / 1000, tz=UTC)
    assert read("people", as_of=instant, settings=lake.settings).num_rows == 3
    assert read("people", as_of=instant.isoformat(), settings=lake.settings).num_rows == 3
    with pytest.raises(ConfigError, match="did not exist yet"):
        read("people", as_of="2000-01-01T00:00:00", settings=lake.settings)
    with pytest.raises(ConfigError, match="version 9 does not exist"):
        read("people", as_of=9, settings=lake.settings)


def test_clearance_is_enforced(lake: Lake) -> None:
    with pytest.raises(PolicyError, match="needs clearance restricted"):
        read("people", zone="restricted", settings=lake.settings)
    with pytest.raises(PolicyError, match="needs clearance restricted"):
        read("people", zone="quarantine", settings=lake.settings)
    opened = replace(lake.settings, clearance="open")
    with pytest.raises(PolicyError, match="cleared for open"):
        read("people", settings=opened)
    assert read("people", zone="open", settings=opened).num_rows == 3
    cleared = replace(lake.settings, clearance="restricted")
    assert read("people", zone="quarantine", settings=cleared)["_reasons"].to_pylist() == [
        "not_null(xm)"
    ]


def test_errors_name_what_is_wrong(lake: Lake) -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'nope'"):
        read("nope", settings=lake.settings)
    with pytest.raises(ConfigError, match="no column 'zz'"):
        read("people", columns=["zz"], settings=lake.settings)
    with pytest.raises(ConfigError, match="not a date"):
        read("people", date="June", settings=lake.settings)
    with pytest.raises(ConfigError, match="unknown zone"):
        read("people", zone="secret", settings=lake.settings)  # type: ignore[arg-type]


def test_pandas_and_versions(lake: Lake) -> None:
    frame = to_pandas("people", date="2024-06-01", settings=lake.settings)
    assert list(frame["xm"]) == ["甲", "乙", "戊"]
    history = versions("people", settings=lake.settings)
    assert [h["version"] for h in history] == [2, 1, 0]
