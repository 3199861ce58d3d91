"""The classification of a dataset's last published run, read back from ``_meta``."""

from __future__ import annotations

import pyarrow.compute as pc

from etl.classify import DatasetClassification, classification_from_meta
from etl.lineage.meta import read_meta


def published_classification(lake: str, dataset_id: str) -> DatasetClassification | None:
    """The classification of the dataset's last published run (held runs do not count).

    Comparing with a held run would let drift disappear on the next run without anyone
    confirming it, and an integrated repository must not inherit a grading nobody confirmed,
    so runs whose ``lineage_runs.flags`` carry ``DRIFT`` are skipped.

    Returns:
        The classification, or None when no run of the dataset has published.
    """
    runs = read_meta(lake, "lineage_runs")
    runs = runs.filter(pc.equal(runs["dataset"], dataset_id))
    published = {
        r["lineage_run_id"]
        for r in runs.select(["lineage_run_id", "status", "flags"]).to_pylist()
        if r["status"] == "success" and "DRIFT" not in (r["flags"] or "").split(",")
    }
    if not published:
        return None
    rows = read_meta(lake, "classifications")
    rows = rows.filter(pc.equal(rows["dataset"], dataset_id))
    return classification_from_meta(r for r in rows.to_pylist() if r["lineage_run_id"] in published)
