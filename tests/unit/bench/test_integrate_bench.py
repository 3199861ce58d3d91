"""The integration benchmark: its generated contributors, its checks, and a small run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from bench import integrate, population
from bench.children import Child
from etl.integrate import load_domains
from etl.integrate.keys import person_keys
from etl.registry import load_registry
from tests.conftest import REPO

ROWS = 3_000
SEED = 11


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, integrate.Manifest]:
    cache = tmp_path_factory.mktemp("bench-cache")
    folder = integrate.cache_folder(ROWS, SEED, cache)
    pools = population.build_pools(SEED, scale=0.05)  # small pools: Faker is the slow part
    return folder, integrate.generate(folder, ROWS, SEED, pools=pools)


def _read(folder: Path, name: str) -> pa.Table:
    with pa.memory_map(str(folder / f"{name}.arrow")) as source:
        return pa.ipc.open_stream(source).read_all()


def test_the_contributors_match_the_registry_and_share_the_register_persons(
    generated: tuple[Path, integrate.Manifest],
) -> None:
    folder, manifest = generated
    registry = load_registry(REPO / "datasets")
    domain = load_domains(registry).get(integrate.DOMAIN)
    assert set(domain.datasets) == {integrate.REGISTER, integrate.RELIEF, integrate.CLINIC}
    lineage = ["_source_file", "_source_sha256", "_source_row", "_run_id", "_logical_date"]
    for name, delivery in integrate.DELIVERIES.items():
        table = _read(folder, name)
        columns = registry.get(delivery.dataset).column_types
        assert table.column_names == [*columns, *lineage], name
        assert table.num_rows == manifest.delivered[name]
        assert pc.all(pc.equal(table["_run_id"], delivery.run_id)).as_py()
    persons = _read(folder, integrate.REGISTER)["gmsfhm"]
    # the planted bad rows of the population file are what the pipeline quarantines
    assert manifest.persons == len(persons) == ROWS - sum(population.planted_counts(ROWS).values())
    assert pc.count_distinct(persons).as_py() == manifest.persons
    assert person_keys(persons).null_count == 0
    relief = person_keys(_read(folder, integrate.RELIEF)["sfzh"])
    clinic = person_keys(_read(folder, integrate.CLINIC)["sfzh"])
    update = person_keys(_read(folder, integrate.UPDATE)["sfzh"])
    assert relief.null_count == 0 and pc.all(pc.is_in(relief, value_set=persons)).as_py()
    assert clinic.null_count == manifest.bad_keys > 0
    assert pc.all(pc.is_in(clinic.drop_null(), value_set=persons)).as_py()
    legacy = pc.equal(pc.utf8_length(_read(folder, integrate.CLINIC)["sfzh"]), 15)
    assert pc.sum(legacy).as_py() == manifest.legacy_keys > 0
    assert len(update) == manifest.update_persons == round(manifest.persons / 100)
    assert pc.count_distinct(update).as_py() == len(update)


def test_generation_is_deterministic(
    generated: tuple[Path, integrate.Manifest], tmp_path: Path
) -> None:
    folder, manifest = generated
    again = integrate.generate(tmp_path, ROWS, SEED, pools=population.build_pools(SEED, scale=0.05))
    assert (again.persons, again.delivered, again.bad_keys) == (
        manifest.persons,
        manifest.delivered,
        manifest.bad_keys,
    )
    for name in integrate.DELIVERIES:
        assert _read(tmp_path, name).equals(_read(folder, name)), name


def _child(seconds: float, rss: float, **data: object) -> Child:
    return Child(True, seconds + 3, rss, data={"seconds": seconds, **data})


def _measurement(manifest: integrate.Manifest, **changes: object) -> integrate.Measurement:
    runs = [
        {"dataset": integrate.REGISTER, "rows": manifest.persons, "keys_matched": manifest.persons},
        {"dataset": integrate.RELIEF, "rows": ROWS, "keys_matched": ROWS},
        {"dataset": integrate.CLINIC, "rows": ROWS, "keys_matched": ROWS - manifest.bad_keys},
    ]
    counts = {"inserted": manifest.persons, "opened": 40, "touched": manifest.persons}
    full = _child(20.0, 900.0, mode="full", runs=runs, counts=counts)
    update = manifest.update_persons
    incremental = _child(
        1.5,
        700.0,
        mode="incremental",
        runs=[{"dataset": integrate.RELIEF, "rows": update, "keys_matched": update}],
        counts={"touched": update, "inserted": 0, "opened": 0},
    )
    fold_versions = changes.pop("fold_versions", None)
    for key, value in changes.items():
        (full if not key.startswith("incremental_") else incremental).data[
            key.removeprefix("incremental_")
        ] = value
    tables = {"records": 3, "candidates": 3, "conflicts": 3}
    fold = _child(9.0, 800.0, versions=tables if fold_versions is None else fold_versions)
    m = integrate.Measurement(manifest, _child(4.0, 500.0), full, incremental, fold)
    m.checks = integrate.check(m)
    return m


def test_targets_and_checks(generated: tuple[Path, integrate.Manifest]) -> None:
    _, manifest = generated
    m = _measurement(manifest)
    assert m.checks == []
    assert m.full_ratio == 5.0 and m.incremental_share == 0.075
    assert m.targets() == {
        "full_le_4x_floor": False,
        "incremental_le_10pct_full": True,
        "peak_le_2gb": True,
    }
    header, rule, row = integrate.table([m]).splitlines()
    assert header.split()[:3] == ["rows", "persons", "rows"]
    assert len(rule) >= len(row)
    assert "5.0x" in row and "8%" in row and "9.00" in row and row.endswith("ok")
    wrong = _measurement(manifest, counts={"inserted": 5, "opened": 0}, incremental_mode="full")
    assert any(f"5 records, {manifest.persons} persons" in p for p in wrong.checks)
    assert any("no conflict" in p for p in wrong.checks)
    assert any("not incrementally" in p for p in wrong.checks)
    unfolded = _measurement(manifest, fold_versions={})
    assert unfolded.checks == ["fold: committed [], not the three tables"]
    assert integrate.table([wrong]).splitlines()[2].endswith("FAIL")


@pytest.mark.slow  # five real child processes
def test_the_bench_runs_end_to_end_on_a_small_repository(
    generated: tuple[Path, integrate.Manifest], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, manifest = generated
    cache = folder.parent
    options = ["--rows", str(ROWS), "--seed", str(SEED), "--cache", str(cache)]
    code = integrate.main([*options, "--floor-runs", "1", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["checks"] == [], report["checks"]
    assert code == 0
    assert report["full"]["data"]["mode"] == "full"
    assert report["incremental"]["data"]["counts"]["touched"] == manifest.update_persons
    assert report["floor"]["data"]["rows_in"] == sum(
        manifest.delivered[n] for n in (integrate.REGISTER, integrate.RELIEF, integrate.CLINIC)
    )
    assert report["full_ratio"] > 0 and report["incremental_share"] > 0
    assert set(report["targets"]) == {
        "full_le_4x_floor",
        "incremental_le_10pct_full",
        "peak_le_2gb",
    }
    assert [p.name for p in cache.iterdir() if p.name.startswith("integrate-")] == [folder.name]
