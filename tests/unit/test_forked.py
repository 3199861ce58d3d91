"""Worker processes forked from a step's process."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from etl.forked import ForkedPool


def _pid_and_double(value: int) -> tuple[int, int]:
    return os.getpid(), 2 * value


def test_work_runs_in_other_processes_and_comes_back_in_order() -> None:
    with ForkedPool(2) as pool:
        results = [pool.submit(_pid_and_double, n).result() for n in range(6)]
    assert [doubled for _, doubled in results] == [0, 2, 4, 6, 8, 10]
    assert os.getpid() not in {pid for pid, _ in results}


def _start_in_a_daemon(queue: Any) -> None:
    queue.put(ForkedPool.start(2) is None)


def test_a_process_that_may_not_fork_works_without_workers() -> None:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    daemon = context.Process(target=_start_in_a_daemon, args=(queue,), daemon=True)
    daemon.start()
    daemon.join(60)
    assert queue.get(timeout=5) is True
