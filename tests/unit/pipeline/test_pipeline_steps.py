"""The five steps called directly (no Airflow), on small files written by the tests."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pytest

from etl.errors import DataError, DuplicateDelivery, PolicyError, SourceNotReady, ValidationFailed
from etl.extract import EnvConnections
from etl.lake import delta
from etl.lineage import read_meta
from etl.pipeline import amend
from etl.pipeline import steps_ingest as ingest
from etl.pipeline import steps_publish as publish
from etl.pipeline import steps_record as record
from etl.registry import Dataset
from etl.runtime.context import RunContext
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
    return record.record(settings, dataset, context).to_dict()


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
    # no L1 column: the open table has the delivered columns, none of them with a value
    data = [f for f in open_zone.schema if not f.name.startswith("_")]
    assert [f.name for f in data] == [c for c in restricted.column_names if c[0] != "_"]
    assert all(open_zone[f.name].null_count == open_zone.num_rows for f in data)
    assert {f.metadata[b"pubdata.status"] for f in data} == {b"removed"}
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
    failure = record.record_failure(settings, dataset, ctx(), "validate", "boom").to_dict()
    assert failure["status"] == "failed"
    assert not (Path(settings.lake) / "restricted").exists()
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert [(r["status"], r["error_stage"]) for r in runs] == [("failed", "validate")]


def test_too_many_quarantined_rows_stop_the_run(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, quality={"max_quarantine_share": 0.25})
    ingest.extract(settings, dataset, ctx())
    with pytest.raises(ValidationFailed, match=r"2 of 4 rows .* above the dataset's limit") as err:
        ingest.validate(settings, dataset, ctx())
    # the message names each failing column and check, never a value
    why = str(err.value)
    assert 'amount (declared float64): 1 values do not parse; 1 look like "AAA"' in why
    assert "expect_column_values_to_match_regex(sfzh): 1 rows" in why
    assert "abc" not in why and "4201021990030745" not in why


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


# ---- sources wired in: globs, ragged rows, duplicate deliveries, schema changes ----------------


def glob_setup(tmp_path: Path, files: dict[str, str], **extra: object) -> tuple[Settings, Dataset]:
    """A dataset over ``ps/{ds}/*.csv`` with the given files (name -> CSV text) for DAY."""
    settings, dataset = setup(
        tmp_path, source={"kind": "file", "format": "csv", "path": "ps/{ds}/*.csv"}, **extra
    )
    deliver(settings, files)
    return settings, dataset


def deliver(settings: Settings, files: dict[str, str], day: date = DAY) -> None:
    folder = settings.landing / "ps" / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


PART_A = HEADER + "\n".join(ROWS[:2]) + "\n"
PART_B = HEADER + f"赵敏,{IDS[2]},13712345678,40\n"


def counts(summary: dict) -> tuple[int, int, int]:
    return summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]


def test_a_glob_loads_every_file_with_per_row_provenance(tmp_path: Path) -> None:
    settings, dataset = glob_setup(tmp_path, {"a.csv": PART_A, "b.csv": PART_B})
    summary = run_all(settings, dataset, ctx())
    assert counts(summary) == (3, 3, 0)
    restricted = delta.read(summary["tables"]["restricted"]).sort_by("_source_file")
    assert restricted["_source_file"].to_pylist() == [
        "ps/2024-06-01/a.csv",
        "ps/2024-06-01/a.csv",
        "ps/2024-06-01/b.csv",
    ]
    assert restricted["_source_row"].to_pylist() == [1, 2, 1]
    files = read_meta(settings.lake, "source_files").to_pylist()
    by_path = {f["relative_path"]: f for f in files}
    assert set(by_path) == {"ps/2024-06-01/a.csv", "ps/2024-06-01/b.csv"}
    assert {f["role"] for f in files} == {"delivery"}
    assert [by_path[p]["rows"] for p in sorted(by_path)] == [2, 1]
    shas = dict(
        zip(
            restricted["_source_file"].to_pylist(),
            restricted["_source_sha256"].to_pylist(),
            strict=True,
        )
    )
    assert all(shas[p] == by_path[p]["sha256"] for p in by_path)
    # the run's fingerprint combines the files'; lineage_runs keeps it
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert {r["source_sha256"] for r in runs} == {summary["source_sha256"]}
    assert summary["source_sha256"] not in shas.values()


def test_ragged_rows_are_counted_and_quarantined(tmp_path: Path) -> None:
    text = (
        HEADER + f"张伟,{IDS[0]},13812345678,10.5\n王芳,{IDS[1]}\n李娜,{IDS[2]},15012345678,1,x\n"
    )
    settings, dataset = glob_setup(tmp_path, {"a.csv": text, "b.csv": PART_B})
    summary = run_all(settings, dataset, ctx())
    assert counts(summary) == (4, 2, 2)
    assert summary["rows_in"] == summary["rows_loaded"] + summary["rows_quarantined"]
    quarantine = delta.read(summary["quarantine_table"]).sort_by("_source_row")
    assert quarantine["_reasons"].to_pylist() == ["ragged:2/4", "ragged:5/4"]
    assert quarantine["_source_row"].to_pylist() == [2, 3]
    assert set(quarantine["_source_file"].to_pylist()) == {"ps/2024-06-01/a.csv"}
    assert quarantine["_raw_line"].to_pylist()[0].startswith("王芳")  # restricted zone only
    assert "_raw_line" not in delta.read(summary["tables"]["shared"]).column_names
    meta = read_meta(settings.lake, "quarantine_rows").to_pylist()
    assert sorted((m["source_file"], m["source_row"], m["reasons"]) for m in meta) == [
        ("ps/2024-06-01/a.csv", 2, "ragged:2/4"),
        ("ps/2024-06-01/a.csv", 3, "ragged:5/4"),
    ]
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert {(r["rows_in"], r["rows_loaded"], r["rows_quarantined"]) for r in runs} == {(4, 2, 2)}


def test_a_file_delivered_again_is_recorded_as_a_duplicate_and_not_loaded(tmp_path: Path) -> None:
    settings, dataset = glob_setup(tmp_path, {"a.csv": PART_A})
    run_all(settings, dataset, ctx("r1"))
    later = date(2024, 6, 2)
    deliver(settings, {"a.csv": PART_A, "b.csv": PART_B, "c.csv": PART_B}, later)
    day2 = RunContext("people", "ingest__public_security__people", "r2", later)
    summary = run_all(settings, dataset, day2)
    # a.csv repeats 2024-06-01's file, c.csv repeats b.csv: only b.csv's row counts
    assert counts(summary) == (1, 1, 0)
    assert summary["duplicates"] == ["ps/2024-06-02/a.csv", "ps/2024-06-02/c.csv"]
    restricted = delta.read(summary["tables"]["restricted"])
    assert sorted(restricted["_logical_date"].to_pylist()) == [DAY, DAY, later]
    files = [
        f
        for f in read_meta(settings.lake, "source_files").to_pylist()
        if f["logical_date"] == later
    ]
    roles = sorted((f["relative_path"], f["role"], f["duplicate_of_run"]) for f in files)
    assert roles == [
        ("ps/2024-06-02/a.csv", "duplicate", "ingest__public_security__people/r1"),
        ("ps/2024-06-02/b.csv", "delivery", None),
        ("ps/2024-06-02/c.csv", "duplicate", "ingest__public_security__people/r2"),
    ]
    # re-running the first date with its own file is a re-run, not a duplicate
    again = run_all(settings, dataset, ctx("r3"))
    assert counts(again) == (2, 2, 0)


def test_a_delivery_of_only_duplicates_skips_the_run(tmp_path: Path) -> None:
    settings, dataset = glob_setup(tmp_path, {"a.csv": PART_A})
    run_all(settings, dataset, ctx("r1"))
    later = date(2024, 6, 2)
    deliver(settings, {"a.csv": PART_A}, later)
    day2 = RunContext("people", "ingest__public_security__people", "r2", later, invocation="i2")
    with pytest.raises(DuplicateDelivery, match="already loaded") as caught:
        ingest.extract(settings, dataset, day2)
    summary = record.record_duplicate(settings, dataset, day2, caught.value.message).to_dict()
    assert (summary["status"], counts(summary)) == ("skipped", (0, 0, 0))
    runs = [r for r in read_meta(settings.lake, "lineage_runs").to_pylist() if r["run_id"] == "r2"]
    assert [(r["status"], r["rows_in"]) for r in runs] == [("skipped", 0)]
    files = read_meta(settings.lake, "source_files").to_pylist()
    assert sorted(f["role"] for f in files) == ["delivery", "duplicate"]


def test_an_added_column_is_a_warning_in_summary_and_lineage(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    run_all(settings, dataset, ctx("r1"))
    path = settings.landing / "ps" / f"{DAY.isoformat()}.csv"
    lines = path.read_text(encoding="gbk").splitlines()
    path.write_text("\n".join([lines[0] + ",bz"] + [f"{x},备注" for x in lines[1:]]) + "\n", "gbk")
    summary = run_all(settings, dataset, ctx("r2"))
    assert summary["schema_change"] == ["column 'bz' is new; the tables gain it"]
    assert "bz" in delta.read(summary["tables"]["restricted"]).column_names
    runs = [r for r in read_meta(settings.lake, "lineage_runs").to_pylist() if r["run_id"] == "r2"]
    assert all(json.loads(r["schema_change"])["added"] == ["bz"] for r in runs)


def test_a_removed_or_retyped_column_stops_before_writing_unless_declared(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    first = run_all(settings, dataset, ctx("r1"))
    version = delta.version(first["tables"]["restricted"])
    path = settings.landing / "ps" / f"{DAY.isoformat()}.csv"
    rows = [line.rsplit(",", 1)[0] for line in path.read_text(encoding="gbk").splitlines()]
    path.write_text("\n".join(rows) + "\n", encoding="gbk")  # without 'amount'
    columns = {"xm": "string", "sfzh": "string", "sjhm": "string"}
    _, narrower = setup(tmp_path / "other", columns=columns)
    with pytest.raises(ValidationFailed, match=r"column 'amount' is missing.*schema_changes"):
        ingest.extract(settings, narrower, ctx("r2"))
    assert delta.version(first["tables"]["restricted"]) == version  # nothing written
    _, declared = setup(
        tmp_path / "declared", columns=columns, schema_changes={"removed": ["amount"]}
    )
    summary = run_all(settings, declared, ctx("r3"))
    assert summary["schema_change"] == ["declared schema change applied: removed:amount"]
    _, retyped = setup(
        tmp_path / "retyped",
        columns={**columns, "sjhm": "int64"},
        schema_changes={"removed": ["amount"]},
    )
    with pytest.raises(ValidationFailed, match="'sjhm' changed type from string to int64"):
        ingest.extract(settings, retyped, ctx("r4"))


def test_resubmissions_of_a_multi_file_delivery_key_by_file_and_row(tmp_path: Path) -> None:
    bad_b = HEADER + f"赵敏,{IDS[2]},13712345678,abc\n"
    settings, dataset = glob_setup(tmp_path, {"a.csv": PART_A, "b.csv": bad_b})
    first = run_all(settings, dataset, ctx("r1"))
    assert counts(first) == (3, 2, 1)
    columns = ["xm", "sfzh", "sjhm", "amount"]
    quarantined = {("ps/2024-06-01/b.csv", 1)}
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(
        f"xm,sfzh,sjhm,amount,_source_row\n赵敏,{IDS[2]},13712345678,40,1\n", encoding="utf-8"
    )
    amend.store(settings, "people", DAY, fixed, columns, quarantined)  # row 1 names one row
    with pytest.raises(DataError, match="ambiguous"):
        run_all(settings, dataset, ctx("r2"))  # but row 1 of the delivery is in both files
    shutil.rmtree(settings.resubmissions)
    fixed.write_text(
        "xm,sfzh,sjhm,amount,_source_file,_source_row\n"
        f"赵敏,{IDS[2]},13712345678,40,ps/2024-06-01/b.csv,1\n",
        encoding="utf-8",
    )
    amend.store(settings, "people", DAY, fixed, columns, quarantined)
    second = run_all(settings, dataset, ctx("r3"))
    assert counts(second) == (3, 3, 0)
    restricted = delta.read(second["tables"]["restricted"])
    amounts = dict(
        zip(
            zip(
                restricted["_source_file"].to_pylist(),
                restricted["_source_row"].to_pylist(),
                strict=True,
            ),
            restricted["amount"].to_pylist(),
            strict=True,
        )
    )
    assert amounts[("ps/2024-06-01/b.csv", 1)] == 40.0
    assert amounts[("ps/2024-06-01/a.csv", 1)] == 10.5


def test_connections_come_from_the_settings_environment(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", AIRFLOW_CONN_DEPT_DB="sqlite:////nonexistent")
    assert settings.connections == {"AIRFLOW_CONN_DEPT_DB": "sqlite:////nonexistent"}
    assert "nonexistent" not in repr(settings)
    env = {"AIRFLOW_CONN_DEPT_DB": "postgresql+psycopg://u:pw@db.example:5432/dept"}
    url = EnvConnections(make_settings(tmp_path / "h2", **env).connections).sql_url("dept_db")
    assert (url.drivername, url.host, url.database) == ("postgresql+psycopg", "db.example", "dept")
