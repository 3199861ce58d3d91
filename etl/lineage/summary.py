"""The scrubbed summary of a run from its staging records (asset events, OpenLineage, logs).

Counts, grades, the suite verdict, table versions and the source fingerprint: nothing from the
data. It is what downstream DAGs see in an asset event's ``extra``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.classify.model import DatasetClassification
from etl.runtime.records import ExtractResult, LoadResult, ValidationResult, maybe_record


def run_summary(folder: Path) -> dict[str, Any]:
    """Summarize a run from its staging folder (records not written yet leave their fields None).

    Args:
        folder: the run's staging folder.

    Returns:
        ``rows_in``, ``rows_loaded``, ``rows_quarantined``, ``dataset_grade``, ``flags``,
        ``source_sha256``, ``versions`` (zone → Delta version) and ``quality``: the suite name,
        whether it passed, expectations evaluated/passed/failed, warnings and the pass rate.
        A plain JSON-safe mapping: it is an OpenLineage facet and an asset event's ``extra``.
    """
    source = maybe_record(folder, ExtractResult)
    validation = maybe_record(folder, ValidationResult)
    classification = maybe_record(folder, DatasetClassification)
    load = maybe_record(folder, LoadResult)
    results = validation.results if validation else ()
    passed = validation.passed if validation else 0
    delivered = source.delivery.rows if source else None
    return {
        "rows_in": validation.rows_in if validation else delivered,
        "rows_loaded": load.rows_loaded if load else None,
        "rows_quarantined": load.rows_quarantined if load else None,
        "dataset_grade": classification.dataset_grade if classification else None,
        "flags": list(classification.flags) if classification else None,
        "source_sha256": source.delivery.sha256 if source else None,
        "versions": dict(load.versions) if load else None,
        "quality": {
            "suite": validation.suite_name if validation else None,
            "suite_success": validation.table_success if validation else None,
            "expectations": len(results),
            "passed": passed,
            "failed": len(results) - passed,
            "warnings": len(validation.warnings) if validation else 0,
            "pass_rate": round(passed / len(results), 4) if results else None,
        },
    }
