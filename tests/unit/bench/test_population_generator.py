"""The benchmark's population-register generator and its registry entry (bench/)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from stdnum.iso7064 import mod_11_2

from bench import population
from etl.registry import load_registry
from etl.validate import load_suite
from etl.validate.check import check_registry_suites
from tests.conftest import REPO, make_settings

ROWS = 4_000  # covers one planted row of each kind (rows 500, 1500, 2500, 3500)
SEED = 7


@pytest.fixture(scope="module")
def pools() -> population.Pools:
    return population.build_pools(SEED, scale=0.05)  # small pools: Faker is the slow part


@pytest.fixture(scope="module")
def generated(
    pools: population.Pools, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, population.Manifest]:
    path = tmp_path_factory.mktemp("population") / "register.csv"
    return path, population.generate(path, ROWS, seed=SEED, pools=pools)


def _records(path: Path, encoding: str = "utf-8") -> Iterator[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        yield from csv.reader(handle)


def test_header_rows_and_manifest(generated: tuple[Path, population.Manifest]) -> None:
    path, manifest = generated
    records = list(_records(path))
    assert records[0] == list(population.HEADERS)
    assert len(records) - 1 == ROWS == manifest.rows
    assert manifest.bytes == path.stat().st_size
    assert manifest.planted == dict.fromkeys(population.BAD_KINDS, 1)
    saved = json.loads(population.manifest_path(path).read_text(encoding="utf-8"))
    assert saved["planted"] == manifest.planted
    assert population.read_manifest(path) == manifest


def test_rows_are_consistent_and_identifiers_distinct(
    generated: tuple[Path, population.Manifest], pools: population.Pools
) -> None:
    path, _ = generated
    records = list(_records(path))[1:]
    index = {name: i for i, (_, name) in enumerate(population.COLUMNS)}
    ids = [r[0] for r in records]
    assert len(set(ids)) == ROWS
    bad = {
        int(i): population.BAD_KINDS[k]
        for i, k in enumerate(population.bad_kind_of(np.arange(ROWS)))
        if k >= 0
    }
    assert bad == {500: "ragged", 1500: "bad_id", 2500: "bad_phone", 3500: "bad_birth_date"}
    counties = set(pools.counties)
    assert 250 <= len(counties) <= 350
    for number, row in enumerate(records):
        if number in bad:
            continue
        assert len(row) == len(population.COLUMNS)
        gmsfhm, birth = row[index["gmsfhm"]], row[index["csrq"]]
        assert mod_11_2.is_valid(gmsfhm), number
        assert gmsfhm[:6] in counties
        assert gmsfhm[6:14] == birth.replace("-", "")
        assert row[index["xb"]] == ("男" if int(gmsfhm[16]) % 2 else "女")
        assert re.fullmatch(r"1[3-9]\d{9}", row[index["sjhm"]])
        assert re.fullmatch(r"\d{9}", row[index["hh"]])
        if birth > "2002-06-01":  # under 22 on the register's date
            assert row[index["hyzk"]] == "未婚"
        registered = dt.date.fromisoformat(row[index["djrq"]])
        assert dt.date.fromisoformat(birth) <= registered <= population.LAST_REGISTRATION
    assert len(records[500]) == len(population.COLUMNS) + 1
    assert records[1500][0].endswith("Y")
    assert records[2500][index["sjhm"]].startswith("12")
    assert records[3500][index["csrq"]].endswith("-02-30")
    assert any(row[index["hh"]].startswith("0") for row in records)
    notes = [row[index["bz"]] for row in records if len(row) == len(population.COLUMNS)]
    assert 0 < sum(1 for note in notes if note) < ROWS * 0.05


def test_deterministic_and_same_text_in_gbk(
    generated: tuple[Path, population.Manifest], pools: population.Pools, tmp_path: Path
) -> None:
    path, _ = generated
    again = population.generate(tmp_path / "again.csv", ROWS, seed=SEED, pools=pools)
    assert (tmp_path / "again.csv").read_bytes() == path.read_bytes()
    assert again.planted == population.planted_counts(ROWS)
    population.generate(tmp_path / "gbk.csv", ROWS, encoding="gbk", seed=SEED, pools=pools)
    gbk = (tmp_path / "gbk.csv").read_bytes().decode("gbk")
    assert gbk == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("rows", [0, 1, 500, 501, 1500, 1501, 4000, 12_345, 1_000_000])
def test_planted_counts_match_the_layout(rows: int) -> None:
    kinds = population.bad_kind_of(np.arange(rows))
    expected = {k: int(np.sum(kinds == i)) for i, k in enumerate(population.BAD_KINDS)}
    assert population.planted_counts(rows) == expected


def test_bench_registry_and_suite_pass_the_project_checks(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        PUBDATA_REGISTRY=str(REPO / "bench" / "datasets"),
        PUBDATA_EXPECTATIONS=str(REPO / "bench" / "expectations"),
    )
    registry = load_registry(settings.registry)
    assert registry.problems == ()
    dataset = registry.get("population_register")
    assert dataset.normalize is not None
    assert set(dataset.normalize.rename) == set(population.HEADERS)
    assert set(dataset.normalize.rename.values()) == set(dataset.columns)
    checked, problems = check_registry_suites(settings, registry)
    assert problems == []
    assert [p.name for p in checked] == ["population_register.json"]
    suite = load_suite(checked[0])
    assert len(suite.expectations) == 10
    levels = {spec.type: spec.level for spec in suite.expectations}
    assert levels["expect_table_row_count_to_be_between"] == "table"
    assert levels["expect_column_values_to_be_unique"] == "row"


def test_suite_patterns_reject_exactly_the_planted_rows(
    generated: tuple[Path, population.Manifest],
) -> None:
    path, _ = generated
    suite = json.loads((REPO / "bench/expectations/population_register.json").read_text("utf-8"))
    patterns = {
        e["kwargs"]["column"]: re.compile(e["kwargs"]["regex"])
        for e in suite["expectations"]
        if e["type"] == "expect_column_values_to_match_regex"
    }
    assert set(patterns) == {"gmsfhm", "sjhm"}
    index = {name: i for i, (_, name) in enumerate(population.COLUMNS)}
    rejected = {
        number
        for number, row in enumerate(list(_records(path))[1:])
        if len(row) == len(population.COLUMNS)
        and any(not p.search(row[index[column]]) for column, p in patterns.items())
    }
    assert rejected == {1500, 2500}
