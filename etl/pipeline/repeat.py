"""Constant columns (a run id, a file's sha256, a logical date) for batch after batch."""

from __future__ import annotations

import functools
from typing import Any

import pyarrow as pa


@functools.lru_cache(maxsize=16)
def _block(value: Any, kind: pa.DataType, size: int) -> pa.Array:
    return pa.repeat(pa.scalar(value, kind), size)


def repeated(value: Any, n: int, kind: pa.DataType | None = None) -> pa.Array:
    """``value`` n times, as a zero-copy slice of one block per value (batches share it).

    Building the column for every batch costs a few milliseconds each; blocks are sized to a
    power of two, so batches of one run reuse one.
    """
    size = 1 << max(n - 1, 0).bit_length()
    return _block(value, kind or pa.string(), size).slice(0, n)
