"""A dataset's quarantine sections agree with lineage_runs."""

from __future__ import annotations

from collections import Counter

from etl.catalog.quarantine import quarantine_sections
from etl.lineage import read_meta
from tests.unit.sample_lake import DAY, DRIFTED, SampleLake, run_id


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
