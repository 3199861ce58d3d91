"""Runs staged in small batches give exactly what one-piece runs give (the streaming contract)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from etl.lake import delta
from etl.pipeline import steps_ingest, steps_publish, steps_record
from etl.pipeline.local import local_context, run_local
from etl.registry import load_registry
from etl.runtime import staging
from etl.runtime.context import staging_dir
from etl.runtime.records import ValidationResult
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
# GBK CSV with ragged rows and a compound key; JSONL read whole then staged in batches; GB18030
# CSV with a unique key; xlsx.
DATASETS = ["household_register", "vehicle_positions", "relief_payments", "clinic_visits"]


def _outcome(home: Path, batch_rows: int, dataset_id: str, workers: int = 2) -> dict[str, Any]:
    # two workers: batched runs validate in forked GX worker processes, whatever the machine
    settings = make_settings(home, PUBDATA_BATCH_ROWS=str(batch_rows), PUBDATA_WORKERS=str(workers))
    dataset = load_registry(settings.registry).get(dataset_id)
    ctx = local_context(dataset, DAY, run_id="same-run")
    steps_ingest.extract(settings, dataset, ctx)
    steps_ingest.validate(settings, dataset, ctx)
    folder = staging_dir(settings, ctx)
    # counted before the record step, which drops the staged values
    staged_batches = staging.count_rows(folder, staging.TYPED)
    row_groups = sum(1 for _ in staging.iter_tables(folder, staging.TYPED))
    steps_publish.classify(settings, dataset, ctx)
    steps_publish.load(settings, dataset, ctx)
    summary = steps_record.record(settings, dataset, ctx).to_dict()
    restricted = delta.read(summary["tables"]["restricted"]).drop_columns(["_run_id"])
    quarantine = delta.read(summary["quarantine_table"])
    validation = json.loads((folder / ValidationResult.FILE).read_text(encoding="utf-8"))
    return {
        "counts": [summary[k] for k in ("rows_in", "rows_loaded", "rows_quarantined")],
        "grade": summary["dataset_grade"],
        "flags": summary["flags"],
        "restricted": restricted.sort_by("_source_row").to_pylist(),
        "quarantine": sorted(
            zip(
                quarantine["_source_row"].to_pylist(),
                quarantine["_reasons"].to_pylist(),
                strict=True,
            )
        ),
        "results": [
            {**r, "unexpected_percent": round(r["unexpected_percent"] or 0, 9)}
            for r in validation["results"]
        ],
        "staged_batches": staged_batches,
        "row_groups": row_groups,
    }


@pytest.mark.parametrize("dataset_id", DATASETS)
def test_small_batches_give_the_same_run(tmp_path: Path, dataset_id: str) -> None:
    whole = _outcome(tmp_path / "whole", 1_000_000, dataset_id)
    batched = _outcome(tmp_path / "batched", 97, dataset_id)
    assert whole["row_groups"] == 1
    assert batched["row_groups"] > 3  # really streamed
    for key in ("counts", "grade", "flags", "restricted", "quarantine", "results"):
        assert batched[key] == whole[key], key
    assert whole["counts"][0] == whole["counts"][1] + whole["counts"][2]


def test_validating_in_this_process_gives_the_same_run(tmp_path: Path) -> None:
    pooled = _outcome(tmp_path / "pooled", 97, "household_register", workers=2)
    alone = _outcome(tmp_path / "alone", 97, "household_register", workers=1)
    assert alone == pooled


def test_a_duplicate_key_across_batches_is_quarantined_in_both_batches(tmp_path: Path) -> None:
    # relief_payments' suite declares a unique key; rows 1 and 650 land in different batches.
    landing = tmp_path / "landing"
    settings = make_settings(tmp_path / "home", PUBDATA_BATCH_ROWS="100")
    dataset = load_registry(settings.registry).get("relief_payments")
    delivered = settings.landing / "civil_affairs" / "relief_payments" / "2024-06-01.csv"
    lines = delivered.read_bytes().split(b"\n")
    lines[650] = lines[1]  # same record again, far from the first
    target = landing / delivered.relative_to(settings.landing)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"\n".join(lines))
    settings = make_settings(
        tmp_path / "home", PUBDATA_BATCH_ROWS="100", PUBDATA_LANDING=str(landing)
    )
    summary = run_local(settings, dataset, local_context(dataset, DAY)).to_dict()
    quarantine = delta.read(summary["quarantine_table"])
    unique = quarantine.filter(pc.match_substring(quarantine["_reasons"], "to_be_unique"))
    assert sorted(unique["_source_row"].to_pylist()) == [1, 650]
