"""The commit protocol of etl.lake.delta: claims on a date, conflicts, take-overs, retries."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.errors import ConcurrentRun
from etl.lake import delta, maintenance
from tests.conftest import make_settings

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)
APP = delta.date_app_id(D1.isoformat())


def rows(run: str, n: int, d: date = D1) -> pa.Table:
    return pa.table(
        {
            "v": [f"{run}-{i}" for i in range(n)],
            "_run_id": [run] * n,
            "_logical_date": pa.array([d] * n, pa.date32()),
        }
    )


def files(uri: str) -> set[str]:
    root = Path(uri)
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet")}


def live(uri: str) -> set[str]:
    """The files the table's current version refers to, relative to the table."""
    return {
        str(Path(f.removeprefix("file://")).relative_to(uri))
        for f in delta.open_table(uri).file_uris()
    }


def run_ids(uri: str, d: date = D1) -> dict[str, int]:
    table = delta.read(uri)
    table = table.filter(pa.compute.equal(table["_logical_date"], pa.scalar(d, pa.date32())))
    out: dict[str, int] = {}
    for run in table["_run_id"].to_pylist():
        out[run] = out.get(run, 0) + 1
    return out


def test_two_claims_of_a_new_date_one_wins_and_the_loser_leaves_nothing(tmp_path: Path) -> None:
    # Without the claim both blind adds of a date with no files yet commit: 2 + 3 rows of D1.
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, rows("other", 1, D2), D2, {})  # the table exists, D1 is new
    base = delta.snapshot(uri)
    first = delta.stage(uri, rows("a", 2), "2024-06-01", base)
    second = delta.stage(uri, rows("b", 3), "2024-06-01", base)
    meta = {"pubdata.logical_date": "2024-06-01"}
    delta.commit(first, {**meta, "pubdata.run_id": "a"}, delta.claim(base, APP))
    with pytest.raises(ConcurrentRun, match="run a replaced it"):
        delta.commit(second, {**meta, "pubdata.run_id": "b"}, delta.claim(base, APP))
    assert run_ids(uri) == {"a": 2}
    assert files(uri) == live(uri)  # the loser's files are gone
    assert delta.generation(uri, APP) == 1


