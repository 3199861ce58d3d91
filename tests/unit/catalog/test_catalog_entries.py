"""The catalog rows over the sample lake: every dataset, its flags, counts and quality."""

from __future__ import annotations

from etl.catalog.entries import catalog_rows
from etl.lineage import read_meta
from tests.unit.sample_lake import CORE, DRIFTED, IMPORTANT, WITHHELD, SampleLake


def _by_id(lake: SampleLake) -> dict[str, dict]:
    return {r["dataset"]: r for r in catalog_rows(lake.settings, lake.registry)}


def test_the_pass_rate_is_on_rows_over_the_loaded_dates(lake: SampleLake) -> None:
    rows = _by_id(lake)
    runs = [
        r
        for r in read_meta(lake.settings.lake, "lineage_runs").to_pylist()
        if r["dataset"] == DRIFTED and r["status"] == "success" and r["zone"] == "restricted"
    ]
    assert len(runs) == 2  # 2024-06-01 and 06-02
    loaded = sum(r["rows_loaded"] for r in runs) / sum(r["rows_in"] for r in runs)
    assert rows[DRIFTED]["rows_pass_rate"] == round(loaded, 4)
    assert 0.99 < rows[DRIFTED]["rows_pass_rate"] < 1
    assert rows[DRIFTED]["quality"]["history"]["dates"] == 2
    assert rows[CORE]["rows_pass_rate"] is None  # nothing was loaded


def test_catalog_has_every_dataset_with_its_flags(lake: SampleLake) -> None:
    rows = _by_id(lake)
    assert set(rows) == set(lake.registry.datasets)
    assert rows[IMPORTANT]["flag_codes"] == ["IMP"]
    assert rows[DRIFTED]["flag_codes"] == ["DRIFT"]
    assert rows[CORE]["flag_codes"] == ["CORE"]
    assert rows[CORE]["last_status"] == "failed" and rows[CORE]["rows_loaded"] is None
    plain = rows["air_quality"]
    assert plain["flag_codes"] == [] and plain["last_status"] == "success"
    assert plain["checks"].count("/") == 1
    assert plain["rows_loaded"] + plain["rows_quarantined"] == plain["rows_in"]
    assert plain["last_run_finished_at"] >= plain["last_run_started_at"]
    assert plain["last_run_seconds"] is not None and plain["last_run_seconds"] >= 0
    # a refused run recorded no start: its end is known, its length is not
    assert rows[CORE]["last_run_finished_at"] and rows[CORE]["last_run_seconds"] is None
    assert rows[DRIFTED]["pending_reviews"] == 1 and rows[IMPORTANT]["pending_reviews"] == 1
    assert rows[WITHHELD]["flag_codes"] == ["WITHHELD"] and rows[WITHHELD]["pending_reviews"] == 1
