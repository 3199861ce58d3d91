from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from etl.errors import ConfigError, PolicyError
from etl.read import read, to_pandas, versions
from etl.settings import CLEARANCES
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


ZONES = ("open", "shared", "restricted", "quarantine")


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("clearance", CLEARANCES)
def test_every_zone_at_every_clearance(lake_read_only: Lake, clearance: str, zone: str) -> None:
    settings = replace(lake_read_only.settings, clearance=clearance)
    needs = "restricted" if zone == "quarantine" else zone
    if CLEARANCES.index(needs) <= CLEARANCES.index(clearance):
        assert read("people", zone=zone, settings=settings).num_rows > 0  # type: ignore[arg-type]
        assert versions("people", zone=zone, settings=settings)  # type: ignore[arg-type]
        return
    table = (
        "restricted.population.people__quarantine"
        if zone == "quarantine"
        else f"{zone}.population.people"
    )
    message = f"reading {table} needs clearance {needs}; this caller asked for {clearance}"
    for call in (read, versions):
        with pytest.raises(PolicyError, match=message) as refused:
            call("people", zone=zone, settings=settings)  # type: ignore[operator]
        assert "\n" not in str(refused.value)


def test_the_quarantine_holds_its_reasons(lake_read_only: Lake) -> None:
    cleared = replace(lake_read_only.settings, clearance="restricted")
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
    with pytest.raises(ConfigError, match="unknown zone"):
        read("people", zone="_meta", settings=lake.settings)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown dataset"):
        read("../restricted/population/people", settings=lake.settings)
    # a reader installed on its own has no registry until PUBDATA_REGISTRY names one
    nowhere = replace(lake.settings, registry=lake.settings.home / "no-registry")
    for reading in (read, versions):
        with pytest.raises(ConfigError, match="no-registry does not exist; set PUBDATA_REGISTRY"):
            reading("people", settings=nowhere)


def test_pandas_and_versions(lake: Lake) -> None:
    frame = to_pandas("people", date="2024-06-01", settings=lake.settings)
    assert list(frame["xm"]) == ["甲", "乙", "戊"]
    history = versions("people", settings=lake.settings)
    assert [h["version"] for h in history] == [2, 1, 0]
