"""Worker processes forked from a step's process, for CPU-bound Python that threads cannot share.

Validation (Great Expectations), and keyed tokens where their C loop was not built (a hashlib
loop), are Python work that holds the GIL; forked workers run it on every core. They are
forked once, before the step starts a thread of its own, so they inherit the imported modules
(importing GX afresh costs ~6 s) and no lock held by another thread. They write no logs and no
warnings: a task's log stream belongs to the task's process. Work goes in and results come back
pickled through pipes on this machine; nothing is written anywhere.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import warnings
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

R = TypeVar("R")

log = logging.getLogger(__name__)


def _quiet_worker() -> None:
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    # What the worker inherited stays alive for its whole life: keep it out of every
    # collection, so that collecting after each task walks only that task's objects.
    gc.freeze()


class ForkedPool:
    """Processes forked now (not on first use) that run module-level functions.

    Args:
        workers: processes to fork.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_quiet_worker,
        )
        # Python forks every worker of a "fork" pool on the first submit: do it now, while
        # the caller has no thread of its own running.
        self._pool.submit(int).result()

    @classmethod
    def start(cls, workers: int) -> ForkedPool | None:
        """A pool, or None (with a warning) where this process may not fork workers.

        A process that is itself a daemonic ``multiprocessing`` worker may not have children;
        the step then does the work in its own process, more slowly.
        """
        try:
            return cls(workers)
        except (AssertionError, OSError, ValueError) as exc:
            log.warning(
                "no worker processes (%s: %s); working in this process", type(exc).__name__, exc
            )
            return None

    def submit(self, function: Callable[..., R], *args: Any) -> Future[R]:
        """Run ``function(*args)`` in a worker (``function`` must be importable by name)."""
        return self._pool.submit(function, *args)

    def close(self) -> None:
        """Stop the workers (queued work is dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ForkedPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
