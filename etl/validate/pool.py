"""Great Expectations over batches in worker processes, so that validation uses every core.

Most of what GX does per batch is Python (building metric graphs, calling pandas), so threads
would share one core. The workers (:class:`etl.forked.ForkedPool`) are forked from the
validating process after it has imported and warmed up GX, and run nothing but
:func:`etl.validate.runner.run_gx` on the batches they are sent or read. Results come back as
GX's raw results, which the parent scrubs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from concurrent.futures import Future

import pyarrow as pa

from etl.forked import ForkedPool
from etl.validate import _gx
from etl.validate.frame import to_frame
from etl.validate.runner import run_gx
from etl.validate.suite import SuiteSpec

#: Reads batches of the table being validated: ``read([index], columns) -> [table]``. A
#: picklable callable (a module-level function or a ``functools.partial`` of one).
BatchReader = Callable[[Sequence[int], Sequence[str]], list[pa.Table]]


def _validate(
    table: pa.Table | tuple[BatchReader, Sequence[int], Sequence[str]],
    suite: SuiteSpec,
    indexes: Sequence[int],
) -> dict[int, _gx.RawResult]:
    if isinstance(table, tuple):  # read here: no batch goes through the pipe
        read, batches, columns = table
        table = pa.concat_tables(read(batches, columns))
    try:
        return run_gx(to_frame(table), suite, indexes)
    finally:
        gc.collect()  # GX leaves reference cycles holding the batch's DataFrame


class GxPool:
    """Forked worker processes that validate batches with GX.

    Args:
        workers: processes to fork (at least 2; one process is better served in-process).
    """

    def __init__(self, pool: ForkedPool) -> None:
        self.workers = pool.workers
        self._pool = pool

    @classmethod
    def start(cls, workers: int) -> GxPool | None:
        """Fork the workers (GX imported first, so that they inherit it); None if forbidden."""
        _gx.gx_module()
        _gx._skip_batch_fingerprint()
        pool = ForkedPool.start(workers)
        return cls(pool) if pool is not None else None

    def submit(
        self,
        table: pa.Table | tuple[BatchReader, Sequence[int], Sequence[str]],
        suite: SuiteSpec,
        indexes: Sequence[int],
    ) -> Future[dict[int, _gx.RawResult]]:
        """Validate a table with the suite's expectations at ``indexes`` in a worker.

        ``table`` is the table itself, or ``(read, batches, columns)`` for the worker to read
        those batches itself and validate them as one table (nothing pickled through a pipe).
        """
        return self._pool.submit(_validate, table, suite, list(indexes))

    def close(self) -> None:
        """Stop the workers (queued batches are dropped)."""
        self._pool.close()
