"""A tiny lake: one registered dataset with restricted/shared tables over two dates."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.lake import delta, quarantine_table_uri, zone_table_uri
from etl.settings import Settings
from tests.conftest import make_settings

DATASET = """\
id: people
title: 人口 people
department: public_security
domain: population
source: {kind: file, format: csv, path: "ps/{ds}.csv"}
open: true
"""
D1, D2 = date(2024, 6, 1), date(2024, 6, 2)


def rows(names: list[str], day: date, run: str) -> pa.Table:
    n = len(names)
    return pa.table(
        {
            "xm": names,
            "n": pa.array(range(n), pa.int64()),
            "_run_id": [run] * n,
            "_source_sha256": ["s" * 64] * n,
            "_source_row": pa.array(range(1, n + 1), pa.int64()),
            "_logical_date": pa.array([day] * n, pa.date32()),
        }
    )


@dataclass
class Lake:
    settings: Settings
    before_rerun_ms: int


def settings_for(tmp_path: Path, clearance: str = "shared") -> Settings:
    registry = tmp_path / "registry"
    registry.mkdir(exist_ok=True)
    (registry / "people.yaml").write_text(DATASET, encoding="utf-8")
    return make_settings(
        tmp_path / "home", PUBDATA_REGISTRY=str(registry), PUBDATA_CLEARANCE=clearance
    )


def build_lake(tmp_path: Path) -> Lake:
    """Restricted, shared and open tables over two dates, a re-run of D1 and a quarantine."""
    settings = settings_for(tmp_path)
    for zone in ("restricted", "shared", "open"):
        uri = zone_table_uri(settings.lake, zone, "population", "people")
        delta.replace_partition(uri, rows(["甲", "乙"], D1, "r1"), D1, {})  # v0
        delta.replace_partition(uri, rows(["丙"], D2, "r2"), D2, {})  # v1
    q = quarantine_table_uri(settings.lake, "population", "people")
    bad = rows(["丁"], D1, "r1").append_column("_reasons", pa.array(["not_null(xm)"]))
    delta.replace_partition(q, bad, D1, {})
    time.sleep(0.05)
    marker = int(time.time() * 1000)
    time.sleep(0.05)
    shared = zone_table_uri(settings.lake, "shared", "population", "people")
    delta.replace_partition(shared, rows(["甲", "乙", "戊"], D1, "r3"), D1, {})  # v2: re-run D1
    return Lake(settings, marker)


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return build_lake(tmp_path)


@pytest.fixture(scope="module")
def lake_read_only(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """One lake for a module whose tests only read it (and check that nothing changed)."""
    return build_lake(tmp_path_factory.mktemp("lake"))
