"""``kill -9`` of a run after each of its commits: readers never see a partial date, a re-run
of the date succeeds with exactly one copy, and ``_meta`` agrees with the tables.

The run goes through the pipeline steps in a subprocess that ends itself with ``os._exit(137)``
(no cleanup, no exception handler runs: what a SIGKILL leaves) right after its k-th commit, a
commit being a Delta commit of a table or an append to a ``_meta`` table. Each such process is
forked from one warm process of the module (:class:`ForkServer`).
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.lake import delta
from etl.lineage import read_meta
from etl.pipeline.local import run_local
from tests.unit.pipeline.test_concurrency import assert_one_run_per_date, tables_of
from tests.unit.pipeline.test_pipeline_steps import DAY, ctx, setup

pytestmark = pytest.mark.integration

#: Forks one run per request from a process that imported the pipeline and Great Expectations
#: once (etl.pipeline.warm, as the DAG runner does before it forks its tasks): a fresh
#: interpreter per kill point paid ~4 s of imports each. A request is a line naming the pickled
#: arguments and a file for the child's output; the answer is a line with the child's exit code.
#: Nothing here touches the lake before forking (deltalake's runtime starts in the child).
FORK_SERVER = """
import os, pickle, sys
from etl.lake import delta
from etl.pipeline.local import run_local
from etl.pipeline.warm import preload
preload()
def counted(real, kill_after, count):
    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        count[0] += 1
        if count[0] == kill_after:
            os._exit(137)
        return result
    return call
for line in sys.stdin:
    args, err = line.split()
    pid = os.fork()
    if pid == 0:
        out = os.open(err, os.O_WRONLY | os.O_CREAT, 0o600)
        os.dup2(out, 1)  # the answers' pipe is the server's alone
        os.dup2(out, 2)
        settings, dataset, context, kill_after = pickle.load(open(args, "rb"))
        count = [0]
        delta.commit = counted(delta.commit, kill_after, count)
        delta.append = counted(delta.append, kill_after, count)
        run_local(settings, dataset, context)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class ForkServer:
    """The :data:`FORK_SERVER` process: each kill runs in a child forked from it."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", FORK_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, args: Path, err: Path) -> int:
        """Run the pickled (settings, dataset, context, kill_after) in a child; its exit code."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{args} {err}\n")
        self._proc.stdin.flush()
        return int(self._proc.stdout.readline())

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(timeout=60)


@pytest.fixture(scope="module")
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    try:
        yield server
    finally:
        server.close()


#: Commits of one run: the loads row (1), restricted (2), quarantine (3), shared (4), open (5),
#: then _meta: source_files, quarantine_rows, validation_results, classifications,
#: column_lineage, reviews (6-11; reviews has rows only for holds) and lineage_runs last.
KILL_POINTS = [1, 2, 3, 4, 5, 7, 9]


def day_rows(uri: str) -> dict[str, int]:
    table = delta.read(uri)
    table = table.filter(pc.equal(table["_logical_date"], pa.scalar(DAY, pa.date32())))
    counts: dict[str, int] = {}
    for run in table["_run_id"].to_pylist():
        counts[run] = counts.get(run, 0) + 1
    return counts


@pytest.mark.parametrize("kill_after", KILL_POINTS)
def test_a_run_killed_after_any_commit_is_recovered_by_a_re_run(
    tmp_path: Path, kill_after: int, fork_server: ForkServer
) -> None:
    settings, dataset = setup(tmp_path)
    before = run_local(settings, dataset, ctx("previous")).to_dict()
    args, err = tmp_path / "args.pickle", tmp_path / "killed.stderr"
    args.write_bytes(pickle.dumps((settings, dataset, ctx("killed"), kill_after)))
    code = fork_server.run(args, err)
    assert code == 137, err.read_text(errors="replace")[-2000:] if err.is_file() else code

    # between the kill and the re-run: every table holds one whole run's rows of the date
    for name, uri in tables_of(settings, dataset).items():
        held = day_rows(uri)
        assert len(held) == 1, name
        expected = before["rows_quarantined"] if name == "quarantine" else before["rows_loaded"]
        assert list(held.values()) == [expected], name
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert not [r for r in runs if r["run_id"] == "killed" and r["status"] == "success"]

    again = run_local(settings, dataset, ctx("rerun")).to_dict()
    assert again["status"] == "success"
    assert assert_one_run_per_date(settings, dataset, DAY) == "rerun"
    for uri in tables_of(settings, dataset).values():
        assert set(day_rows(uri)) == {"rerun"}
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    killed = [r for r in runs if r["run_id"] == "killed"]
    # its load began, so it is accounted for: superseded, with a row per commit it made
    assert killed and {r["status"] for r in killed} == {"superseded"}
