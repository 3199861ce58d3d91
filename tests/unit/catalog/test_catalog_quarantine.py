"""Quarantine sections: counts agree with lineage_runs, reasons are described, commands run."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path

import pytest

from etl.catalog.quarantine import quarantine_sections
from etl.cli.main import main
from etl.lineage import read_meta
from tests.unit.lineage.conftest import IDS, PHONES, make_people
from tests.unit.sample_lake import DAY, DRIFTED, SampleLake, run_id

SECRETS = [*IDS, *PHONES, "张伟", "王芳", "李娜", "刘洋"]


def test_quarantine_counts_match_lineage(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED]
    (section,) = quarantine_sections(lake.settings, [ds])
    runs = read_meta(lake.settings.lake, "lineage_runs").to_pylist()
    expected = {
        (r["run_id"], r["rows_quarantined"])
        for r in runs
        if r["dataset"] == DRIFTED and r["status"] == "success"
    }
    assert {(r["run_id"], r["rows_quarantined"]) for r in section["runs"]} == expected
    assert section["rows_quarantined"] == sum(q for _, q in expected) > 0
    totals: Counter[str] = Counter()
    for run in section["runs"]:
        totals.update(run["by_reason"])
    assert section["by_reason"] == dict(totals)
    assert any(run_id(DAY) == r["run_id"] for r in section["runs"])


def _run_as_shown(command: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run a command the page shows: ``NAME=value ... pubdata ARGS`` through the real CLI."""
    words = shlex.split(command)
    while "=" in words[0]:
        name, _, value = words.pop(0).partition("=")
        monkeypatch.setenv(name, value)
    assert words[0] == "pubdata"
    return main(words[1:])


def test_reasons_are_described_and_the_next_commands_run_as_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = make_people(tmp_path / "lake")
    (section,) = quarantine_sections(people.settings, [people.dataset])
    described = {r["reason"]: r["description"] for r in section["reasons"]}
    assert described == {
        "bad_id": r"sfzh: 须匹配正则 ^\d{17}[\dX]$ · values must match the pattern ^\d{17}[\dX]$",
        "cast:amount:float64": (
            "amount: 取值无法按登记的类型 float64 解析 · values do not parse as the declared type "
            "float64"
        ),
    }
    (run,) = section["runs"]
    commands = run["commands"]
    day = DAY.isoformat()
    assert commands["export"] == (
        f"PUBDATA_CLEARANCE=restricted pubdata quarantine people --date {day} "
        f"--export people_{day}_quarantine.csv"
    )
    s = people.settings
    for name, value in {
        "PUBDATA_HOME": str(s.home),
        "PUBDATA_LAKE": s.lake,
        "PUBDATA_REGISTRY": str(s.registry),
        "PUBDATA_LANDING": str(s.landing),
        "PUBDATA_EXPECTATIONS": str(s.expectations),
        "PUBDATA_CLEARANCE": "shared",  # the command brings the clearance it needs
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    assert _run_as_shown(commands["export"], monkeypatch) == 0
    exported = tmp_path / f"people_{day}_quarantine.csv"
    assert len(exported.read_text(encoding="utf-8-sig").splitlines()) == 3  # header, 2 rows
    assert commands["resubmit"] in capsys.readouterr().err  # the CLI names the same next step
    # stored only: the re-run the command starts goes through Airflow
    assert _run_as_shown(commands["resubmit"] + " --no-run", monkeypatch) == 0
    assert "stored" in capsys.readouterr().out
    assert not {v for v in SECRETS if v in json.dumps(section, ensure_ascii=False)}


def test_a_date_with_nothing_quarantined_has_no_command(lake: SampleLake) -> None:
    sections = quarantine_sections(lake.settings, lake.registry.datasets.values())
    runs = [r for s in sections for r in s["runs"]]
    assert all((r["commands"] is None) == (not r["rows_quarantined"]) for r in runs)
    assert any(r["commands"] is None for r in runs) and any(r["commands"] for r in runs)
