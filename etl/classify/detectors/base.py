"""The detector record (derived from a category spec) and the helpers checks share.

A detector's ``check`` takes a pyarrow string array and returns a boolean mask of the same length
(null → False). Regular expressions run in Arrow (RE2); Python runs only to confirm a checksum on
the values that passed the regular expression. String normalisation is in :mod:`etl.text.strings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True)
class Detector:
    """A value check for one category, derived from its :class:`~etl.classify.category.Category`.

    Attributes:
        category: category id (classification.md §3).
        default_grade: grade of a column of this category.
        strong: True for checksum-backed or strongly structured types (accepted on content
            alone at p >= 0.9); False for weak types (which also need a name hint).
        check: vectorized value check, ``pa.Array`` of strings → ``pa.BooleanArray`` (no nulls).
        description: one line for people.
        clear_name_only: the check passes almost any value (credential), so only an unambiguous
            name hint can make a column of this category.
    """

    category: str
    default_grade: str
    strong: bool
    check: Callable[[Any], Any]
    description: str = ""
    clear_name_only: bool = False


def distinct_count(values: Any) -> int:
    """Distinct non-null values (``pc.unique`` is several times faster than ``count_distinct``)."""
    unique = pc.unique(values)
    return len(unique) - (1 if unique.null_count else 0)


def confirm(values: Any, candidates: Any, predicate: Callable[[str], bool]) -> Any:
    """Run a Python ``predicate`` on the candidate values only.

    Args:
        values: string array (already normalized).
        candidates: boolean mask of values that passed the vectorized prefilter.
        predicate: checksum or other confirmation for one value; exceptions count as False.

    Returns:
        Boolean mask: candidate and predicate true.
    """
    candidates = pc.fill_null(candidates, False)
    idx = pc.indices_nonzero(candidates)
    out = np.zeros(len(values), dtype=bool)
    if len(idx):
        positions = idx.to_numpy()
        ok = np.fromiter(
            (_safe(predicate, v) for v in values.take(idx).to_pylist()),
            dtype=bool,
            count=len(positions),
        )
        out[positions[ok]] = True
    return pa.array(out, pa.bool_())


def _safe(predicate: Callable[[str], bool], value: str | None) -> bool:
    if value is None:
        return False
    try:
        return bool(predicate(value))
    except (ValueError, KeyError, TypeError, IndexError):
        return False
