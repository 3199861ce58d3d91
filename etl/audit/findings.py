"""Findings already raised: ``_meta.access_findings``, so a finding alerts once.

``pubdata audit check`` evaluates the rules over the whole log each time; a finding that
overlaps one recorded here (same rule, principal and window) is not raised again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pyarrow as pa

from etl.audit.rules import Finding, Rule
from etl.lake import delta
from etl.lake.layout import meta_table_uri
from etl.settings import Settings

#: The ``_meta`` table of raised findings.
TABLE = "access_findings"
_TS = pa.timestamp("us", tz="UTC")
#: The schema of ``_meta.access_findings`` (listed in :data:`etl.lineage.meta.SCHEMAS`).
SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("principal", pa.string()),
        ("window_start", _TS),
        ("window_end", _TS),
        ("events", pa.int64()),
        ("rows", pa.int64()),
        ("detail", pa.string()),
        # what became of its alert: ``<channel>:<sent|disabled|failed>`` comma-separated
        ("delivery", pa.string()),
        ("found_at", _TS),
    ]
)


def recorded_findings(settings: Settings) -> list[Finding]:
    """Every finding raised so far."""
    uri = meta_table_uri(settings.lake, TABLE)
    if delta.snapshot(uri) is None:
        return []
    return [
        Finding(
            rule=Rule(row["rule"]),
            principal=row["principal"],
            start=row["window_start"],
            end=row["window_end"],
            events=int(row["events"]),
            rows=int(row["rows"]),
            detail=row["detail"],
        )
        for row in delta.read(uri).to_pylist()
    ]


def unrecorded(findings: Sequence[Finding], recorded: Sequence[Finding]) -> list[Finding]:
    """The findings that overlap no recorded one (nor an earlier one of ``findings``)."""
    fresh: list[Finding] = []
    for finding in findings:
        if not any(finding.overlaps(old) for old in (*recorded, *fresh)):
            fresh.append(finding)
    return fresh


def record_findings(
    settings: Settings, findings: Sequence[tuple[Finding, str]], now: datetime | None = None
) -> None:
    """Record raised findings with what became of their alerts (``channel:status, ...``)."""
    if not findings:
        return
    found_at = now or datetime.now(UTC)
    rows = [
        {
            "rule": str(f.rule),
            "principal": f.principal,
            "window_start": f.start,
            "window_end": f.end,
            "events": f.events,
            "rows": f.rows,
            "detail": f.detail,
            "delivery": delivery,
            "found_at": found_at,
        }
        for f, delivery in findings
    ]
    data = pa.Table.from_pylist(rows, schema=SCHEMA)
    delta.append(meta_table_uri(settings.lake, TABLE), data, {"pubdata.meta_table": TABLE})
