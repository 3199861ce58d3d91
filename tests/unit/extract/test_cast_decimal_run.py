"""One real run of a ``decimal(14,2)`` column: validated, graded, in every zone, read back exact."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from etl.lake import delta
from etl.pipeline.local import run_local
from etl.read import read, to_pandas
from etl.read.sql import query
from etl.registry import load_registry
from etl.runtime.context import RunContext
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
REGISTRY = """\
id: budget
title: 部门预算
department: finance
domain: finance
source: {kind: file, format: csv, path: 'fin/{ds}.csv'}
columns: {ysje: "decimal(14,2)"}
classification:
  baseline: L1
  columns: {ysje: {category: none, grade: L1, reason: 机构预算}}
open: true
"""
SUITE = {
    "name": "budget",
    "expectations": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "ysje", "min_value": 0, "max_value": 9460},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "ysje"}},
    ],
    "meta": {},
}


def test_a_decimal_column_runs_end_to_end_exactly(tmp_path: Path) -> None:
    rows = [f"市财政局,办公经费,{Decimal('9449.29') + i}" for i in range(10)]
    rows += ["市教育局,设备购置,12.345", "市教育局,设备购置,9460.01"]  # scale; out of range
    (tmp_path / "landing" / "fin").mkdir(parents=True)
    (tmp_path / "landing" / "fin" / f"{DAY}.csv").write_text(
        "dept,item,ysje\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    (tmp_path / "expectations").mkdir()
    (tmp_path / "expectations" / "budget.json").write_text(json.dumps(SUITE), encoding="utf-8")
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "budget.yaml").write_text(REGISTRY, encoding="utf-8")
    settings = make_settings(
        tmp_path / "home",
        PUBDATA_LANDING=str(tmp_path / "landing"),
        PUBDATA_EXPECTATIONS=str(tmp_path / "expectations"),
        PUBDATA_REGISTRY=str(tmp_path / "registry"),
        PUBDATA_CLEARANCE="restricted",
    )
    dataset = load_registry(settings.registry).get("budget")
    summary = run_local(
        settings, dataset, RunContext("budget", dataset.dag_id, "r1", DAY)
    ).to_dict()

    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]) == (12, 10, 2)
    quarantine = delta.read(summary["quarantine_table"])
    assert quarantine["ysje"].to_pylist() == ["12.345", "9460.01"]  # the delivered text
    reasons = quarantine["_reasons"].to_pylist()
    assert reasons[0].split(";")[0] == "cast:ysje:decimal(14,2)"
    assert "expect_column_values_to_be_between(ysje)" in reasons[1]
    expected = [Decimal("9449.29") + i for i in range(10)]
    for zone in ("restricted", "shared", "open"):
        table = read("budget", zone, settings=settings)
        assert table.schema.field("ysje").type == pa.decimal128(14, 2), zone
        assert table["ysje"].to_pylist() == expected, zone
    assert to_pandas("budget", "open", settings=settings)["ysje"].sum() == Decimal("94537.90")
    total = query(settings, "SELECT sum(ysje) AS total FROM open.finance.budget")
    assert total["total"].to_pylist() == [Decimal("94537.90")]
