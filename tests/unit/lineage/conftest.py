"""A small dataset run through the five steps (no Airflow), shared by the lineage tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl.pipeline import steps_ingest as ingest
from etl.pipeline import steps_publish as publish
from etl.pipeline import steps_record as record
from etl.registry import Dataset
from etl.runtime.context import RunContext
from etl.settings import Settings
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
IDS = ["11010519491231002X", "440524188001010014", "420102199003074578", "4201021990030745"]
PHONES = ["13812345678", "13912345678", "15012345678", "18612345678"]
CSV = "xm,sfzh,sjhm,amount\n" + "".join(
    f"{name},{i},{p},{amount}\n"
    for name, i, p, amount in zip(
        ["张伟", "王芳", "李娜", "刘洋"], IDS, PHONES, ["10.5", "20", "abc", "30"], strict=True
    )
)
SUITE = {
    "name": "people",
    "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}},
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "sfzh", "regex": r"^\d{17}[\dX]$"},
            "meta": {"reason": "bad_id"},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "sjhm", "regex": r"^138"},
            "meta": {"severity": "warn"},
        },
    ],
}
REGISTRY = """\
id: people
title: 人口 people
department: public_security
department_title: 市公安局
domain: population
owner: 人口科
source: {kind: file, format: csv, path: "ps/{ds}.csv"}
columns: {xm: string, sfzh: string, sjhm: string, amount: float64}
classification:
  columns:
    xm: {category: person_name, grade: L3}
    sfzh: {category: id_card, grade: L3}
    sjhm: {category: mobile_phone, grade: L3}
    amount: {category: none, grade: L1}
open: true
"""


@dataclass
class People:
    settings: Settings
    dataset: Dataset
    first: dict[str, Any]

    def ctx(self, run: str) -> RunContext:
        return RunContext("people", self.dataset.dag_id, run, DAY)

    def run(self, run: str) -> dict[str, Any]:
        context = self.ctx(run)
        ingest.extract(self.settings, self.dataset, context)
        ingest.validate(self.settings, self.dataset, context)
        publish.classify(self.settings, self.dataset, context)
        publish.load(self.settings, self.dataset, context)
        return record.record(self.settings, self.dataset, context).to_dict()


def make_people(
    root: Path, clearance: str = "restricted", suite: dict[str, Any] | None = None
) -> People:
    landing = root / "landing"
    (landing / "ps").mkdir(parents=True)
    (landing / "ps" / f"{DAY.isoformat()}.csv").write_text(CSV, encoding="utf-8")
    expectations = root / "expectations"
    expectations.mkdir()
    (expectations / "people.json").write_text(json.dumps(suite or SUITE), encoding="utf-8")
    registry = root / "registry"
    registry.mkdir()
    (registry / "people.yaml").write_text(REGISTRY, encoding="utf-8")
    settings = make_settings(
        root / "home",
        PUBDATA_LANDING=str(landing),
        PUBDATA_EXPECTATIONS=str(expectations),
        PUBDATA_REGISTRY=str(registry),
        PUBDATA_CLEARANCE=clearance,
    )
    from etl.registry import load_registry

    dataset = load_registry(registry).get("people")
    people = People(settings, dataset, {})
    people.first = people.run("r1")
    return people


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> People:
    """One recorded run: rows 1-2 loaded, row 3 quarantined (cast), row 4 (bad_id)."""
    return make_people(tmp_path_factory.mktemp("people"))
