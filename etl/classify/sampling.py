"""Seeded sample of the non-empty values of a column: the same data always gives the same sample."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.base import as_strings, strip

#: The spec's floor on the sample size where a column has that many values.
MIN_SAMPLE = 30


def non_empty(values: Any) -> Any:
    """The non-null values that are not empty or whitespace-only, as a string array."""
    strings = as_strings(values)
    keep = pc.fill_null(pc.not_equal(strip(strings), ""), False)
    return strings.filter(keep)


def sample_values(values: Any, *, size: int, seed: int, salt: str = "") -> Any:
    """Up to ``size`` (at least :data:`MIN_SAMPLE`) non-empty values, chosen with a fixed seed.

    Args:
        values: pyarrow Array or ChunkedArray.
        size: wanted sample size.
        seed: random seed; with ``salt`` it fixes the choice.
        salt: mixed into the seed (the column name) so columns are sampled independently.

    Returns:
        A string array in the column's row order.

    Raises:
        ValueError: if ``size`` is not positive.
    """
    if size <= 0:
        raise ValueError("sample size must be positive")
    pool = non_empty(values)
    size = max(size, MIN_SAMPLE)
    if len(pool) <= size:
        return pool
    rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(salt.encode("utf-8"))])
    chosen = np.sort(rng.choice(len(pool), size=size, replace=False))
    return pool.take(pa.array(chosen, pa.int64()))
