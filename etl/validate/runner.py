"""Validate an Arrow table against a suite, in-task, with an ephemeral GX context."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.validate import _gx
from etl.validate.frame import Frame, to_frame
from etl.validate.outcome import ExpectationResult, ValidationOutcome
from etl.validate.scrub import scrub
from etl.validate.suite import ExpectationSpec, SuiteSpec

log = logging.getLogger(__name__)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BOUNDS = ("min_value", "max_value")
_EXISTENCE_TYPES = frozenset({"expect_column_to_exist"})
_CODE_BITS = 64


def validate_table(table: pa.Table, suite: SuiteSpec) -> ValidationOutcome:
    """Run a suite over a table and split the verdict into table- and row-level parts.

    Every expectation whose columns exist is run in one GX validation over the whole table
    (one ephemeral context per call; nothing is written or sent anywhere). Expectations naming
    a column the table lacks are not run and come back with ``error="missing_column"``, which
    stops the run. Row-level ``error`` expectations flag rows in ``failed_rows``/``row_reasons``;
    ``warn`` expectations are only recorded; see :class:`ExpectationResult.stops_run` for what
    stops the run.

    Args:
        table: the table to validate; column names must be unique.
        suite: the suite (from :func:`load_suite` or :func:`baseline_suite`).

    Returns:
        The scrubbed outcome.

    Raises:
        DataError: the table has duplicate column names.
        ConfigError: GX refuses an expectation of a suite that was built by hand.
    """
    names = table.column_names
    duplicates = sorted(n for n, count in Counter(names).items() if count > 1)
    if duplicates:
        raise DataError(f"cannot validate with suite {suite.name}: duplicate columns {duplicates}")
    rows = table.num_rows
    present = set(names)
    missing = {
        i: [c for c in spec.columns if c not in present]
        for i, spec in enumerate(suite.expectations)
        if spec.type not in _EXISTENCE_TYPES
    }
    runnable = [i for i, spec in enumerate(suite.expectations) if not missing.get(i)]
    raw = run_gx(to_frame(table), suite, runnable) if runnable else {}

    results: list[ExpectationResult] = []
    flagged: dict[str, np.ndarray] = {}
    for i, spec in enumerate(suite.expectations):
        result, indices = scrub(spec, raw.get(i), rows=rows, missing_columns=missing.get(i, ()))
        results.append(result)
        if spec.level == "row" and spec.severity == "error" and indices is not None:
            mask = flagged.setdefault(result.reason, np.zeros(rows, dtype=bool))
            mask[indices] = True
    failed_rows, row_reasons = row_arrays(rows, flagged)
    outcome = ValidationOutcome(
        suite_name=suite.name,
        rows_in=rows,
        results=tuple(results),
        failed_rows=failed_rows,
        row_reasons=row_reasons,
    )
    log.info("%s", outcome.summary_line())
    return outcome


def run_gx(frame: Frame, suite: SuiteSpec, indexes: Sequence[int]) -> dict[int, _gx.RawResult]:
    """Run the suite's expectations at ``indexes`` over ``frame`` in one GX validation.

    Returns:
        GX's raw results keyed by suite position.

    Raises:
        ConfigError: GX refuses one of the expectations.
    """
    batch = [(suite.expectations[i].type, gx_kwargs(suite.expectations[i], frame)) for i in indexes]
    try:
        by_position = _gx.run_suite(frame.frame, suite.name, batch)
    except _gx.ExpectationProblem as exc:
        spec = suite.expectations[indexes[exc.position]]
        raise ConfigError(
            f"{suite.source}: expectation #{indexes[exc.position]} ({spec.type}): {exc}"
        ) from exc
    return {i: by_position[p] for p, i in enumerate(indexes) if p in by_position}


def gx_kwargs(spec: ExpectationSpec, frame: Frame) -> Mapping[str, Any]:
    """The kwargs to build the GX expectation with, adapted to the frame's dtypes.

    GX's pydantic models turn a ``"YYYY-MM-DD"`` bound into a ``datetime.date``, which pandas
    refuses to compare with a datetime64 column ("Cannot compare Timestamp with datetime.date").
    Date and timestamp columns are datetime64 in the frame, so such bounds on them are widened to
    ``"YYYY-MM-DDT00:00:00"`` (the same instant). Other kwargs pass through unchanged.

    Args:
        spec: the suite expectation.
        frame: the converted table.

    Returns:
        The kwargs (a copy when changed).
    """
    temporal = frame.datetime_ns | frame.coarse_temporal
    if not temporal.intersection(spec.columns):
        return spec.kwargs
    kwargs = dict(spec.kwargs)
    for key in _BOUNDS:
        value = kwargs.get(key)
        if isinstance(value, str) and _ISO_DATE.match(value):
            kwargs[key] = f"{value}T00:00:00"
    return kwargs


def row_arrays(rows: int, flagged: Mapping[str, np.ndarray]) -> tuple[pa.Array, pa.Array]:
    """The failed-row mask and the reason strings, built per distinct reason combination.

    Flagged rows are grouped by which reasons flag them (usually a handful of combinations),
    each combination is joined once, and the strings are gathered with ``take``.
    (``pyarrow.compute.binary_join_element_wise(..., null_handling="skip")`` is not used: in
    pyarrow 26 it drops rows where every input is null, so its output comes out too short.)
    """
    if not flagged or rows == 0:
        return pa.array(np.zeros(rows, dtype=bool)), pa.nulls(rows, type=pa.string())
    names = list(flagged)
    matrix = np.column_stack([flagged[name] for name in names])
    failed = matrix.any(axis=1)
    combos, inverse = _combinations(matrix[failed])
    labels = [";".join(n for n, hit in zip(names, combo, strict=True) if hit) for combo in combos]
    positions = np.zeros(rows, dtype=np.int64)
    positions[failed] = inverse
    reasons = pa.array(labels, type=pa.string()).take(pa.array(positions, mask=~failed))
    return pa.array(failed), reasons


def _combinations(hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a boolean matrix and, per row, the index of its distinct row."""
    width = hits.shape[1]
    if width > _CODE_BITS:
        combos, inverse = np.unique(hits, axis=0, return_inverse=True)
        return combos, inverse.reshape(-1)
    bits = np.left_shift(np.uint64(1), np.arange(width, dtype=np.uint64))
    codes = (hits.astype(np.uint64) * bits).sum(axis=1, dtype=np.uint64)
    unique, inverse = np.unique(codes, return_inverse=True)
    combos = (unique[:, None] & bits) != 0
    return combos, inverse.reshape(-1)
