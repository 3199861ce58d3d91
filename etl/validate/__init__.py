"""Great Expectations validation of staged tables.

Suites are GX 1.x suite JSON files (format: :mod:`etl.validate.suite`). :func:`validate_table`
runs one in-task with an ephemeral GX context and returns a scrubbed
:class:`ValidationOutcome`: table-level failures stop the run, row-level failures flag rows for
quarantine. Importing this package does not import Great Expectations or pandas.
"""

from etl.validate.outcome import ExpectationResult, ValidationOutcome
from etl.validate.runner import validate_table
from etl.validate.suite import (
    ExpectationSpec,
    Level,
    Severity,
    SuiteSpec,
    baseline_suite,
    load_suite,
    suite_from_dict,
)

__all__ = [
    "ExpectationResult",
    "ExpectationSpec",
    "Level",
    "Severity",
    "SuiteSpec",
    "ValidationOutcome",
    "baseline_suite",
    "load_suite",
    "suite_from_dict",
    "validate_table",
]
