"""Turn GX's raw result for one expectation into a scrubbed :class:`ExpectationResult`.

What is kept, and why:

* counts and percentages (``unexpected_count``, ``unexpected_percent``, ``element_count``,
  ``missing_count``): numbers about the table, never values in it;
* ``observed_value`` only for ``expect_table_row_count_*`` and ``expect_table_column_count_*``:
  those are counts. Every other observed value is dropped, because it can be a data value: the
  min/max of an identifier column, the most common value of a name column, a quantile of
  incomes, or a set of distinct values. Telling a statistic from a value would need to know what
  the column holds, which is the classifier's job and comes later in the run;
* GX's exception messages are never kept (pandas quotes offending values in them); only the
  exception's class name is.

Row indices are returned separately for the row masks and never stored in the result.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from etl.validate._gx import RawResult
from etl.validate.outcome import ExpectationResult
from etl.validate.suite import ExpectationSpec

COUNT_TYPES = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
    }
)
_COUNT_KEYS = ("element_count", "missing_count")


def scrub(
    spec: ExpectationSpec,
    raw: RawResult | None,
    *,
    rows: int,
    missing_columns: Sequence[str] = (),
) -> tuple[ExpectationResult, np.ndarray | None]:
    """Scrub one raw result.

    Args:
        spec: the suite expectation.
        raw: GX's result for it, or None if it was not run or GX returned none.
        rows: rows in the table (to check the indices GX returned).
        missing_columns: columns the expectation names that the table lacks.

    Returns:
        The scrubbed result, and for a row-level expectation that flagged rows the flagged row
        positions (else None).
    """
    error: str | None = None
    result: Mapping[str, Any] = {}
    success = False
    indices: np.ndarray | None = None
    if missing_columns:
        error = "missing_column"
    elif raw is None:
        error = "no_result"
    elif raw.exception is not None:
        error = f"exception:{raw.exception}"
    else:
        result = raw.result
        success = raw.success
        if spec.level == "row":
            indices = _indices(result.get("unexpected_index_list"), rows)
            if indices is None and not success:
                error = "no_row_indices"
    scrubbed = ExpectationResult(
        expectation_type=spec.type,
        column=spec.column,
        level=spec.level,
        success=success and error is None,
        unexpected_count=_count(result.get("unexpected_count")),
        unexpected_percent=_percent(result.get("unexpected_percent")),
        kwargs=dict(spec.kwargs),
        observed=_observed(spec.type, result),
        reason=spec.reason,
        error=error,
        severity=spec.severity,
    )
    if indices is not None and indices.size == 0:
        indices = None
    return scrubbed, indices


def _indices(value: object, rows: int) -> np.ndarray | None:
    """Row positions from GX's ``unexpected_index_list``, or None if it is not a list of them."""
    if not isinstance(value, list):
        return None
    if not value:
        return np.empty(0, dtype=np.int64)
    positions = np.asarray(value)
    if positions.ndim != 1 or positions.dtype.kind not in "iu":
        return None
    if positions.min() < 0 or positions.max() >= rows:
        return None
    return positions.astype(np.int64, copy=False)


def _count(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _percent(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def _observed(kind: str, result: Mapping[str, Any]) -> dict[str, object]:
    observed: dict[str, object] = {}
    for key in _COUNT_KEYS:
        count = _count(result.get(key))
        if count is not None:
            observed[key] = count
    if kind in COUNT_TYPES:
        count = _count(result.get("observed_value"))
        if count is not None:
            observed["observed_value"] = count
    return observed


#: kwargs whose list values are column names, not values of the data.
_COLUMN_LISTS = frozenset({"column_set", "column_list"})


def public_kwargs(kwargs: Mapping[str, Any]) -> dict[str, object]:
    """An expectation's parameters for places outside the lake (OpenLineage, Data Docs).

    Scalars (bounds, regexes, formats, ``mostly``) and lists of column names are kept; any
    other list or object (value sets, value pairs, quantile ranges ...) is replaced by
    ``"<N values>"``: a suite author may have listed real values there.

    Args:
        kwargs: the suite's parameters.

    Returns:
        The parameters safe to publish (``column`` is dropped: it is reported separately).
    """
    out: dict[str, object] = {}
    for key, value in kwargs.items():
        if key == "column":
            continue
        if isinstance(value, list | tuple) and key in _COLUMN_LISTS:
            out[key] = [str(v) for v in value]
        elif isinstance(value, list | tuple | dict | set):
            out[key] = f"<{len(value)} values>"
        elif value is None or isinstance(value, bool | int | float | str):
            out[key] = value
        else:
            out[key] = f"<{type(value).__name__}>"
    return out
