"""Inline SVG for the dataset page: quality history per expectation and the lineage graph.

Drawn on the server as plain SVG text (no script, no CDN) so the page works offline and a
screenshot shows what a person sees. Every label is escaped; labels are names, dates, counts
and versions only.
"""

from __future__ import annotations

from html import escape
from typing import Any

from etl.zones import QUARANTINE, TITLES, TableZone, Zone

#: Verdict colours (pass, warn, fail), shared with the CSS badges.
PASS, WARN, FAIL = "#1e8e3e", "#c77700", "#c5221f"
_BAR_W, _GAP, _H = 10, 3, 26


def quality_chart(series: dict[str, Any]) -> str:
    """One expectation's history: a bar per evaluation, oldest left.

    A passing evaluation is a full-height green bar; a failing one is red (amber for a
    ``warn`` expectation) with its height the share of rows flagged (at least a sliver, so a
    table-level failure with no row count still shows). The title of each bar names the date
    and the verdict.

    Args:
        series: an entry of :func:`etl.catalog.dataset.quality_series`.

    Returns:
        An ``<svg>`` element.
    """
    points = series["points"]
    width = max(1, len(points)) * (_BAR_W + _GAP) + _GAP
    bad = WARN if series["severity"] == "warn" else FAIL
    bars = []
    for i, point in enumerate(points):
        x = _GAP + i * (_BAR_W + _GAP)
        if point["success"]:
            height, colour, verdict = _H - 4, PASS, "passed"
        else:
            share = point["unexpected_percent"]
            fraction = min(1.0, max(0.15, (share or 100.0) / 100.0))
            height, colour = round((_H - 4) * fraction), bad
            verdict = "warned" if series["severity"] == "warn" else "failed"
            if share is not None:
                verdict += f" ({share:.2f}% rows)"
        bars.append(
            f'<rect x="{x}" y="{_H - 2 - height}" width="{_BAR_W}" height="{height}" '
            f'fill="{colour}"><title>{escape(point["date"])} {escape(verdict)}</title></rect>'
        )
    label = f"{series['expectation']}: {series['passed']}/{series['runs']} runs passed"
    return (
        f'<svg class="spark" role="img" width="{width}" height="{_H}" '
        f'viewBox="0 0 {width} {_H}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
        f'<line x1="0" y1="{_H - 1}" x2="{width}" y2="{_H - 1}" stroke="#bbb"/>'
        + "".join(bars)
        + "</svg>"
    )


_ZONE_FILL: dict[TableZone, str] = {
    Zone.RESTRICTED: "#fde7e9",
    QUARANTINE: "#fff4e5",
    Zone.SHARED: "#e8f0fe",
    Zone.OPEN: "#e6f4ea",
}
_ZONE_LABEL = {zone: f"{title} {zone}" for zone, title in TITLES.items()}
_NODE_H, _ROW, _LEFT_W, _RIGHT_W, _SPAN = 38, 48, 420, 250, 200


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _versions(versions: list[int]) -> str:
    return ", ".join(f"v{v}" for v in versions) or "-"


def _dates(dates: list[str]) -> str:
    return dates[0] if len(dates) == 1 else f"{dates[0]} … {dates[-1]} ({len(dates)} dates)"


def _source_note(source: dict[str, Any]) -> str:
    """A source's second line: dates, role, how often it was read, rows and fingerprint."""
    parts = [_dates(source["dates"]) if source["dates"] else source["date"], source["role"]]
    if source["runs"] > 1:
        parts.append(f"{source['runs']} runs")
    parts += [f"{source['rows']} rows", f"sha256 {source['sha256']}"]
    return " · ".join(parts)


def _source_title(source: dict[str, Any]) -> str:
    """The hover text: the path, and every date the file was loaded or delivered again for."""
    text = f"{source['label']}: loaded for {', '.join(source['dates']) or '-'}"
    if source["repeated"]:
        text += f"; delivered again for {', '.join(source['repeated'])} (not loaded)"
    return text


def lineage_svg(graph: dict[str, Any]) -> str:
    """Sources on the left, the dataset's tables on the right, an edge per table a file fed.

    A file read by several runs (re-runs of its date, a delivery repeated for another date) is
    one source; its edge to a table names every version its runs wrote.

    Args:
        graph: :func:`etl.catalog.dataset.lineage_graph`.

    Returns:
        An ``<svg>`` element (a short note when nothing was delivered yet).
    """
    sources = graph["sources"]
    tables = graph["tables"]
    rows = max(len(sources), len(tables), 1)
    height = rows * _ROW + 30
    width = _LEFT_W + _SPAN + _RIGHT_W + 20
    right_x = _LEFT_W + _SPAN + 10
    parts = [
        f'<svg class="lineage" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui,sans-serif" font-size="12">',
        "<title>lineage: source deliveries to zone tables</title>",
        '<text x="10" y="16" font-weight="600">来源 sources</text>',
        f'<text x="{right_x}" y="16" font-weight="600">表 tables (Delta version)</text>',
    ]
    source_y = {s["id"]: 26 + i * _ROW for i, s in enumerate(sources)}
    table_y = {t["kind"]: 26 + i * _ROW for i, t in enumerate(tables)}
    for edge in graph["edges"]:
        if edge["table"] not in table_y:
            continue
        y1 = source_y[edge["source"]] + _NODE_H / 2
        y2 = table_y[edge["table"]] + _NODE_H / 2
        x1, x2 = _LEFT_W + 10, right_x
        middle = (x1 + x2) / 2
        parts.append(
            f'<path d="M{x1},{y1} C{middle},{y1} {middle},{y2} {x2},{y2}" fill="none" '
            f'stroke="#8a94a6" stroke-width="1.2"><title>{escape(_versions(edge["versions"]))}'
            "</title></path>"
        )
    for source in sources:
        y = source_y[source["id"]]
        dashed = ' stroke-dasharray="4 3"' if source["role"] == "duplicate" else ""
        parts.append(
            f'<rect x="10" y="{y}" width="{_LEFT_W}" height="{_NODE_H}" rx="5" fill="#f8f9fa" '
            f'stroke="#9aa0a6"{dashed}><title>{escape(_source_title(source))}</title></rect>'
            f'<text x="18" y="{y + 15}">{escape(_clip(source["label"], 60))}</text>'
            f'<text x="18" y="{y + 30}" fill="#5f6368">{escape(_source_note(source))}</text>'
        )
    for table in tables:
        y = table_y[table["kind"]]
        fill = _ZONE_FILL.get(table["kind"], "#fff") if table["exists"] else "#ffffff"
        written = sorted(
            {v for e in graph["edges"] if e["table"] == table["kind"] for v in e["versions"]}
        )
        version = f"v{table['version']}" if table["exists"] else "not written"
        if written:
            version += " · runs wrote " + _versions(written)
        parts.append(
            f'<rect x="{right_x}" y="{y}" width="{_RIGHT_W}" height="{_NODE_H}" rx="5" '
            f'fill="{fill}" stroke="#9aa0a6"/>'
            f'<text x="{right_x + 8}" y="{y + 15}">'
            f"{escape(_ZONE_LABEL.get(table['kind'], table['kind']))}</text>"
            f'<text x="{right_x + 8}" y="{y + 30}" fill="#5f6368">{escape(version)}</text>'
        )
    if not sources:
        parts.append('<text x="18" y="50" fill="#5f6368">no delivery recorded yet 尚无交付</text>')
    parts.append("</svg>")
    return "".join(parts)
