"""A small person register run through the steps, with a column the guard withheld.

The publication guard is the load step's; here its verdict is written into the run's staged
load record (``LoadResult.withheld``: column, category, grade, counts), so that the record
step, the review loop and the inventory are tested on their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from etl.pipeline import steps_ingest as ingest
from etl.pipeline import steps_publish as publish
from etl.pipeline import steps_record as record
from etl.registry import Dataset, load_registry
from etl.runtime.context import RunContext, staging_dir
from etl.runtime.records import LoadResult, Withheld, read_record, write_record
from etl.settings import Settings
from tests.conftest import make_settings

DAYS = (date(2024, 6, 1), date(2024, 6, 2))
IDS = ["11010519491231002X", "440524188001010014", "420102199003074578"]
NAMES = ["张伟", "王芳", "李娜"]
#: The withheld column: contact notes holding phone numbers the column decision missed.
NOTES = ["联系13812345678", "联系13912345678", "联系15012345678"]
WITHHELD_COLUMN = "bz"


def delivery(day: date) -> str:
    """A day's file (amounts differ by day: a repeated file would be a duplicate delivery)."""
    return "姓名,身份证号,bz,amount\n" + "".join(
        f"{n},{i},{b},{k + day.day}\n"
        for k, (n, i, b) in enumerate(zip(NAMES, IDS, NOTES, strict=True))
    )


REGISTRY = """\
# 人口登记 — a test register; this comment and the key order must survive an edit
id: people
title: 人口登记 people
department: public_security
department_title: 市公安局
domain: population
source: {kind: file, format: csv, path: "ps/{ds}.csv"}   # one file a day
columns: {xm: string, sfzh: string, bz: string, amount: float64}
normalize:
  rename: {"姓名": xm, "身份证号": sfzh}
classification:
  floor: L3  # R6
  columns:
    sfzh: {category: id_card, grade: L3, reason: "公民身份号码"}
    amount: {category: none, grade: L1, reason: "a count"}
open: false
"""
SECRETS = [*IDS, *NAMES, *NOTES, *(n[2:] for n in NOTES)]


def withheld_entry(values: int = 3) -> dict[str, Any]:
    return {
        "column": WITHHELD_COLUMN,
        "category": "mobile_phone",
        "grade": "L3",
        "values": values,
        "checked": 3,
    }


@dataclass
class ReviewLake:
    root: Path
    settings: Settings
    registry_file: Path
    summaries: list[dict[str, Any]]

    def dataset(self) -> Dataset:
        return load_registry(self.settings.registry).get("people")

    def run(self, day: date, run: str, withheld: list[dict[str, Any]] | None) -> dict[str, Any]:
        """One run of ``day`` (its summary as JSON); ``withheld`` replaces the guard's verdict."""
        dataset = self.dataset()
        ctx = RunContext("people", dataset.dag_id, run, day)
        ingest.extract(self.settings, dataset, ctx)
        ingest.validate(self.settings, dataset, ctx)
        publish.classify(self.settings, dataset, ctx)
        publish.load(self.settings, dataset, ctx)
        folder = staging_dir(self.settings, ctx)
        loaded = read_record(folder, LoadResult)
        guarded = tuple(Withheld.model_validate(w) for w in withheld or [])
        write_record(folder, loaded.model_copy(update={"withheld": guarded}))
        summary = record.record(self.settings, dataset, ctx).to_dict()
        self.summaries.append(summary)
        return summary


def make_review_lake(root: Path, *, withheld: bool = True) -> ReviewLake:
    """Two daily runs, both withholding ``bz`` (unless ``withheld`` is False)."""
    landing = root / "landing" / "ps"
    landing.mkdir(parents=True)
    for day in DAYS:
        (landing / f"{day.isoformat()}.csv").write_text(delivery(day), encoding="utf-8")
    registry = root / "registry"
    registry.mkdir()
    path = registry / "people.yaml"
    path.write_text(REGISTRY, encoding="utf-8")
    expectations = root / "expectations"
    expectations.mkdir()
    (expectations / "people.json").write_text(
        json.dumps({"name": "people", "expectations": []}), encoding="utf-8"
    )
    settings = make_settings(
        root / "home",
        PUBDATA_LANDING=str(root / "landing"),
        PUBDATA_REGISTRY=str(registry),
        PUBDATA_EXPECTATIONS=str(expectations),
        PUBDATA_CLEARANCE="restricted",
    )
    lake = ReviewLake(root, settings, path, [])
    for index, day in enumerate(DAYS):
        lake.run(day, f"r{index + 1}", [withheld_entry()] if withheld else None)
    return lake
