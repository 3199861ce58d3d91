"""Maintenance on a real local lake built by the pipeline over the repository's samples."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.lake import delta, meta_table_uri, zone_table_uri
from etl.lake.maintenance import compact, lake_tables, vacuum
from etl.pipeline.local import local_context, run_local
from etl.registry import Registry, load_registry
from etl.settings import Settings
from tests.conftest import make_settings

DATASET = "air_quality"
#: 06-01, 06-02, then 06-01 again: the re-run replaces files, each run appends to every _meta.
RUNS = (date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 1))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Registry]:
    settings = make_settings(tmp_path_factory.mktemp("maint") / "home")
    registry = load_registry(settings.registry)
    spec = registry.get(DATASET)
    for n, day in enumerate(RUNS):
        run_local(settings, spec, local_context(spec, day, run_id=f"manual__maint_{n}"))
    return settings, registry


@pytest.fixture
def lake(built: tuple[Settings, Registry], tmp_path: Path) -> tuple[Settings, Registry]:
    """A private copy of the built lake, so each test starts from the same small files."""
    settings, registry = built
    copy = tmp_path / "lake"
    shutil.copytree(settings.lake, copy)
    return make_settings(settings.home, PUBDATA_LAKE=str(copy)), registry


def _snapshot(settings: Settings, registry: Registry) -> dict[str, list[str]]:
    """Every table's rows, as sorted JSON lines (what readers see)."""
    return {
        t.uri.removeprefix(settings.lake): sorted(
            json.dumps(r, default=str, sort_keys=True) for r in delta.read(t.uri).to_pylist()
        )
        for t in lake_tables(settings, registry, ("curated", "quarantine", "meta"))
    }


def _parquet_files(uri: str) -> set[str]:
    return {
        str(p.relative_to(uri)) for p in Path(uri).rglob("*.parquet") if "_delta_log" not in p.parts
    }


def _live(uri: str) -> set[str]:
    """The files the table's current version consists of, relative to the table."""
    return {
        str(Path(u.removeprefix("file://")).relative_to(uri))
        for u in delta.open_table(uri).file_uris()
    }


def _age_tombstones(uri: str, hours: float) -> None:
    """Make every file a commit removed look removed ``hours`` ago (as if time had passed)."""
    shift = int(hours * 3600 * 1000)
    for entry in sorted((Path(uri) / "_delta_log").glob("*.json")):
        lines = []
        for line in entry.read_text().splitlines():
            action = json.loads(line)
            if "remove" in action and action["remove"].get("deletionTimestamp"):
                action["remove"]["deletionTimestamp"] -= shift
            lines.append(json.dumps(action))
        entry.write_text("\n".join(lines) + "\n")


def test_the_lake_has_every_kind_of_table(lake: tuple[Settings, Registry]) -> None:
    settings, registry = lake
    kinds = {t.kind for t in lake_tables(settings, registry, ("curated", "quarantine", "meta"))}
    assert kinds == {"curated", "quarantine", "meta"}
    assert lake_tables(settings, registry, ("meta",))
    assert all(t.kind == "meta" for t in lake_tables(settings, registry, ("meta",)))


def test_compaction_merges_meta_files_and_changes_no_row(lake: tuple[Settings, Registry]) -> None:
    settings, registry = lake
    before = _snapshot(settings, registry)
    runs = meta_table_uri(settings.lake, "lineage_runs")
    files_before = len(_live(runs))
    assert files_before >= len(RUNS)

    meta = compact(settings, registry, ("meta",))
    assert meta.files_compacted >= files_before
    assert meta.files_written >= 1
    assert meta.tables_skipped == 0
    assert len(_live(runs)) == 1
    assert _snapshot(settings, registry) == before
    assert delta.history(runs, 1)[0]["pubdata.maintenance"] == "compact"

    again = compact(settings, registry, ("meta",))
    assert (again.files_compacted, again.files_written) == (0, 0)


