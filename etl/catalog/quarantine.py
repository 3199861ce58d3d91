"""A dataset's quarantine: rows counted by reason code and run, never a row's values.

Beside the counts, what an operator needs next: what each reason code checks (in words,
value-free) and, for each date with quarantined rows, the commands that export the rows to fix
and resubmit them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from etl.lineage.quality import quality_history
from etl.lineage.quarantine import export_command, quarantine_summary, resubmit_command
from etl.registry import Dataset
from etl.settings import Settings
from etl.validate.describe import describe_reason


def reason_descriptions(settings: Settings, dataset: str, reasons: Iterable[str]) -> dict[str, str]:
    """What each reason code checks: its expectation's description, or a cast/ragged text.

    Args:
        settings: where the lake is.
        dataset: the registry id.
        reasons: the codes to describe.

    Returns:
        Code → one value-free line (codes nothing describes are left out).
    """
    checks = {h["reason"]: h["description"] for h in quality_history(settings.lake, dataset)}
    out = {}
    for reason in reasons:
        text = checks.get(reason) or describe_reason(reason)
        if text:
            out[reason] = text
    return out


def quarantine_sections(settings: Settings, datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """Per dataset: totals by reason and, per loaded date, its latest run's counts by reason.

    Returns:
        ``[{"dataset", "title", "department", "domain", "rows_quarantined", "by_reason",
        "reasons", "runs"}]`` where ``runs`` is :func:`etl.lineage.quarantine.quarantine_summary`
        (newest first), each with ``commands`` (``export`` and ``resubmit``, the commands to
        run for that date; None when nothing was quarantined), ``by_reason`` sums the reason
        counts over those runs and ``reasons`` lists them with their ``description`` (None
        when unknown), most rows first.
    """
    sections = []
    for ds in datasets:
        runs = quarantine_summary(settings.lake, ds.id)
        totals: Counter[str] = Counter()
        for run in runs:
            totals.update(run["by_reason"])
            day = run["logical_date"]
            run["commands"] = (
                {"export": export_command(ds.id, day), "resubmit": resubmit_command(ds.id, day)}
                if run["rows_quarantined"]
                else None
            )
        described = reason_descriptions(settings, ds.id, totals)
        sections.append(
            {
                "dataset": ds.id,
                "title": ds.title,
                "department": ds.department,
                "domain": ds.domain,
                "rows_quarantined": sum(r["rows_quarantined"] or 0 for r in runs),
                "by_reason": dict(totals.most_common()),
                "reasons": [
                    {"reason": reason, "rows": rows, "description": described.get(reason)}
                    for reason, rows in totals.most_common()
                ],
                "runs": runs,
            }
        )
    return sections
