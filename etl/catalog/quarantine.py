"""A dataset's quarantine: rows counted by reason code and run, never a row's values."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from etl.lineage.quarantine import quarantine_summary
from etl.registry import Dataset
from etl.settings import Settings


def quarantine_sections(settings: Settings, datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """Per dataset: totals by reason and, per loaded date, its latest run's counts by reason.

    Returns:
        ``[{"dataset", "department", "domain", "rows_quarantined", "by_reason", "runs"}]``
        where ``runs`` is :func:`etl.lineage.quarantine.quarantine_summary` (newest first)
        and ``by_reason`` sums the reason counts over those runs.
    """
    sections = []
    for ds in datasets:
        runs = quarantine_summary(settings.lake, ds.id)
        totals: Counter[str] = Counter()
        for run in runs:
            totals.update(run["by_reason"])
        sections.append(
            {
                "dataset": ds.id,
                "title": ds.title,
                "department": ds.department,
                "domain": ds.domain,
                "rows_quarantined": sum(r["rows_quarantined"] or 0 for r in runs),
                "by_reason": dict(totals.most_common()),
                "runs": runs,
            }
        )
    return sections