def test_vacuum_keeps_files_inside_the_retention(lake: tuple[Settings, Registry]) -> None:
    settings, registry = lake
    compact(settings, registry, ("curated", "quarantine", "meta"))
    shared = zone_table_uri(settings.lake, "shared", "environment", DATASET)
    on_disk = _parquet_files(shared)
    assert len(on_disk) > len(_live(shared))  # the re-run's replaced files

    counts = vacuum(settings, registry, ("curated", "quarantine", "meta"))
    assert counts.files_removed == 0
    assert _parquet_files(shared) == on_disk
    assert delta.read(shared, version=0).num_rows > 0  # time travel still works


def test_vacuum_removes_files_replaced_before_the_retention(
    lake: tuple[Settings, Registry],
) -> None:
    settings, registry = lake
    compact(settings, registry, ("curated", "quarantine", "meta"))
    before = _snapshot(settings, registry)
    tables = lake_tables(settings, registry, ("curated", "quarantine", "meta"))
    stale = 0
    for table in tables:
        live = _live(table.uri)
        stale += len(_parquet_files(table.uri) - live)
        _age_tombstones(table.uri, settings.retention_hours + 24)

    counts = vacuum(settings, registry, ("curated", "quarantine", "meta"))
    assert counts.files_removed == stale > 0
    for table in tables:
        live = _live(table.uri)
        assert _parquet_files(table.uri) == live
    assert _snapshot(settings, registry) == before


def test_the_retention_is_never_below_deltas_default(tmp_path: Path) -> None:
    assert Settings.from_env({"PUBDATA_HOME": str(tmp_path)}).retention_hours == 168
    assert Settings.from_env({"PUBDATA_RETENTION_HOURS": "720"}).retention_hours == 720
    with pytest.raises(ConfigError, match="below Delta's default"):
        Settings.from_env({"PUBDATA_RETENTION_HOURS": "24"})
    with pytest.raises(ConfigError, match="whole hours"):
        Settings.from_env({"PUBDATA_RETENTION_HOURS": "7d"})


def test_counts_are_small_plain_values(lake: tuple[Settings, Registry]) -> None:
    settings, registry = lake
    result = compact(settings, registry, ("curated", "quarantine")).as_dict()
    assert set(result) == {
        "tables",
        "files_compacted",
        "files_written",
        "files_removed",
        "tables_skipped",
    }
    assert all(isinstance(v, int) for v in result.values())
    assert result["tables"] == len(lake_tables(settings, registry, ("curated", "quarantine")))


def test_vacuum_removes_what_a_fold_replaced_in_an_integrated_repository(tmp_path: Path) -> None:
    from etl.integrate.engine import integrate
    from etl.integrate.tables import read_integrated
    from etl.lake.merge_on_read import changes_uri
    from tests.unit.integrate.builders import (
        POPULATION,
        id_number,
        make_lake,
        person,
        relief,
        write_domain_files,
    )

    lake = write_domain_files(make_lake(tmp_path), POPULATION)
    people = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(40)]
    for day, who in ((date(2024, 6, 1), people), (date(2024, 6, 2), people[:10])):
        runs = [lake.write("register", day, [person(k, xm=f"人{i}") for i, k in enumerate(who)])]
        runs.append(lake.write("relief", day, [relief(k, jzdz=f"{day}路") for k in who]))
        result = integrate(lake.settings, POPULATION, runs, registry=lake.registry)
    assert result.folded  # a quarter of the persons changed: folded into the base at once
    settings, registry = lake.settings, lake.registry
    tables = lake_tables(settings, registry, ("integrated",))
    uris = {t.uri.removeprefix(settings.lake) for t in tables}
    assert "/restricted/_integrated/population/records" in uris
    assert "/restricted/_integrated/population/records__changes" in uris
    before = {
        t: read_integrated(settings, POPULATION, t).num_rows for t in ("records", "conflicts")
    }
    stale = 0
    for table in tables:
        stale += len(_parquet_files(table.uri) - _live(table.uri))
        _age_tombstones(table.uri, settings.retention_hours + 24)

    counts = vacuum(settings, registry, ("integrated",))
    assert counts.files_removed == stale > 0
    changes = changes_uri(f"{settings.lake}/restricted/_integrated/population/records")
    assert _parquet_files(changes) == set()  # emptied by the fold, vacuumed now
    after = {t: read_integrated(settings, POPULATION, t).num_rows for t in ("records", "conflicts")}
    assert after == before
