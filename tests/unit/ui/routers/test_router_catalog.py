"""The catalog page's filters over the sample lake's rows."""

from __future__ import annotations

from etl.catalog.entries import catalog_rows
from etl.ui.routers.catalog import Filters, filter_options
from tests.unit.sample_lake import DRIFTED, SampleLake


def test_catalog_filters(lake: SampleLake) -> None:
    rows = catalog_rows(lake.settings, lake.registry)
    options = filter_options(rows)
    assert "L4" in options["grade"] and "public_security" in options["department"]
    l4 = [r["dataset"] for r in rows if Filters(grade="L4").keep(r)]
    assert DRIFTED in l4 and "air_quality" not in l4
    only = Filters(department="health", domain="health")
    assert [r["dataset"] for r in rows if only.keep(r)] == ["clinic_visits"]
