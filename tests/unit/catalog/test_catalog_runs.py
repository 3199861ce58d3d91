"""A dataset's runs as lineage_runs records them: one entry per run, zones folded in."""

from __future__ import annotations

from etl.catalog.runs import run_seconds, runs_of
from etl.lineage import read_meta
from tests.unit.sample_lake import DRIFTED, NEXT_DAY, SampleLake, run_id


def test_one_entry_per_run_newest_first_with_its_tables(lake: SampleLake) -> None:
    runs = runs_of(lake.settings, DRIFTED)
    rows = [
        r
        for r in read_meta(lake.settings.lake, "lineage_runs").to_pylist()
        if r["dataset"] == DRIFTED
    ]
    assert len(runs) == len({(r["lineage_run_id"], r["try_number"]) for r in rows}) == 2
    assert runs[0]["run_id"] == run_id(NEXT_DAY) and runs[0]["logical_date"] == "2024-06-02"
    written = {(r["run_id"], r["zone"], r["delta_version"]) for r in rows if r["zone"]}
    folded = {(r["run_id"], z, t["version"]) for r in runs for z, t in r["tables"].items()}
    assert folded == written and {"restricted", "shared"} <= set(runs[0]["tables"])
    assert runs_of(lake.settings, "no_such_dataset") == []


def test_each_run_has_its_start_end_and_length(lake: SampleLake) -> None:
    for run in runs_of(lake.settings, DRIFTED):
        assert run["started_at"] < run["finished_at"] and run["seconds"] > 0
    assert run_seconds("2024-06-01T08:00:00+00:00", "2024-06-01T08:02:05.5+00:00") == 125.5
    assert run_seconds(None, "2024-06-01T08:00:00+00:00") is None
