"""A dataset's page data over the sample lake: columns, quality, lineage, runs and holds."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from etl.catalog import dataset
from etl.pipeline.local import local_context, run_local
from tests.unit.lineage.conftest import make_people
from tests.unit.sample_lake import (
    DAY,
    DRIFT_COLUMN,
    DRIFTED,
    IMPORTANT,
    WITHHELD,
    WITHHELD_COLUMN,
    SampleLake,
)


def test_dataset_page_columns_quality_lineage_runs(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED]
    page = dataset.dataset_page(lake.settings, ds)
    columns = {c["column"]: c for c in page["columns"]}
    assert columns["gmsfhm"]["category"] == "id_card" and columns["gmsfhm"]["grade"] == "L4"
    assert {c["decided_by"] for c in columns.values()} >= {"registry", "detector"}
    assert columns["gmsfhm"]["zones"]["shared"]["transformation"] == "dropped"
    assert columns["gmsfhm"]["zones"]["open"] is None
    # two runs (2024-06-01 and 06-02): two points per expectation
    assert page["quality"] and all(len(q["points"]) == q["runs"] == 2 for q in page["quality"])
    failing = [q for q in page["quality"] if q["passed"] < q["runs"]]
    # the runs failed the check; the rows mostly passed it
    assert failing and all(q["runs_pass_rate"] < 1 for q in failing)
    assert all(0.99 < q["rows_pass_rate"] < 1 for q in failing)
    assert all(q["description"] for q in page["quality"])
    graph = page["lineage"]
    assert len(graph["sources"]) == 2
    assert {e["table"] for e in graph["edges"]} == {"restricted", "shared", "quarantine"}
    tables = {t["kind"]: t for t in graph["tables"]}
    assert tables["restricted"]["version"] == 1 and not tables["open"]["exists"]
    runs = page["runs"]
    assert [r["logical_date"] for r in runs] == ["2024-06-02", "2024-06-01"]
    assert runs[1]["airflow_path"] == (
        f"/dags/{ds.dag_id}/runs/scheduled__2024-06-01T00%3A00%3A00%2B00%3A00"
    )
    assert runs[1]["tables"]["restricted"]["version"] == 0
    for run in runs:
        started, ended = (datetime.fromisoformat(run[k]) for k in ("started_at", "finished_at"))
        assert started <= ended
        assert run["seconds"] == pytest.approx((ended - started).total_seconds(), abs=1e-3)


def test_a_file_read_by_several_runs_is_one_source(tmp_path: Path) -> None:
    people = make_people(tmp_path)  # run r1 loads ps/2024-06-01.csv
    people.run("r2")  # a re-run of the date reads the same file
    landing = people.settings.landing / "ps"
    shutil.copy(landing / "2024-06-01.csv", landing / "2024-06-02.csv")  # delivered again
    again = local_context(people.dataset, date(2024, 6, 2), "r3")
    assert run_local(people.settings, people.dataset, again).status == "skipped"
    graph = dataset.lineage_graph(people.settings, people.dataset)
    (source,) = graph["sources"]
    assert source["label"] == "ps/2024-06-01.csv" and source["role"] == "delivery"
    assert source["dates"] == ["2024-06-01"] and source["repeated"] == ["2024-06-02"]
    assert source["runs"] == 3
    versions = {e["table"]: e["versions"] for e in graph["edges"]}
    assert versions["restricted"] == [0, 1] and versions["shared"] == [0, 1]
    assert len(graph["edges"]) == len(versions)  # one edge per table, not one per run


def test_holds_say_what_to_confirm(lake: SampleLake) -> None:
    drift = dataset.dataset_page(lake.settings, lake.registry.datasets[DRIFTED])["holds"]
    assert len(drift) == 1 and drift[0]["subject"] == DRIFT_COLUMN
    assert (
        f"pubdata review confirm {DRIFTED} {DRIFT_COLUMN} --category id_card --grade L3"
        in drift[0]["action"]
    )
    assert "datasets/public_security/household_register.yaml" in drift[0]["action"]
    imp = dataset.dataset_page(lake.settings, lake.registry.datasets[IMPORTANT])
    assert [h["kind"] for h in imp["holds"]] == ["important_data"]
    assert "classification.important" in imp["holds"][0]["action"]
    assert imp["holds"][0]["detail"].startswith("R5")  # the registry's own IMP rows are decided
    assert "IMP" in imp["latest"]["flags"]
    # IMP keeps the dataset in the restricted zone: no shared table was written
    assert {t["kind"] for t in imp["lineage"]["tables"] if t["exists"]} <= {
        "restricted",
        "quarantine",
    }


def test_withheld_column_hold_shows_the_confirm_command(lake: SampleLake) -> None:
    ds = lake.registry.datasets[WITHHELD]
    [hold] = dataset.dataset_page(lake.settings, ds)["holds"]
    command = (
        f"pubdata review confirm {WITHHELD} {WITHHELD_COLUMN} --category person_name "
        '--grade L3 --reason "…"'
    )
    assert hold["kind"] == "withheld_column" and hold["subject"] == WITHHELD_COLUMN
    assert hold["command"] == command and command in hold["action"]
    assert "120 of 600 values checked look like person_name" in hold["detail"]
    assert f"pubdata run {WITHHELD} --date {DAY.isoformat()}" in hold["action"]


def test_local_runs_have_no_airflow_link() -> None:
    assert dataset.airflow_run_path("ingest__a__b", "local__20240601T000000Z") is None
    assert dataset.airflow_run_path("ingest__a__b", "manual__x") == (
        "/dags/ingest__a__b/runs/manual__x"
    )
    # a cleared run's second execution links to the one Airflow run
    assert dataset.airflow_run_path("ingest__a__b", "manual__x~2") == (
        "/dags/ingest__a__b/runs/manual__x"
    )


def test_dataset_page_columns_carry_the_data_dictionary(lake: SampleLake) -> None:
    page = dataset.dataset_page(lake.settings, lake.registry.datasets[DRIFTED])
    columns = {c["column"]: c for c in page["columns"]}
    assert {k: columns["djrq"][k] for k in ("title", "description", "type", "declared")} == {
        "title": "登记日期",
        "description": "本次户籍登记（出生、迁入等）的办理日期",
        "type": "date",
        "declared": True,
    }
    assert (columns["xb"]["title"], columns["xb"]["description"]) == ("性别", None)
    assert columns["gmsfhm"]["zones"]["shared"]["transformation"] == "dropped"  # still there
