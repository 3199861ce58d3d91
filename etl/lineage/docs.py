"""Scrubbed Data Docs: HTML built from the ``_meta`` tables only.

GX's own Data Docs render validation results with their observed and unexpected values; these
pages are built only from what ``_meta`` already holds (expectation names and descriptions,
verdicts, counts, suite parameters without value sets, grades, transformations), so no data
value can appear. An index lists the datasets; a page per dataset shows the latest run's checks,
the rows each expectation passed over runs, quarantine counts by reason and each column's
classification and treatment per zone.

:func:`index_html` and :func:`dataset_html` return the pages' bodies: the operators' pages show
them inside their own layout, and :func:`build_docs` writes them as a standalone static site
under ``PUBDATA_HOME/data_docs`` (``pubdata docs``, the maintenance DAG) for reading offline.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from etl.lineage.columns import latest_run, run_columns
from etl.lineage.freshness import freshness
from etl.lineage.meta import read_meta
from etl.lineage.quality import (
    dataset_pass_rates,
    expectation_label,
    history_cells,
    percent,
    quality_history,
    run_quality,
)
from etl.lineage.quarantine import quarantine_summary
from etl.registry import Dataset, Registry
from etl.settings import Settings
from etl.validate.describe import describe_expectation
from etl.zones import ZONES

log = logging.getLogger(__name__)

#: The standalone site's style (the operators' pages use their own stylesheet instead).
_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;font-size:14px}th{background:#f3f5f8}.state-failed{color:#b00020}
.state-success{color:#137333}.state-warned{color:#a05a00}small,.sub{color:#666}
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
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: Any) -> str:
    if isinstance(value, tuple):  # (text, css class)
        return f'<span class="{value[1]}">{escape(str(value[0]))}</span>'
    return escape("" if value is None else str(value))


def _verdict(success: bool, severity: str) -> tuple[str, str]:
    if success:
        return ("passed", "state-success")
    return ("warned", "state-warned") if severity == "warn" else ("failed", "state-failed")


def index_html(settings: Settings, registry: Registry, now: datetime | None = None) -> str:
    """The index's body: every dataset with its latest run's grade, freshness and quality.

    Args:
        settings: where the lake is.
        registry: the datasets to list.
        now: the instant freshness is judged at (default: now).

    Returns:
        HTML (every text escaped), linking each dataset to ``datasets/<id>.html``.
    """
    rates = dataset_pass_rates(settings.lake)
    rows = []
    for ds in sorted(registry.datasets.values(), key=lambda d: (d.department, d.id)):
        run = latest_run(settings.lake, ds.id)
        quality = run_quality(settings.lake, {run["lineage_run_id"]}) if run else {}
        q = quality.get(run["lineage_run_id"]) if run else None
        fresh = freshness(ds.schedule, run["logical_date"] if run else None, now, settings.zone)
        rate = rates.get(ds.id)
        rows.append(
            f'<tr><td><a href="datasets/{escape(ds.id)}.html">{escape(ds.id)}</a></td>'
            + "".join(
                f"<td>{_cell(v)}</td>"
                for v in (
                    ds.title,
                    ds.department,
                    ds.domain,
                    run["dataset_grade"] if run else "-",
                    run["logical_date"].isoformat() if run else "never",
                    fresh.label,
                    f"{q['passed']}/{q['total']}" if q else "-",
                    percent(rate["rows_pass_rate"]) if rate else "-",
                )
            )
            + "</tr>"
        )
    headers = [
        "数据集 dataset",
        "名称 title",
        "委办局 department",
        "领域 domain",
        "分级 grade",
        "业务日期 last date",
        "时效 freshness",
        "检查 checks (latest run)",
        "行通过率 rows passed (loaded/in)",
    ]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return (
        '<table class="grid" id="docs-index">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def dataset_html(settings: Settings, ds: Dataset) -> str:
    """A dataset's body (HTML, every text escaped).

    The latest run and its checks, the rows each expectation passed over runs, quarantine by
    reason and the columns' classification and treatment per zone.
    """
    run = latest_run(settings.lake, ds.id)
    if run is None:
        return "<p>尚无成功运行 no successful run yet</p>"
    run_id = run["lineage_run_id"]
    parts = [
        "<h2>最近运行 Latest run</h2>"
        f"<p><code>{escape(run['run_id'])}</code>, logical date "
        f"{run['logical_date'].isoformat()}: {run['rows_in']} rows in, {run['rows_loaded']} "
        f"loaded, {run['rows_quarantined']} quarantined; grade "
        f"{escape(str(run['dataset_grade']))}; suite {escape(str(run['suite']))}</p>"
    ]
    results = read_meta(settings.lake, "validation_results")
    checks = results.filter(pc.equal(results["lineage_run_id"], run_id)).to_pylist()
    parts.append(
        _table(
            [
                "expectation",
                "原因代码 reason code",
                "说明 what it checks",
                "level",
                "severity",
                "result",
                "unexpected",
                "%",
            ],
            [
                [
                    expectation_label(r),
                    r["reason"],
                    describe_expectation(
                        r["expectation_type"], r["column"], json.loads(r["kwargs"] or "{}")
                    ),
                    r["level"],
                    r.get("severity") or "error",
                    _verdict(r["success"], r.get("severity") or "error"),
                    r["unexpected_count"],
                    None if r["unexpected_percent"] is None else f"{r['unexpected_percent']:.2f}",
                ]
                for r in checks
            ],
        )
    )
    parts.append("<h2>行通过率 Rows passed per expectation (all runs)</h2>")
    parts.append(
        _table(
            [
                "expectation",
                "severity",
                "行通过率 rows passed",
                "rows flagged",
                "rows checked",
                "运行通过 runs passed",
            ],
            [[h["expectation"], *history_cells(h)] for h in quality_history(settings.lake, ds.id)],
        )
    )
    parts.append("<h2>隔离 Quarantine by reason</h2>")
    parts.append(
        _table(
            ["date", "quarantined", "reason", "rows"],
            [
                [q["logical_date"], q["rows_quarantined"], reason, count]
                for q in quarantine_summary(settings.lake, ds.id)
                for reason, count in (q["by_reason"] or {"-": 0}).items()
            ],
        )
    )
    parts.append("<h2>字段 Columns</h2>")
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
                for c in run_columns(settings.lake, run_id)
            ],
        )
    )
    return "".join(parts)


def build_docs(settings: Settings, registry: Registry, now: datetime | None = None) -> Path:
    """Write the static site under ``PUBDATA_HOME/data_docs`` and return the index page.

    Args:
        settings: where the lake and the site are.
        registry: the datasets to document.
        now: the instant freshness is judged at (default: now).

    Returns:
        The path of ``index.html``.
    """
    root = settings.data_docs
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    for ds in registry.datasets.values():
        heading = f"<h1>{escape(ds.id)}</h1><p>{escape(ds.title)} — {escape(ds.department)}</p>"
        (root / "datasets" / f"{ds.id}.html").write_text(
            _page(ds.id, heading + dataset_html(settings, ds)), encoding="utf-8"
        )
    path = root / "index.html"
    body = "<h1>pubdata Data Docs</h1>" + index_html(settings, registry, now)
    path.write_text(_page("pubdata Data Docs", body), encoding="utf-8")
    log.info("built Data Docs for %d datasets at %s", len(registry.datasets), root)
    return path
