"""catalog, lineage --column, trace and quarantine on a lake written by the steps (no Airflow)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from etl.cli.main import main
from etl.pipeline.steps_record import record_failure
from etl.runtime.context import RunContext
from tests.unit.lineage.conftest import CSV, People, make_people


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> People:
    return make_people(tmp_path_factory.mktemp("cli"))


@pytest.fixture
def env(lake: People, monkeypatch: pytest.MonkeyPatch) -> People:
    s = lake.settings
    monkeypatch.setenv("PUBDATA_HOME", str(s.home))
    monkeypatch.setenv("PUBDATA_LAKE", s.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(s.registry))
    monkeypatch.setenv("PUBDATA_LANDING", str(s.landing))
    monkeypatch.setenv("PUBDATA_EXPECTATIONS", str(s.expectations))
    monkeypatch.setenv("PUBDATA_CLEARANCE", "restricted")
    return lake


def _values() -> set[str]:
    return {v for line in CSV.splitlines()[1:] for v in line.split(",") if len(v) > 3}


def test_catalog_is_complete(env: People, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["title"] == "人口 people" and item["owner"] == "人口科"
    assert item["zones"] == ["restricted", "shared", "open"]
    assert item["freshness"]["state"] == "late"
    assert item["quality"]["last_run"]["warnings"] == 1
    # 2 of the 4 delivered rows were loaded, whatever share of the checks passed (1 of 3)
    assert item["quality"]["history"]["rows_pass_rate"] == 0.5
    assert item["last_run_seconds"] is not None and item["last_run_seconds"] >= 0
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "1/3 (1 warn)" in out and "rows passed" in out and "50.0%" in out
    assert main(["catalog", "people"]) == 0
    assert "市公安局" in capsys.readouterr().out


def test_quality_shows_rows_passed_and_runs_passed(
    env: People, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["quality", "people"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "dataset",
        "expectation",
        "severity",
        "rows",
        "passed",
        "rows",
        "flagged",
        "rows",
        "checked",
        "runs",
        "passed",
        "last",
    ]
    sfzh = next(line for line in lines if "(sfzh)" in line).split()
    assert sfzh[3:] == ["75.0%", "1", "4", "0/1", "FAIL"]  # 3 of 4 rows passed, the run failed
    table = next(line for line in lines if "row_count" in line).split()
    assert table[3:] == ["-", "-", "-", "1/1", "pass"]
    assert main(["quality", "people", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert {e["reason"] for e in entries} >= {"bad_id"}
    assert not {v for v in _values() if v in json.dumps(entries, ensure_ascii=False)}


def test_lineage_column(env: People, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lineage", "people", "--column", "sfzh"]) == 0
    out = capsys.readouterr().out
    assert "id_card" in out and "tokenized" in out
    assert main(["lineage", "people", "--column", "xm", "--run", "r1", "--json"]) == 0
    zones = {z["zone"]: z for z in json.loads(capsys.readouterr().out)["zones"]}
    assert zones["shared"]["transformation"] == "masked"
    assert main(["lineage", "people"]) == 0
    assert "r1" in capsys.readouterr().out


def test_trace_by_source_row_and_by_key(env: People, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "people", "--run", "r1", "--source-row", "4"]) == 0
    out = capsys.readouterr().out
    assert "ps/2024-06-01.csv" in out and "quarantined: bad_id" in out
    # people read times in the city's zone, named; the JSON keeps the UTC instant
    assert re.search(r"finished \d{4}-\d\d-\d\d \d\d:\d\d:\d\d Asia/Shanghai", out)
    assert not {v for v in _values() if v in out}
    assert main(["trace", "people", "--row-key", "sfzh=440524188001010014", "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["source"]["source_row"] == 2 and found["row"]["outcome"] == "loaded"
    # a quarantined row is found by its raw value too
    assert main(["trace", "people", "--row-key", "amount=abc", "--json"]) == 0
    (bad,) = json.loads(capsys.readouterr().out)
    assert bad["row"]["reasons"] == ["cast:amount:float64"]


def test_trace_by_key_needs_the_zone(
    env: People, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_CLEARANCE", "shared")
    assert main(["trace", "people", "--row-key", "sfzh=x", "--zone", "restricted"]) == 2
    assert "needs clearance restricted" in capsys.readouterr().err
    assert main(["trace", "people", "--row-key", "amount=10.5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["source"]["source_row"] == 1


def test_quarantine_counts_export_and_clearance(
    env: People,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["quarantine", "people", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["by_reason"] == {"bad_id": 1, "cast:amount:float64": 1}
    out = tmp_path / "q.csv"
    assert main(["quarantine", "people", "--date", "2024-06-01", "--export", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # opens right in Chinese Excel
    header, *rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert header == '"xm","sfzh","sjhm","amount","_source_file","_source_row","_reasons"'
    assert len(rows) == 2
    monkeypatch.setenv("PUBDATA_CLEARANCE", "shared")
    capsys.readouterr()
    assert main(["quarantine", "people"]) == 0  # counts need no clearance
    assert "bad_id" in capsys.readouterr().out
    assert main(["quarantine", "people", "--date", "2024-06-01", "--export", str(out)]) == 2
    assert "needs clearance restricted" in capsys.readouterr().err
    assert main(["quarantine", "people", "--export", str(out)]) == 2


def test_the_catalog_shows_a_failed_run_beside_the_last_loaded_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = make_people(tmp_path)
    later = RunContext("people", people.dataset.dag_id, "r2", date(2024, 6, 2))
    record_failure(people.settings, people.dataset, later, "extract", "source not delivered: x")
    for key, value in (("HOME", str(people.settings.home)), ("LAKE", people.settings.lake)):
        monkeypatch.setenv(f"PUBDATA_{key}", value)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(people.settings.registry))
    assert main(["catalog", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["last_logical_date"] == "2024-06-01"  # what readers have
    assert (item["last_status"], item["last_run_date"]) == ("failed", "2024-06-02")
    assert item["last_error"] == "source not delivered: x"
    assert main(["catalog"]) == 0
    assert "2024-06-01  failed 2024-06-02  late" in capsys.readouterr().out
    # the quarantine of a date whose run failed says why there is none
    assert main(["quarantine", "people", "--date", "2024-06-02"]) == 0
    assert capsys.readouterr().out == (
        "no successful run of people for 2024-06-02; the run of 2024-06-02 failed at extract: "
        "source not delivered: x\n"
    )
    # and the quality report ends with the failed run's cause
    assert main(["quality", "people"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == (
        "people: the run of 2024-06-02 failed at extract: source not delivered: x"
    )
