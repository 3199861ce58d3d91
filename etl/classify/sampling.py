"""Seeded sample of the non-empty values of a column: the same data always gives the same sample."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.text.strings import as_strings, strip

#: The spec's floor on the sample size where a column has that many values.
MIN_SAMPLE = 30
#: Candidates drawn per wanted value in a large column (empty values are rejected).
OVERSAMPLE = 2


def non_empty(values: Any) -> Any:
    """The non-null values that are not empty or whitespace-only, as a string array."""
    strings = as_strings(values)
    keep = pc.fill_null(pc.not_equal(strip(strings), ""), False)
    return strings.filter(keep)


def sample_values(values: Any, *, size: int, seed: int, salt: str = "") -> Any:
    """Up to ``size`` (at least :data:`MIN_SAMPLE`) non-empty values, chosen with a fixed seed.

    Large columns are sampled without touching every value: candidates are drawn among the
    non-null positions, and empty or whitespace-only ones are rejected (the result is still a
    uniform sample of the non-empty values); a column too sparse for that is filtered whole.

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
    size = max(size, MIN_SAMPLE)
    rng = np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(salt.encode("utf-8"))])
    if len(values) > OVERSAMPLE * size:
        valid = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
        if len(valid) > OVERSAMPLE * size:
            picked = rng.choice(valid, size=OVERSAMPLE * size, replace=False)
            candidates = as_strings(values.take(pa.array(picked, pa.int64())))
            keep = pc.fill_null(pc.not_equal(strip(candidates), ""), False).to_numpy(
                zero_copy_only=False
            )
            if keep.sum() >= size:
                chosen = np.sort(picked[keep][:size])
                return as_strings(values.take(pa.array(chosen, pa.int64())))
    pool = non_empty(values)
    if len(pool) <= size:
        return pool
    chosen = np.sort(rng.choice(len(pool), size=size, replace=False))
    return pool.take(pa.array(chosen, pa.int64()))
