"""The five steps called directly (no Airflow), on small files written by the tests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pytest

from etl.errors import PolicyError, SourceNotReady, ValidationFailed
from etl.lake import delta
from etl.lineage import read_meta
from etl.pipeline import RunContext
from etl.pipeline import steps_ingest as ingest
from etl.pipeline import steps_publish as publish
from etl.pipeline import steps_record as record
from etl.registry import Dataset
from etl.settings import Settings
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
IDS = ["11010519491231002X", "440524188001010014", "420102199003074578"]
HEADER = "xm,sfzh,sjhm,amount\n"
ROWS = [
    f"张伟,{IDS[0]},13812345678,10.5",
    f"王芳,{IDS[1]},13912345678,20",
    f"李娜,{IDS[2]},15012345678,abc",  # amount fails the float64 cast
    "刘洋,4201021990030745,18612345678,30",  # ID fails the suite's regex
]

SUITE = {
    "name": "people",
    "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "sfzh", "regex": r"^\d{17}[\dX]$"},
        },
    ],
    "meta": {},
}


def setup(tmp_path: Path, **extra: object) -> tuple[Settings, Dataset]:
    landing = tmp_path / "landing"
    (landing / "ps").mkdir(parents=True)
    (landing / "ps" / f"{DAY.isoformat()}.csv").write_text(
        HEADER + "\n".join(ROWS) + "\n", encoding="gbk"
    )
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "people.json").write_text(json.dumps(SUITE), encoding="utf-8")
    settings = make_settings(
        tmp_path / "home",
        PUBDATA_LANDING=str(landing),
        PUBDATA_EXPECTATIONS=str(expectations),
    )
    spec: dict[str, object] = {
        "id": "people",
        "title": "人口",
        "department": "public_security",
        "domain": "population",
        "source": {"kind": "file", "format": "csv", "path": "ps/{ds}.csv"},
        "columns": {"xm": "string", "sfzh": "string", "sjhm": "string", "amount": "float64"},
        "classification": {"columns": {"xm": {"category": "person_name", "grade": "L3"}}},
        "open": True,
    }
    spec.update(extra)
    return settings, Dataset.model_validate(spec)


def ctx(run: str = "r1") -> RunContext:
    return RunContext("people", "ingest__public_security__people", run, DAY)


def run_all(settings: Settings, dataset: Dataset, context: RunContext) -> dict:
    ingest.extract(settings, dataset, context)
    ingest.validate(settings, dataset, context)
    publish.classify(settings, dataset, context)
    publish.load(settings, dataset, context)
    return record.record(settings, dataset, context)


def test_a_run_loads_quarantines_grades_and_records(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    summary = run_all(settings, dataset, ctx())
    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]) == (4, 2, 2)
    assert summary["dataset_grade"] == "L3"
    quarantine = delta.read(summary["quarantine_table"])
    reasons = dict(
        zip(quarantine["_source_row"].to_pylist(), quarantine["_reasons"].to_pylist(), strict=True)
    )
    assert reasons[3].startswith("cast:amount")
    assert "expect_column_values_to_match_regex(sfzh)" in reasons[4]
    assert quarantine["amount"].to_pylist() == ["abc", "30"]  # the original value is kept
    restricted = delta.read(summary["tables"]["restricted"])
    assert restricted["sfzh"].to_pylist() == IDS[:2]
    assert restricted["_source_row"].to_pylist() == [1, 2]
    shared = delta.read(summary["tables"]["shared"])
    assert not set(shared["sfzh"].to_pylist()) & set(IDS)
    assert all(v.startswith("test:") for v in shared["sfzh"].to_pylist())
    assert shared["xm"].to_pylist() == ["张*", "王*"]
    open_zone = delta.read(summary["tables"]["open"])
    assert [c for c in open_zone.column_names if not c.startswith("_")] == []
    runs = read_meta(settings.lake, "lineage_runs")
    assert set(runs["zone"].to_pylist()) == {"restricted", "shared", "open", "quarantine"}
    assert pc.all(pc.equal(runs["status"], "success")).as_py()


def test_rerun_replaces_the_date(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    first = run_all(settings, dataset, ctx("r1"))
    second = run_all(settings, dataset, ctx("r2"))
    restricted = delta.read(second["tables"]["restricted"])
    assert restricted.num_rows == first["rows_loaded"]
    assert set(restricted["_run_id"].to_pylist()) == {"r2"}


def test_table_level_failure_publishes_nothing(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    suite = dict(SUITE)
    suite["expectations"] = [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 100}}
    ]
    (settings.expectations / "people.json").write_text(json.dumps(suite))
    ingest.extract(settings, dataset, ctx())
    with pytest.raises(ValidationFailed, match=r"expect_table_row_count_to_be_between.*nothing"):
        ingest.validate(settings, dataset, ctx())
    failure = record.record_failure(settings, dataset, ctx(), "validate", "boom")
    assert failure["status"] == "failed"
    assert not (Path(settings.lake) / "restricted").exists()
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert [(r["status"], r["error_stage"]) for r in runs] == [("failed", "validate")]


def test_too_many_quarantined_rows_stop_the_run(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, quality={"max_quarantine_share": 0.25})
    ingest.extract(settings, dataset, ctx())
    with pytest.raises(ValidationFailed, match=r"2 of 4 rows .* above the dataset's limit"):
        ingest.validate(settings, dataset, ctx())


def test_core_dataset_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, classification={"core": True})
    with pytest.raises(PolicyError, match="CORE"):
        ingest.extract(settings, dataset, ctx())


def test_important_dataset_stays_in_the_restricted_zone(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, classification={"important": True})
    summary = run_all(settings, dataset, ctx())
    assert set(summary["tables"]) == {"restricted"}
    assert "IMP" in summary["flags"]


def test_missing_delivery(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    other = RunContext("people", "ingest__public_security__people", "r", date(2024, 6, 2))
    with pytest.raises(SourceNotReady, match="not delivered"):
        ingest.extract(settings, dataset, other)


def test_snapshot_load_replaces_the_whole_table(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, load="snapshot")
    run_all(settings, dataset, ctx("r1"))
    summary = run_all(settings, dataset, ctx("r2"))
    assert delta.read(summary["tables"]["restricted"]).num_rows == 2