def test_two_dates_on_a_table_that_does_not_exist_yet_both_commit(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    first = delta.stage(uri, rows("a", 2), "2024-06-01", None)
    second = delta.stage(uri, rows("b", 1, D2), "2024-06-02", None)
    delta.commit(first, {}, delta.Claim(APP, 1))
    delta.commit(second, {}, delta.Claim(delta.date_app_id("2024-06-02"), 1))  # creation race
    assert run_ids(uri) == {"a": 2} and run_ids(uri, D2) == {"b": 1}


def test_a_later_table_is_retried_while_the_run_owns_the_date(tmp_path: Path) -> None:
    claim_uri, uri = str(tmp_path / "restricted"), str(tmp_path / "shared")
    delta.replace_partition(uri, rows("old", 1), D1, {"pubdata.run_id": "old"})
    base = delta.snapshot(uri)
    mine = delta.Claim(APP, 1)
    delta.commit(delta.stage(claim_uri, rows("a", 1), "2024-06-01", None), {}, mine)
    staged = delta.stage(uri, rows("a", 2), "2024-06-01", base)
    delta.replace_partition(uri, rows("late", 1), D1, {})  # commits after this run read `base`
    version = delta.commit(
        staged, {}, mine, owner=lambda: delta.generation(claim_uri, APP) == mine.generation
    )
    assert run_ids(uri) == {"a": 2}
    assert version == delta.version(uri)


def test_a_run_overtaken_on_its_first_table_stops_before_its_later_ones(tmp_path: Path) -> None:
    claim_uri, uri = str(tmp_path / "restricted"), str(tmp_path / "shared")
    a, b = delta.Claim(APP, 1), delta.Claim(APP, 2)
    a_later = delta.stage(uri, rows("a", 2), "2024-06-01", None)
    delta.commit(delta.stage(claim_uri, rows("a", 2), "2024-06-01", None), {}, a)
    base = delta.snapshot(claim_uri)
    delta.commit(delta.stage(claim_uri, rows("b", 1), "2024-06-01", base), {}, b)
    delta.commit(delta.stage(uri, rows("b", 1), "2024-06-01", None), {}, b, owner=lambda: True)
    with pytest.raises(ConcurrentRun):
        delta.commit(a_later, {}, a, owner=lambda: delta.generation(claim_uri, APP) == 1)
    assert run_ids(claim_uri) == {"b": 1} and run_ids(uri) == {"b": 1}
    assert files(uri) == live(uri)


def test_appends_once_are_not_doubled(tmp_path: Path) -> None:
    uri = str(tmp_path / "m")
    assert delta.append(uri, pa.table({"n": [1]}), once=("run/record", 3)) == 0
    assert delta.append(uri, pa.table({"n": [1]}), once=("run/record", 3)) is None
    assert delta.append(uri, pa.table({"n": [2]}), once=("run/record", 4)) == 1
    assert sorted(delta.read(uri)["n"].to_pylist()) == [1, 2]


def _replace_at(uri: str, run: str, start: float, queue: multiprocessing.Queue) -> None:
    time.sleep(max(0.0, start - time.time()))
    try:
        meta = {"pubdata.run_id": run, "pubdata.logical_date": D1.isoformat()}
        delta.replace_partition(uri, rows(run, 3), D1, meta)
        queue.put((run, "ok"))
    except ConcurrentRun as exc:
        queue.put((run, f"lost: {exc}"))


def _append_at(uri: str, n: int, start: float, queue: multiprocessing.Queue) -> None:
    time.sleep(max(0.0, start - time.time()))
    delta.append(uri, pa.table({"n": [n]}))
    queue.put(n)


def _spawn(target: object, args: list[tuple[object, ...]]) -> list[object]:
    ctx = multiprocessing.get_context("spawn")  # delta-rs' runtime must not be forked
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, queue)) for a in args]  # type: ignore[arg-type]
    for p in procs:
        p.start()
    out = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return out


def test_processes_replacing_one_new_date_at_once_leave_one_run(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    start = time.time() + 3  # past the spawned interpreters' imports
    results = dict(_spawn(_replace_at, [(uri, f"r{i}", start) for i in range(4)]))
    winners = [run for run, outcome in results.items() if outcome == "ok"]
    held = run_ids(uri)
    assert len(held) == 1 and next(iter(held.values())) == 3  # one run's rows, whole
    assert next(iter(held)) in winners
    assert all("replaced it" in o for r, o in results.items() if r not in winners)


def test_processes_appending_to_a_new_meta_table_at_once_all_land(tmp_path: Path) -> None:
    uri = str(tmp_path / "_meta" / "lineage_runs")
    start = time.time() + 3
    assert sorted(_spawn(_append_at, [(uri, n, start) for n in range(4)])) == [0, 1, 2, 3]  # type: ignore[type-var]
    assert sorted(delta.read(uri)["n"].to_pylist()) == [0, 1, 2, 3]


def test_maintenance_vacuum_removes_files_of_a_killed_load(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    uri = f"{settings.lake}/restricted/population/people"
    delta.replace_partition(uri, rows("a", 1), D1, {})
    orphan = delta.stage(uri, rows("killed", 2), "2024-06-01", delta.snapshot(uri))
    name = orphan.files[0][0]
    old = time.time() - (settings.retention_hours + 1) * 3600
    os.utime(Path(uri) / name, (old, old))  # the load was killed before its commit, long ago
    young = delta.stage(uri, rows("running", 2), "2024-06-01", delta.snapshot(uri))
    assert maintenance.vacuum_table(settings, uri) == 1
    assert files(uri) == live(uri) | {young.files[0][0]}
    assert run_ids(uri) == {"a": 1}
