"""Scrubbed Data Docs: a small static HTML site built from the ``_meta`` tables.

GX's own Data Docs render validation results with their observed and unexpected values; these
pages are built only from what ``_meta`` already holds (expectation names, verdicts, counts,
suite parameters without value sets, grades, transformations), so no data value can appear.
One ``index.html`` lists the datasets; one page per dataset shows the latest run's checks, the
pass rate of each expectation over runs, quarantine counts by reason and each column's
classification and treatment per zone.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from etl.lineage.columns import latest_run, run_columns
from etl.lineage.freshness import freshness
from etl.lineage.meta import read_meta
from etl.lineage.quality import quality_history, run_quality
from etl.lineage.quarantine import quarantine_summary
from etl.registry import Dataset, Registry
from etl.settings import Settings
from etl.validate.scrub import public_kwargs
from etl.zones import ZONES

log = logging.getLogger(__name__)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;font-size:14px}th{background:#f3f5f8}.fail{color:#b00020}.pass{color:#137333}
.warn{color:#a05a00}small{color:#666}
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_STYLE}</style></head><body>{body}"
        f"<p><small>built {datetime.now(UTC).isoformat(timespec='seconds')} from the _meta "
        "tables: counts, names and verdicts only, never data values</small></p></body></html>"
    )


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value: Any) -> str:
    if isinstance(value, tuple):  # (text, css class)
        return f'<span class="{value[1]}">{escape(str(value[0]))}</span>'
    return escape("" if value is None else str(value))


def _verdict(success: bool, severity: str) -> tuple[str, str]:
    if success:
        return ("passed", "pass")
    return ("warned", "warn") if severity == "warn" else ("failed", "fail")


def build_docs(settings: Settings, registry: Registry, now: datetime | None = None) -> Path:
    """Write the site under ``PUBDATA_HOME/data_docs`` and return the index page.

    Args:
        settings: where the lake and the site are.
        registry: the datasets to document.
        now: the instant freshness is judged at (default: now).

    Returns:
        The path of ``index.html``.
    """
    root = settings.data_docs
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    rows = []
    for ds in sorted(registry.datasets.values(), key=lambda d: (d.department, d.id)):
        run = latest_run(settings.lake, ds.id)
        quality = run_quality(settings.lake, {run["lineage_run_id"]}) if run else {}
        q = quality.get(run["lineage_run_id"]) if run else None
        fresh = freshness(ds.schedule, run["logical_date"] if run else None, now)
        rows.append(
            [
                (ds.id, ""),
                ds.title,
                ds.department,
                ds.domain,
                run["dataset_grade"] if run else "-",
                run["logical_date"].isoformat() if run else "never",
                fresh.label,
                f"{q['passed']}/{q['total']}" if q else "-",
            ]
        )
        (root / "datasets" / f"{ds.id}.html").write_text(
            _dataset_page(settings, ds, run), encoding="utf-8"
        )
    index = _table(
        ["dataset", "title", "department", "domain", "grade", "last date", "freshness", "checks"],
        rows,
    )
    links = "".join(
        f'<li><a href="datasets/{escape(r[0][0])}.html">{escape(r[0][0])}</a></li>' for r in rows
    )
    path = root / "index.html"
    path.write_text(
        _page("pubdata Data Docs", f"<h1>pubdata Data Docs</h1>{index}<ul>{links}</ul>"),
        encoding="utf-8",
    )
    log.info("built Data Docs for %d datasets at %s", len(rows), root)
    return path


def _dataset_page(settings: Settings, ds: Dataset, run: dict[str, Any] | None) -> str:
    parts = [f"<h1>{escape(ds.id)}</h1><p>{escape(ds.title)} — {escape(ds.department)}</p>"]
    if run is None:
        parts.append("<p>No successful run yet.</p>")
        return _page(ds.id, "".join(parts))
    run_id = run["lineage_run_id"]
    parts.append(
        f"<h2>Latest run</h2><p>{escape(run['run_id'])}, logical date "
        f"{run['logical_date'].isoformat()}: {run['rows_in']} rows in, {run['rows_loaded']} "
        f"loaded, {run['rows_quarantined']} quarantined; grade {escape(str(run['dataset_grade']))}"
        f"; suite {escape(str(run['suite']))}</p>"
    )
    results = read_meta(settings.lake, "validation_results")
    checks = [r for r in results.to_pylist() if r["lineage_run_id"] == run_id]
    parts.append(
        _table(
            ["expectation", "column", "level", "severity", "result", "unexpected", "%", "params"],
            [
                [
                    r["expectation_type"],
                    r["column"],
                    r["level"],
                    r.get("severity") or "error",
                    _verdict(r["success"], r.get("severity") or "error"),
                    r["unexpected_count"],
                    None if r["unexpected_percent"] is None else f"{r['unexpected_percent']:.2f}",
                    json.dumps(public_kwargs(json.loads(r["kwargs"] or "{}")), ensure_ascii=False),
                ]
                for r in checks
            ],
        )
    )
    history = quality_history(settings.lake, ds.id)
    parts.append("<h2>Pass rate over runs</h2>")
    parts.append(
        _table(
            ["expectation", "severity", "runs", "failed", "pass rate"],
            [
                [h["expectation"], h["severity"], h["runs"], h["failed"], f"{h['pass_rate']:.0%}"]
                for h in history
            ],
        )
    )
    parts.append("<h2>Quarantine by reason</h2>")
    quarantine = quarantine_summary(settings.lake, ds.id)
    parts.append(
        _table(
            ["date", "quarantined", "reason", "rows"],
            [
                [q["logical_date"], q["rows_quarantined"], reason, count]
                for q in quarantine
                for reason, count in (q["by_reason"] or {"-": 0}).items()
            ],
        )
    )
    parts.append("<h2>Columns</h2>")
    columns = run_columns(settings.lake, run_id)
    zones = list(ZONES)
    parts.append(
        _table(
            ["column", "category", "grade", *zones],
            [
                [
                    c["column"],
                    c["category"],
                    c["grade"],
                    *[c["zones"].get(z, {}).get("transformation", "-") for z in zones],
                ]
                for c in columns
            ],
        )
    )
    return _page(ds.id, "".join(parts))
