"""The scrubbed summary of a run from its staging files (asset events, OpenLineage, logs).

Counts, grades, the suite verdict, table versions and the source fingerprint: nothing from the
data. It is what downstream DAGs see in an asset event's ``extra``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from etl.runtime import staging
from etl.runtime.context import read_json


def _maybe(folder: Path, name: str) -> dict[str, Any]:
    path = folder / name
    return dict(read_json(path)) if path.is_file() else {}


def run_summary(folder: Path) -> dict[str, Any]:
    """Summarize a run from its staging folder (missing files leave their fields None).

    Args:
        folder: the run's staging folder.

    Returns:
        ``rows_in``, ``rows_loaded``, ``rows_quarantined``, ``dataset_grade``, ``flags``,
        ``source_sha256``, ``versions`` (zone → Delta version) and ``quality``: the suite name,
        whether it passed, expectations evaluated/passed/failed, warnings and the pass rate.
    """
    source = _maybe(folder, staging.SOURCE)
    validation = _maybe(folder, staging.VALIDATION)
    classification = _maybe(folder, staging.CLASSIFICATION)
    load = _maybe(folder, staging.LOAD)
    results = validation.get("results", [])
    passed = sum(1 for r in results if r.get("success"))
    return {
        "rows_in": validation.get("rows_in", source.get("rows")),
        "rows_loaded": load.get("rows_loaded"),
        "rows_quarantined": load.get("rows_quarantined"),
        "dataset_grade": classification.get("dataset_grade"),
        "flags": classification.get("flags"),
        "source_sha256": source.get("sha256"),
        "versions": load.get("versions"),
        "quality": {
            "suite": validation.get("suite_name"),
            "suite_success": validation.get("table_success"),
            "expectations": len(results),
            "passed": passed,
            "failed": len(results) - passed,
            "warnings": len(validation.get("warnings", [])),
            "pass_rate": round(passed / len(results), 4) if results else None,
        },
    }
