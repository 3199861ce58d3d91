"""Column lineage and row traces from the _meta tables; never a data value in the answer."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from etl.errors import ConfigError
from etl.lake import zone_table_uri
from etl.lineage.columns import column_lineage, latest_run
from etl.lineage.trace import find_rows, resolve_run, trace_row
from tests.unit.lineage.conftest import CSV, People


def test_column_lineage_per_zone(people: People) -> None:
    info = column_lineage(people.settings.lake, "people", "sfzh")
    assert (info["category"], info["grade"], info["decided_by"]) == ("id_card", "L3", "registry")
    zones = {z["zone"]: z for z in info["zones"]}
    assert zones["restricted"]["transformation"] == "identity" and not zones["restricted"]["masked"]
    assert zones["shared"]["transformation"] == "tokenized" and zones["shared"]["masked"]
    assert zones["open"]["transformation"] == "dropped" and zones["open"]["output"] is None
    with pytest.raises(ConfigError, match="no column 'nope'"):
        column_lineage(people.settings.lake, "people", "nope")


def test_trace_of_a_loaded_row(people: People) -> None:
    run = resolve_run(people.settings, people.dataset, "r1", None)
    assert run == "ingest__public_security__people/r1"
    assert resolve_run(people.settings, people.dataset, None, "2024-06-01") == run
    t = trace_row(people.settings, people.dataset, run, 2)
    assert t["department"] == {"id": "public_security", "title": "市公安局", "owner": "人口科"}
    assert t["source"]["relative_path"] == "ps/2024-06-01.csv"
    assert t["source"]["location"].startswith("line 3 of the file")
    assert len(t["source"]["sha256"]) == 64 and t["source"]["resubmitted_in"] == []
    assert t["row"] == {"outcome": "loaded", "reasons": []}
    checks = {c["expectation"]: c for c in t["checks"]["expectations"]}
    assert checks["expect_column_values_to_match_regex(sfzh)"]["this_row"] == "passed"
    assert checks["expect_column_values_to_match_regex(sjhm)"]["severity"] == "warn"
    assert {z["zone"]: z["holds_row"] for z in t["zones"]} == {
        "open": True,
        "quarantine": False,
        "restricted": True,
        "shared": True,
    }
    by_column = {c["column"]: c for c in t["columns"]}
    assert by_column["xm"]["zones"]["shared"]["transformation"] == "masked"


def test_trace_of_a_quarantined_row(people: People) -> None:
    run = resolve_run(people.settings, people.dataset, "r1", None)
    t = trace_row(people.settings, people.dataset, run, 4)
    assert t["row"] == {"outcome": "quarantined", "reasons": ["bad_id"]}
    checks = {c["expectation"]: c for c in t["checks"]["expectations"]}
    assert checks["expect_column_values_to_match_regex(sfzh)"]["this_row"] == "failed"
    cast = trace_row(people.settings, people.dataset, run, 3)
    assert cast["checks"]["type_casts_failed"] == ["cast:amount:float64"]


def test_trace_holds_no_value_of_the_file(people: People) -> None:
    run = resolve_run(people.settings, people.dataset, "r1", None)
    traces = [trace_row(people.settings, people.dataset, run, n) for n in (1, 2, 3, 4)]
    text = json.dumps(traces, ensure_ascii=False)
    values = {v for line in CSV.splitlines()[1:] for v in line.split(",") if len(v) >= 2}
    values -= {"20", "30"}  # amounts short enough to be part of any timestamp
    assert not {v for v in values if v in text}


def test_zones_beyond_clearance_are_not_checked(people: People) -> None:
    shared = replace(people.settings, clearance="shared")
    run = resolve_run(shared, people.dataset, "r1", None)
    zones = {z["zone"]: z for z in trace_row(shared, people.dataset, run, 1)["zones"]}
    assert zones["restricted"]["holds_row"] is None
    assert "needs clearance restricted" in zones["quarantine"]["note"]
    assert zones["shared"]["holds_row"] is True


def test_errors(people: People) -> None:
    with pytest.raises(ConfigError, match="no run 'r9'"):
        resolve_run(people.settings, people.dataset, "r9", None)
    with pytest.raises(ConfigError, match="--run"):
        resolve_run(people.settings, people.dataset, None, None)
    run = resolve_run(people.settings, people.dataset, "r1", None)
    with pytest.raises(ConfigError, match=r"outside 1\.\.4"):
        trace_row(people.settings, people.dataset, run, 5)
    assert latest_run(people.settings.lake, "people", "2023-01-01") is None


def test_find_rows_by_key(people: People) -> None:
    uri = zone_table_uri(people.settings.lake, "restricted", "population", "people")
    assert find_rows(people.settings, people.dataset, uri, "sfzh", "440524188001010014") == [
        ("r1", 2)
    ]
    assert find_rows(people.settings, people.dataset, uri, "amount", "10.5") == [("r1", 1)]
    with pytest.raises(ConfigError, match="no data column '_run_id'"):
        find_rows(people.settings, people.dataset, uri, "_run_id", "r1")
