"""``pubdata review`` and ``review confirm`` over a lake whose runs withheld a column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.cli.main import main
from etl.lineage import read_meta
from etl.lineage.reviews import open_holds
from etl.registry import load_registry
from tests.unit.cli.review_lake import (
    DAYS,
    REGISTRY,
    SECRETS,
    WITHHELD_COLUMN,
    ReviewLake,
    make_review_lake,
    withheld_entry,
)


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewLake:
    built = make_review_lake(tmp_path)
    for key in ("PUBDATA_HOME", "PUBDATA_REGISTRY", "PUBDATA_LANDING", "PUBDATA_EXPECTATIONS"):
        monkeypatch.setenv(key, str(getattr(built.settings, _FIELDS[key])))
    monkeypatch.setenv("PUBDATA_LAKE", built.settings.lake)
    return built


_FIELDS = {
    "PUBDATA_HOME": "home",
    "PUBDATA_REGISTRY": "registry",
    "PUBDATA_LANDING": "landing",
    "PUBDATA_EXPECTATIONS": "expectations",
}


def _no_values(text: str) -> None:
    assert not [s for s in SECRETS if s in text]


def test_review_lists_a_hold_once_with_its_runs_and_command(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["review", "--json"]) == 0
    out = capsys.readouterr().out
    [hold] = json.loads(out)
    assert hold["dataset"] == "people" and hold["kind"] == "withheld_column"
    assert hold["subject"] == WITHHELD_COLUMN and hold["runs"] == 2
    assert hold["logical_date"] == "2024-06-02" and hold["dates"] == ["2024-06-01", "2024-06-02"]
    assert hold["command"] == (
        'pubdata review confirm people bz --category mobile_phone --grade L3 --reason "…"'
    )
    assert "3 of 3 values checked look like mobile_phone" in hold["detail"]
    assert "withheld from shared/open" in hold["detail"]
    _no_values(out)
    assert main(["review"]) == 0
    table = capsys.readouterr().out
    assert "people" in table and "withheld" in table and "pubdata review confirm people bz" in table
    _no_values(table)


def test_confirm_writes_the_registry_closes_the_hold_and_names_the_dates(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["review", "confirm", "people", WITHHELD_COLUMN, "--category", "mobile_phone"]
    args += ["--grade", "L3", "--reason", "联系电话 of the person", "--by", "王五"]
    assert main(args) == 0
    out = capsys.readouterr().out
    for day in DAYS:
        assert f"pubdata run people --date {day.isoformat()}" in out
    assert "closed: withheld hold (2 run(s)" in out
    text = lake.registry_file.read_text(encoding="utf-8")
    entry = '    bz: {category: mobile_phone, grade: L3, reason: "联系电话 of the person", '
    assert entry in text
    # every other line is the original's, in order
    assert [line for line in text.splitlines() if not line.startswith("    bz:")] == (
        REGISTRY.splitlines()
    )
    override = load_registry(lake.settings.registry).get("people").classification.columns["bz"]
    assert override.reviewer == "王五" and override.reviewed is not None
    assert open_holds(lake.settings.lake) == []
    [confirmed] = [
        r for r in read_meta(lake.settings.lake, "reviews").to_pylist() if r["status"] != "pending"
    ]
    assert confirmed["kind"] == "column_confirmed" and confirmed["reviewer"] == "王五"
    assert main(["review"]) == 0 and "no pending holds" in capsys.readouterr().out

    # the re-run uses the label and opens no hold
    lake.run(DAYS[1], "r3", None)
    rows = read_meta(lake.settings.lake, "classifications").to_pylist()
    [latest] = [r for r in rows if r["lineage_run_id"].endswith("/r3") and r["column"] == "bz"]
    assert latest["decided_by"] == "registry"
    assert open_holds(lake.settings.lake) == []


def test_a_later_hold_opens_again_and_lists_only_the_new_runs(lake: ReviewLake) -> None:
    from datetime import UTC, datetime

    from etl.lineage.reviews import record_confirmation

    record_confirmation(
        lake.settings.lake,
        dataset="people",
        column=WITHHELD_COLUMN,
        category="none",
        grade="L2",
        reason="notes",
        reviewer="王五",
        now=datetime.now(UTC),
    )
    assert open_holds(lake.settings.lake) == []
    lake.run(DAYS[1], "r3", [withheld_entry()])
    [hold] = open_holds(lake.settings.lake)
    assert hold.runs == 1 and hold.lineage_run_id.endswith("/r3")


def test_false_alarm_is_cleared_with_category_none(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["review", "confirm", "people", "bz", "--category", "none", "--grade", "L2"]
    assert main([*args, "--reason", "free-text notes, no person", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["category"] == "none" and out["grade"] == "L2"
    assert out["rerun"] == [f"pubdata run people --date {d.isoformat()}" for d in DAYS]
    assert out["registry_file"].endswith("people.yaml")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "bz", "--category", "none"], "unknown dataset 'nope'"),
        (["people", "zz", "--category", "none"], "unknown column 'zz' of people"),
        (["people", "bz", "--category", "secret_sauce"], "unknown category 'secret_sauce'"),
        (
            ["people", "bz", "--category", "none", "--reason", "13812345678 is a test number"],
            "must not quote a data value",
        ),
    ],
)
def test_confirm_errors_are_one_line_and_change_nothing(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    full = ["review", "confirm", *args, "--grade", "L2"]
    if "--reason" not in full:
        full += ["--reason", "why"]
    assert main(full) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert "13812345678" not in err
    assert lake.registry_file.read_text(encoding="utf-8") == REGISTRY
    assert len(open_holds(lake.settings.lake)) == 1


def test_grade_outside_l1_l4_is_refused_by_the_parser(lake: ReviewLake) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["review", "confirm", "people", "bz", "--category", "none", "--grade", "L5"])
    assert exc.value.code == 2
