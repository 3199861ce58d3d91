"""A lake with every sample dataset loaded in-process, plus the states the pages must show.

The repository's registry is copied and changed in two places so that every flag appears:
``budget_execution`` is registered as 重要数据 (an IMP review and a restricted-only run) and
``enterprise_registry`` as 核心数据 (its run is refused and recorded as failed). A drift hold is
recorded for ``household_register``, an R5 重要数据 candidate for ``budget_execution`` (its
registry flag makes its runs' own IMP rows decided) and a withheld column for ``clinic_visits``,
through the same writer the record step uses. Runs get Airflow-style run ids so that the pages
link to Airflow runs.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from etl.classify.model import DatasetClassification
from etl.errors import PubdataError
from etl.lineage import append_rows
from etl.lineage.reviews import review_rows
from etl.pipeline.local import local_context, run_local
from etl.registry import Registry, load_registry
from etl.runtime.records import RuleHit, Withheld
from etl.settings import Settings
from tests.conftest import REPO, make_settings

DAY = date(2024, 6, 1)
NEXT_DAY = date(2024, 6, 2)
IMPORTANT = "budget_execution"
CORE = "enterprise_registry"
DRIFTED = "household_register"
DRIFT_COLUMN = "hh"
WITHHELD = "clinic_visits"
WITHHELD_COLUMN = "ksmc"


def run_id(day: date) -> str:
    """The run id Airflow gives a scheduled run of ``day``."""
    return f"scheduled__{day.isoformat()}T00:00:00+00:00"


@dataclass(frozen=True)
class SampleLake:
    settings: Settings
    registry: Registry


def _copy_registry(target: Path) -> Path:
    shutil.copytree(REPO / "datasets", target)
    for path in target.rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("id") in (IMPORTANT, CORE):
            flag = "important" if data["id"] == IMPORTANT else "core"
            data.setdefault("classification", {})[flag] = True
            path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


def build_sample_lake(root: Path) -> SampleLake:
    """Run every dataset for DAY (and the datasets delivered on NEXT_DAY for that day too)."""
    settings = make_settings(root / "home", PUBDATA_REGISTRY=str(_copy_registry(root / "registry")))
    registry = load_registry(settings.registry)
    for ds in registry.datasets.values():
        for day in (DAY, NEXT_DAY):
            if day == NEXT_DAY and not any((settings.landing / ds.department).rglob("*-06-02*")):
                continue
            try:
                run_local(settings, ds, local_context(ds, day, run_id(day)))
            except PubdataError:
                assert ds.id == CORE, f"{ds.id} {day} failed"
    drifted = registry.datasets[DRIFTED]
    append_rows(
        settings.lake,
        "reviews",
        review_rows(
            lineage_run_id=f"{drifted.dag_id}/{run_id(NEXT_DAY)}",
            dataset=DRIFTED,
            logical_date=NEXT_DAY,
            classification=DatasetClassification((), "L1", (), ()),
            held=[f"column '{DRIFT_COLUMN}' changed from none/L2 to id_card/L3"],
            registry_important=False,
            now=datetime.now(UTC),
        ),
    )
    candidate = registry.datasets[IMPORTANT]
    append_rows(
        settings.lake,
        "reviews",
        review_rows(
            lineage_run_id=f"{candidate.dag_id}/{run_id(DAY)}",
            dataset=IMPORTANT,
            logical_date=DAY,
            classification=DatasetClassification(
                (), "L4", ("IMP",), (RuleHit(id="R5", text="R5 scale: 12,000 distinct persons"),)
            ),
            held=[],
            registry_important=False,
            now=datetime.now(UTC),
        ),
    )
    guarded = registry.datasets[WITHHELD]
    append_rows(
        settings.lake,
        "reviews",
        review_rows(
            lineage_run_id=f"{guarded.dag_id}/{run_id(DAY)}",
            dataset=WITHHELD,
            logical_date=DAY,
            classification=DatasetClassification((), "L1", (), ()),
            held=[],
            registry_important=False,
            now=datetime.now(UTC),
            withheld=[
                Withheld(
                    column=WITHHELD_COLUMN,
                    category="person_name",
                    grade="L3",
                    values=120,
                    checked=600,
                )
            ],
        ),
    )
    return SampleLake(settings, registry)
