"""A dataset's columns with their dictionary entries: the latest run's, then the declared ones."""

from __future__ import annotations

from etl.catalog.columns import dataset_columns
from etl.registry.model import ColumnSpec
from tests.unit.sample_lake import DRIFTED, SampleLake

DELIVERED = ["xm", "gmsfhm", "xb", "mz", "csrq", "hjdz", "lxdh", "djrq", "hh"]


def test_the_latest_runs_columns_then_declared_ones_it_did_not_have(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED]
    declared = {"gmsfhm": ds.columns["gmsfhm"], "zjhm": ColumnSpec(title="证件号码")}
    fewer = ds.model_copy(update={"columns": declared})
    columns = dataset_columns(lake.settings, fewer)
    assert [c["column"] for c in columns] == [*DELIVERED, "zjhm"]
    by_name = {c["column"]: c for c in columns}
    assert by_name["xm"] == {
        "column": "xm",
        "title": "xm",  # undeclared: a string as delivered, titled by its header
        "description": None,
        "type": "string",
        "declared": False,
    }
    assert by_name["gmsfhm"]["title"] == "公民身份号码" and by_name["gmsfhm"]["declared"]
    assert by_name["zjhm"]["title"] == "证件号码"


def test_before_any_run_the_declared_columns(lake: SampleLake) -> None:
    ds = lake.registry.datasets[DRIFTED].model_copy(update={"id": "never_run"})
    assert [c["column"] for c in dataset_columns(lake.settings, ds)] == DELIVERED
