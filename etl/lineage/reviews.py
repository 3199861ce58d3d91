"""Reviews a person owes the data group: 重要数据 candidates and classification drift.

A run that flags a dataset ``IMP`` (registry or rule R5) keeps it in the restricted zone; a run
whose column classification drifted holds shared/open publishing. Either way a row in
``_meta.reviews`` says what needs deciding, so that the hold is visible and auditable rather than
a silent absence of data. Rows carry rule texts and column names only, never values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import pyarrow.compute as pc

from etl.lineage.meta import read_meta


def review_rows(
    *,
    lineage_run_id: str,
    dataset: str,
    logical_date: date,
    classification: Mapping[str, Any],
    held: Sequence[str],
    registry_important: bool,
    now: datetime,
) -> list[dict[str, Any]]:
    """The review rows one successful run opens (empty when nothing needs a person)."""
    base = {
        "lineage_run_id": lineage_run_id,
        "dataset": dataset,
        "logical_date": logical_date,
        "status": "pending",
        "recorded_at": now,
    }
    rows: list[dict[str, Any]] = []
    if "IMP" in classification.get("flags", []):
        rules = [str(r) for r in classification.get("rules", []) if str(r).startswith("R5")]
        why = rules[0] if rules else ("registry: important" if registry_important else "IMP")
        rows.append(
            {
                **base,
                "kind": "important_data",
                "subject": None,
                "detail": f"{why}; held to the restricted zone until a 重要数据 review decides",
            }
        )
    for message in held:
        rows.append(
            {
                **base,
                "kind": "classification_drift",
                "subject": message.split("'")[1] if message.count("'") >= 2 else None,
                "detail": f"{message}; confirm it in the registry (classification.columns) "
                "to publish shared/open again",
            }
        )
    return rows


def pending_reviews(lake: str, dataset: str | None = None) -> list[dict[str, Any]]:
    """Open review rows (newest first), optionally of one dataset."""
    table = read_meta(lake, "reviews")
    if dataset is not None:
        table = table.filter(pc.equal(table["dataset"], dataset))
    rows = [r for r in table.to_pylist() if r["status"] == "pending"]
    return sorted(rows, key=lambda r: r["recorded_at"], reverse=True)
