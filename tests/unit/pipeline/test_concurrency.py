"""Runs of one dataset that overlap: each date ends with exactly one run's rows, and _meta agrees.

The interleavings are made deterministic by running the second run from inside the first one's
commit (a real run, in the same process); one test starts real processes at the same moment.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.errors import ConcurrentRun
from etl.lake import delta
from etl.lineage import read_meta
from etl.pipeline.local import run_local
from etl.pipeline.steps_publish import COMMIT_ORDER
from etl.pipeline.warm import WARM_MODULES
from etl.registry import Dataset
from etl.runtime.context import RunContext
from etl.settings import Settings
from tests.unit.pipeline.test_pipeline_steps import DAY, HEADER, ROWS, ctx, setup


def tables_of(settings: Settings, dataset: Dataset) -> dict[str, str]:
    lake, dom, ident = settings.lake, dataset.domain, dataset.id
    return {
        "restricted": f"{lake}/restricted/{dom}/{ident}",
        "quarantine": f"{lake}/restricted/{dom}/{ident}__quarantine",
        "shared": f"{lake}/shared/{dom}/{ident}",
        "open": f"{lake}/open/{dom}/{ident}",
    }


def assert_one_run_per_date(settings: Settings, dataset: Dataset, day: date) -> str:
    """The invariants after runs of ``day`` ended (however they ended); returns the winner.

    - every table holds the date's rows of one run; those the run whose ``success`` has the
      highest generation wrote (a held run writes restricted only) hold its rows and state its
      generation as their claim;
    - ``_meta`` never says success for a run whose commits are not the ones the tables hold;
    - every commit of the date in a zone table has a lineage_runs row of its run.
    """
    runs = read_meta(settings.lake, "lineage_runs")
    runs = runs.filter(
        pc.and_(
            pc.equal(runs["dataset"], dataset.id),
            pc.equal(runs["logical_date"], pa.scalar(day, pa.date32())),
        )
    ).to_pylist()
    success = [r for r in runs if r["status"] == "success"]
    top = max(r["generation"] for r in success)
    winner = {r["run_id"] for r in success if r["generation"] == top}
    assert len(winner) == 1
    run_id = winner.pop()
    app = delta.date_app_id(day.isoformat())
    written = {r["zone"] for r in success if r["run_id"] == run_id}
    for name, uri in tables_of(settings, dataset).items():
        if not delta.table_exists(uri):
            assert name not in written
            continue
        table = delta.read(uri)
        held = table.filter(pc.equal(table["_logical_date"], pa.scalar(day, pa.date32())))
        assert len(set(held["_run_id"].to_pylist())) <= 1, name
        recorded = {(r["run_id"], r["delta_version"]) for r in runs if r["zone"] == name}
        for commit in delta.history(uri):
            if commit.get("pubdata.logical_date") == day.isoformat():
                assert (commit["pubdata.run_id"], commit["version"]) in recorded, (name, commit)
        if name in written:
            assert set(held["_run_id"].to_pylist()) <= {run_id}, name
            assert delta.generation(uri, app) == top, name
    return run_id


def during_commit(
    monkeypatch: pytest.MonkeyPatch, table: str, run: str, action: Callable[[], Any]
) -> None:
    """Run ``action`` just before (table ``!restricted``) or after a commit of ``run``."""
    real = delta.commit
    done: list[bool] = []

    def commit(staged: delta.Staged, metadata: Any, claim: Any, owner: Any = None) -> int:
        before = table.startswith("!")
        hit = metadata.get("zone") == table.lstrip("!") and metadata["pubdata.run_id"] == run
        if hit and before and not done:
            done.append(True)
            action()
        version = real(staged, metadata, claim, owner)
        if hit and not before and not done:
            done.append(True)
            action()
        return version

    monkeypatch.setattr(delta, "commit", commit)


def test_a_run_started_while_another_is_loading_takes_the_date_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, dataset = setup(tmp_path)
    during_commit(monkeypatch, "restricted", "a", lambda: run_local(settings, dataset, ctx("b")))
    with pytest.raises(ConcurrentRun, match=r"later run of the same date|run b replaced it"):
        run_local(settings, dataset, ctx("a"))
    assert assert_one_run_per_date(settings, dataset, DAY) == "b"
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    # a failed; its restricted commit, replaced by b, is recorded by b as superseded
    assert {(r["status"], r["zone"]) for r in runs if r["run_id"] == "a"} == {
        ("failed", None),
        ("superseded", "restricted"),
    }


def test_a_run_that_read_the_date_before_another_committed_it_loses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, dataset = setup(tmp_path)
    run_local(settings, dataset, ctx("first"))
    during_commit(monkeypatch, "!restricted", "b", lambda: run_local(settings, dataset, ctx("a")))
    with pytest.raises(ConcurrentRun, match="run a replaced it"):
        run_local(settings, dataset, ctx("b"))
    assert assert_one_run_per_date(settings, dataset, DAY) == "a"
    lost = [r for r in read_meta(settings.lake, "lineage_runs").to_pylist() if r["run_id"] == "b"]
    # b committed nothing: its failure, and a's note that it replaced the date under b
    assert {(r["status"], r["zone"]) for r in lost} == {("failed", None), ("superseded", None)}
    for uri in tables_of(settings, dataset).values():  # the loser's files were deleted
        ever = {
            Path(f.removeprefix("file://"))
            for v in range(delta.version(uri) + 1)  # type: ignore[operator]
            for f in delta.open_table(uri, v).file_uris()
        }
        assert set(Path(uri).rglob("*.parquet")) == ever
    assert COMMIT_ORDER[0] == "restricted"  # the table that claims the date


def _run_at(
    settings: Settings, dataset: Dataset, day: str, run: str, start: Any, queue: Any
) -> None:
    context = RunContext(dataset.id, dataset.dag_id, run, date.fromisoformat(day))
    start.wait(timeout=120)  # every process is ready: they start together
    try:
        run_local(settings, dataset, context)
        queue.put((run, "ok"))
    except ConcurrentRun as exc:
        queue.put((run, str(exc)))


@pytest.mark.slow  # four real processes racing on one lake
def test_processes_running_two_dates_of_a_new_dataset_and_one_date_twice(tmp_path: Path) -> None:
    # a new dataset: no table exists yet, every run races to create each of them
    settings, dataset = setup(tmp_path)
    day2 = date(2024, 6, 2)
    (settings.landing / "ps" / f"{day2.isoformat()}.csv").write_text(
        HEADER + "\n".join(ROWS[:2]) + "\n", encoding="gbk"
    )
    # delta-rs' runtime must not be forked: the processes are forked from a fork server that
    # only imported what a run imports (as the DAG runner does before it forks its tasks), so
    # they start warm, with no runtime yet, instead of importing GX each (a spawn)
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload([*WARM_MODULES, __name__])
    queue = server.Queue()
    jobs = [("2024-06-01", "a"), ("2024-06-01", "b"), ("2024-06-02", "c")]
    start = server.Barrier(len(jobs))
    procs = [
        server.Process(target=_run_at, args=(settings, dataset, day, run, start, queue))
        for day, run in jobs
    ]
    for p in procs:
        p.start()
    outcomes = dict(queue.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert outcomes["c"] == "ok"  # other dates never conflict
    assert "ok" in (outcomes["a"], outcomes["b"])  # one of a date's runs at least stands
    assert assert_one_run_per_date(settings, dataset, DAY) in {"a", "b"}
    assert assert_one_run_per_date(settings, dataset, day2) == "c"
