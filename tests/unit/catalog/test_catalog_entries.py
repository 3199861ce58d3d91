"""The catalog rows over the sample lake: every dataset, its flags, counts and quality."""

from __future__ import annotations

from etl.catalog.entries import catalog_rows
from tests.unit.sample_lake import CORE, DRIFTED, IMPORTANT, WITHHELD, SampleLake


def _by_id(lake: SampleLake) -> dict[str, dict]:
    return {r["dataset"]: r for r in catalog_rows(lake.settings, lake.registry)}


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
