"""The scrubbed result of validating one table.

Nothing in these objects except the two row arrays of :class:`ValidationOutcome` comes from the
data: expectation parameters come from the suite, and observed values are kept only where they
are counts (see :mod:`etl.validate.scrub`). ``to_dict()`` is safe for task logs, XCom, the
``_meta.validation_results`` table and OpenLineage facets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from etl.validate.suite import Level, Severity

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class ExpectationResult:
    """The scrubbed result of one expectation.

    Attributes:
        expectation_type: the GX expectation type.
        column: the column it checks (``"a,b"`` for pair/multicolumn ones), or None.
        level: ``"row"`` (flagged rows are quarantined) or ``"table"`` (failure stops the run).
        success: GX's verdict (for a row-level expectation without ``mostly``: no row flagged).
        unexpected_count: rows (or, for some aggregates, distinct values) that failed.
        unexpected_percent: that count as a percentage of non-null values.
        kwargs: the suite's parameters for it (suite content, never data).
        observed: counts only: ``element_count``/``missing_count`` of map expectations and
            ``observed_value`` of row- and column-count expectations; see
            :mod:`etl.validate.scrub` for why other observed values are dropped.
        reason: the quarantine reason code of its flagged rows.
        error: why it could not be evaluated (``"missing_column"``, ``"no_row_indices"``,
            ``"no_result"`` or ``"exception:<class>"``), else None.
        severity: ``"error"`` or ``"warn"`` (a warning never quarantines or stops the run).
    """

    expectation_type: str
    column: str | None
    level: Level
    success: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    kwargs: dict[str, object]
    observed: dict[str, object]
    reason: str = ""
    error: str | None = None
    severity: Severity = "error"

    @property
    def label(self) -> str:
        """``"<type>(<column>)"``, or the type alone for a table expectation."""
        return f"{self.expectation_type}({self.column})" if self.column else self.expectation_type

    @property
    def stops_run(self) -> bool:
        """Whether this result stops the run.

        A failed table-level expectation does; so does any expectation that could not be
        evaluated, and a row-level one with ``mostly`` whose share of flagged rows exceeded
        ``1 - mostly`` (its flagged rows are quarantined either way). A ``warn`` expectation
        never stops the run.
        """
        if self.severity == "warn" or (self.success and self.error is None):
            return False
        return self.level == "table" or self.error is not None or "mostly" in self.kwargs

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "expectation_type": self.expectation_type,
            "column": self.column,
            "level": self.level,
            "success": self.success,
            "stops_run": self.stops_run,
            "unexpected_count": self.unexpected_count,
            "unexpected_percent": self.unexpected_percent,
            "kwargs": dict(self.kwargs),
            "observed": dict(self.observed),
            "reason": self.reason,
            "error": self.error,
            "severity": self.severity,
        }

    @property
    def warned(self) -> bool:
        """A ``warn`` expectation that failed or could not be evaluated."""
        return self.severity == "warn" and not (self.success and self.error is None)


@dataclass(frozen=True)
class ValidationOutcome:
    """The outcome of validating one table against one suite.

    Attributes:
        suite_name: the suite's name.
        rows_in: rows validated.
        results: one result per suite expectation, in suite order.
        failed_rows: boolean array, ``len == rows_in``, True where a row-level expectation
            flagged the row (no nulls).
        row_reasons: string array, ``len == rows_in``: null for good rows, else the
            ``;``-joined reason codes (``"expect_column_values_to_not_be_null(xm)"``) in suite
            order.
    """

    suite_name: str
    rows_in: int
    results: tuple[ExpectationResult, ...]
    failed_rows: pa.Array = field(repr=False)
    row_reasons: pa.Array = field(repr=False)

    @property
    def table_failures(self) -> tuple[ExpectationResult, ...]:
        """The results that stop the run, in suite order."""
        return tuple(r for r in self.results if r.stops_run)

    @property
    def table_success(self) -> bool:
        """True when nothing stops the run (rows may still be quarantined)."""
        return not self.table_failures

    @property
    def warnings(self) -> tuple[ExpectationResult, ...]:
        """Failed ``warn`` expectations (recorded; no row quarantined, the run goes on)."""
        return tuple(r for r in self.results if r.warned)

    @property
    def rows_failed(self) -> int:
        """Rows flagged by at least one row-level expectation."""
        import pyarrow.compute as pc

        return int(pc.sum(self.failed_rows).as_py() or 0)

    def summary_line(self) -> str:
        """One value-free log line: expectations failed, stopping, warned, rows flagged."""
        failed = sum(1 for r in self.results if not r.success)
        return (
            f"suite {self.suite_name} over {self.rows_in} rows: {failed} of {len(self.results)} "
            f"expectations failed, {len(self.table_failures)} stop the run, "
            f"{len(self.warnings)} warnings, {self.rows_failed} rows flagged"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, scrubbed summary (no row arrays, no data values)."""
        return {
            "suite_name": self.suite_name,
            "rows_in": self.rows_in,
            "rows_failed": self.rows_failed,
            "table_success": self.table_success,
            "table_failures": [r.label for r in self.table_failures],
            "warnings": [r.label for r in self.warnings],
            "results": [r.to_dict() for r in self.results],
        }
