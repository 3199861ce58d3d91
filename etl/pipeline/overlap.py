"""Keep both cores busy within a step: read ahead and write behind in background threads.

Arrow's readers, Parquet writers and compute kernels release the GIL, so reading batch ``k+1``
and writing batch ``k-1`` overlap with the Python-heavy work on batch ``k`` (validation,
casting). Order is kept, errors surface in the caller, and at most ``depth`` batches wait in
memory, so peak memory stays a few batches.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_DONE = object()


def read_ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Iterate ``items`` in a background thread, up to ``depth`` items ahead of the caller.

    An exception raised by ``items`` is raised in the caller at the point it happened.
    """
    slots: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer
            slots.put(exc)

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


class WriteBehind:
    """Run writes one at a time, in order, in a background thread.

    ``submit`` waits for the previous write before queueing the next, so at most one batch is
    in flight; ``flush`` waits for the last and raises its error, if any.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-behind")
        self._last: Future[Any] | None = None

    def submit(self, write: Callable[..., Any], *args: Any) -> None:
        """Queue ``write(*args)`` after the previous write has finished."""
        self.flush()
        self._last = self._pool.submit(write, *args)

    def flush(self) -> None:
        """Wait for the queued write; re-raise what it raised."""
        if self._last is not None:
            last, self._last = self._last, None
            last.result()

    def close(self) -> None:
        """Flush and stop the thread."""
        try:
            self.flush()
        finally:
            self._pool.shutdown(wait=True)

    def __enter__(self) -> WriteBehind:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def ordered_map(
    function: Callable[[T], R], items: Iterable[T], workers: int, depth: int | None = None
) -> Iterator[R]:
    """``map(function, items)`` on ``workers`` threads, results in order, a few items ahead.

    For per-batch work made of Arrow kernels (which release the GIL): with two workers two
    batches are computed at once. At most ``depth`` (default ``2 * workers``) results wait,
    so memory stays a few batches. With one worker it is a plain ``map``.
    """
    if workers <= 1:
        yield from map(function, items)
        return
    window: deque[Future[R]] = deque()
    limit = depth or 2 * workers
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="map") as pool:
        try:
            for item in items:
                window.append(pool.submit(function, item))
                if len(window) >= limit:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for future in window:
                future.cancel()
