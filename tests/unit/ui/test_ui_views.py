"""Data assembly for the pages, over the sample lake (no HTTP)."""

from __future__ import annotations

from collections import Counter

from etl.lineage import read_meta
from etl.ui import catalog_view, dataset_view, quarantine_view, svg
from tests.unit.ui.sample_lake import (
    CORE,
    DAY,
    DRIFT_COLUMN,
    DRIFTED,
    IMPORTANT,
    WITHHELD,
    WITHHELD_COLUMN,
    SampleLake,
    run_id,
)


def _by_id(lake: SampleLake) -> dict[str, dict]:
    return {r["dataset"]: r for r in catalog_view.catalog_rows(lake.settings, lake.registry)}


def test_catalog_has_every_dataset_with_its_flags(lake: SampleLake) -> None:
    rows = _by_id(lake)
    assert set(rows) == set(lake.registry.datasets)
    assert rows[IMPORTANT]["flag_codes"] == ["IMP"]
    assert rows[DRIFTED]["flag_codes"] == ["DRIFT"]
    assert rows[CORE]["flag_codes"] == ["CORE"]
    assert rows[CORE]["last_status"] == "failed" and rows[CORE]["rows_loaded"] is None
    plain = rows["air_quality"]
    assert plain["flag_codes"] == [] and plain["last_status"] == "success"
    assert 0 < plain["pass_rate"] <= 1 and plain["checks"].count("/") == 1
    assert plain["rows_loaded"] + plain["rows_quarantined"] == plain["rows_in"]
    assert rows[DRIFTED]["pending_reviews"] == 1 and rows[IMPORTANT]["pending_reviews"] == 1
    assert rows[WITHHELD]["flag_codes"] == ["WITHHELD"] and rows[WITHHELD]["pending_reviews"] == 1


def test_catalog_filters(lake: SampleLake) -> None:
    rows = catalog_view.catalog_rows(lake.settings, lake.registry)
    options = catalog_view.filter_options(rows)
    assert "L4" in options["grade"] and "public_security" in options["department"]
    l4 = [r["dataset"] for r in rows if catalog_view.Filters(grade="L4").keep(r)]
    assert DRIFTED in l4 and "air_quality" not in l4
    only = catalog_view.Filters(department="health", domain="health")
    assert [r["dataset"] for r in rows if only.keep(r)] == ["clinic_visits"]


def test_dataset_page_columns_quality_lineage_runs(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED]
    page = dataset_view.dataset_page(lake.settings, ds)
    columns = {c["column"]: c for c in page["columns"]}
    assert columns["gmsfhm"]["category"] == "id_card" and columns["gmsfhm"]["grade"] == "L4"
    assert {c["decided_by"] for c in columns.values()} >= {"registry", "detector"}
    assert columns["gmsfhm"]["zones"]["shared"]["transformation"] == "dropped"
    assert columns["gmsfhm"]["zones"]["open"] is None
    # two runs (2024-06-01 and 06-02): two points per expectation
    assert page["quality"] and all(len(q["points"]) == q["runs"] == 2 for q in page["quality"])
    failing = [q for q in page["quality"] if q["passed"] < q["runs"]]
    assert failing and all(0 <= q["pass_rate"] < 1 for q in failing)
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


def test_holds_say_what_to_confirm(lake: SampleLake) -> None:
    drift = dataset_view.dataset_page(lake.settings, lake.registry.datasets[DRIFTED])["holds"]
    assert len(drift) == 1 and drift[0]["subject"] == DRIFT_COLUMN
    assert (
        f"pubdata review confirm {DRIFTED} {DRIFT_COLUMN} --category id_card --grade L3"
        in drift[0]["action"]
    )
    assert "datasets/public_security/household_register.yaml" in drift[0]["action"]
    imp = dataset_view.dataset_page(lake.settings, lake.registry.datasets[IMPORTANT])
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
    [hold] = dataset_view.dataset_page(lake.settings, ds)["holds"]
    command = (
        f"pubdata review confirm {WITHHELD} {WITHHELD_COLUMN} --category person_name "
        '--grade L3 --reason "…"'
    )
    assert hold["kind"] == "withheld_column" and hold["subject"] == WITHHELD_COLUMN
    assert hold["command"] == command and command in hold["action"]
    assert "120 of 600 values checked look like person_name" in hold["detail"]
    assert f"pubdata run {WITHHELD} --date {DAY.isoformat()}" in hold["action"]


def test_local_runs_have_no_airflow_link() -> None:
    assert dataset_view.airflow_run_path("ingest__a__b", "local__20240601T000000Z") is None
    assert dataset_view.airflow_run_path("ingest__a__b", "manual__x") == (
        "/dags/ingest__a__b/runs/manual__x"
    )


def test_quarantine_counts_match_lineage(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED]
    (section,) = quarantine_view.quarantine_sections(lake.settings, [ds])
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


def test_quality_chart_has_a_bar_per_evaluation() -> None:
    series = {
        "expectation": "expect_x(<col>)",
        "severity": "warn",
        "runs": 3,
        "passed": 1,
        "points": [
            {"date": "2024-06-01", "success": True, "unexpected_percent": None},
            {"date": "2024-06-02", "success": False, "unexpected_percent": 50.0},
            {"date": "2024-06-03", "success": False, "unexpected_percent": None},
        ],
    }
    chart = svg.quality_chart(series)
    assert chart.count("<rect") == 3
    assert chart.count(svg.WARN) == 2 and chart.count(svg.PASS) == 1
    assert "expect_x(&lt;col&gt;)" in chart and "<col>" not in chart
    assert "warned (50.00% rows)" in chart


def test_lineage_svg_draws_sources_tables_and_versions(lake: SampleLake) -> None:
    graph = dataset_view.lineage_graph(lake.settings, lake.registry.datasets[DRIFTED])
    drawing = svg.lineage_svg(graph)
    assert drawing.startswith("<svg") and drawing.endswith("</svg>")
    assert drawing.count("<path") == len(graph["edges"]) == 6
    assert "共享区 shared" in drawing and "not written" in drawing
    assert "2024-06-02.csv" in drawing
    assert "v1 · runs wrote v0, v1" in drawing  # restricted: written by both runs
