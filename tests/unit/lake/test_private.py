"""On a local lake the restricted zone, and the raw values under PUBDATA_HOME, are owner-only."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from etl.lake import delta
from etl.lake.layout import integrated_table_uri, quarantine_table_uri, zone_table_uri
from etl.lake.private import private_folder, restricted_root, seal
from etl.pipeline import amend
from etl.zones import Zone
from tests.unit.lineage.conftest import DAY, People, make_people
from tests.unit.other_user import NOBODY, reachable_root, run_as


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """Umask 0: every mode below comes from the code, not from the test's environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def people() -> Iterator[People]:
    """A register run through the pipeline's steps in a folder the other user can enter."""
    root = reachable_root()
    try:
        yield make_people(root)
    finally:
        shutil.rmtree(root)


def assert_owner_only(top: Path) -> list[Path]:
    found = [top, *top.rglob("*")]
    for path in found:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    return found


def test_a_pipeline_run_leaves_the_restricted_zone_owner_only(people: People) -> None:
    lake = Path(people.settings.lake)
    found = assert_owner_only(lake / Zone.RESTRICTED)
    quarantine = Path(quarantine_table_uri(people.settings.lake, "population", "people"))
    assert quarantine in found and any(p.suffix == ".parquet" for p in found)
    assert any(p.parent.name == "_delta_log" for p in found)
    # the shared zone keeps the modes its readers need (umask 0 here: world-readable)
    shared = [p for p in (lake / Zone.SHARED).rglob("*") if p.is_file()]
    assert shared and all(mode(p) & 0o044 == 0o044 for p in shared)


def test_resubmitted_rows_are_owner_only_and_a_rerun_is_sealed_too(
    people: People, tmp_path: Path
) -> None:
    fixed = tmp_path / "fixed.csv"
    row = {"xm": "刘洋", "sfzh": "420102199003074578", "sjhm": "1", "amount": "3", "_source_row": 4}
    pacsv.write_csv(pa.Table.from_pylist([row]), fixed)
    stored = amend.store(
        people.settings, "people", DAY, fixed, ["xm", "sfzh", "sjhm", "amount"], {3, 4}
    )
    assert stored in assert_owner_only(people.settings.resubmissions)
    people.run("r2")  # new files in the restricted and quarantine tables
    assert_owner_only(Path(people.settings.lake) / Zone.RESTRICTED)


def test_another_os_user_cannot_enter_the_restricted_zone_but_reads_the_shared_one(
    people: People,
) -> None:
    lake = Path(people.settings.lake)
    restricted = next((lake / Zone.RESTRICTED).rglob("*.parquet"))
    shared = next((lake / Zone.SHARED).rglob("*.parquet"))
    code = f"""
import os
for action, path in (("list", {str(lake / Zone.RESTRICTED)!r}), ("read", {str(restricted)!r})):
    try:
        os.listdir(path) if action == "list" else open(path, "rb").read(4)
        print(action, "allowed")
    except PermissionError:
        print(action, "refused")
with open({str(shared)!r}, "rb") as f:
    print("shared", f.read(4).decode())
"""
    assert run_as(NOBODY, code) == (0, "list refused\nread refused\nshared PAR1\n")


def test_integrated_restricted_tables_are_sealed_and_other_places_are_left_alone(
    tmp_path: Path,
) -> None:
    lake = str(tmp_path / "lake")
    records = integrated_table_uri(lake, "population", "records")
    assert restricted_root(records) == tmp_path / "lake" / Zone.RESTRICTED
    assert restricted_root(zone_table_uri(lake, Zone.RESTRICTED, "population", "people"))
    for elsewhere in (
        integrated_table_uri(lake, "population", "records", Zone.SHARED),
        zone_table_uri(lake, Zone.SHARED, "restricted", "people"),  # a domain named so
        f"{lake}/_meta/lineage_runs",
        "s3://lake/restricted/population/people",
    ):
        assert restricted_root(elsewhere) is None, elsewhere
        assert seal(elsewhere) == 0
    delta.append(records, pa.table({"gmsfhm": ["k"], "_logical_date": [date(2024, 6, 1)]}))
    assert_owner_only(tmp_path / "lake" / Zone.RESTRICTED)
    shared = integrated_table_uri(lake, "population", "records", Zone.SHARED)
    delta.append(shared, pa.table({"gmsfhm": ["t"]}))
    assert mode(Path(shared)) == 0o777  # the umask's (0 here): not the restricted zone


def test_an_existing_lake_is_made_private_on_its_next_write(tmp_path: Path) -> None:
    root = tmp_path / "lake" / Zone.RESTRICTED
    (root / "population").mkdir(parents=True, mode=0o755)
    root.chmod(0o755)
    uri = zone_table_uri(str(tmp_path / "lake"), Zone.RESTRICTED, "population", "people")
    delta.replace_partition(uri, pa.table({"_logical_date": [DAY], "x": [1]}), DAY, {})
    assert_owner_only(root)


def test_private_folder_makes_each_level_owner_only(tmp_path: Path) -> None:
    top = tmp_path / "resubmissions"
    top.mkdir(mode=0o755)
    made = private_folder(top / "people" / "2024-06-01", top)
    assert [mode(p) for p in (top, top / "people", made)] == [0o700] * 3
