"""The catalog for people: :func:`etl.catalog.catalog` entries as a table or a card."""

from __future__ import annotations

from typing import Any

from etl.cli.table import render
from etl.lineage.quality import percent


def _quality_label(item: dict[str, Any]) -> str:
    last = item["quality"]["last_run"]
    if not last:
        return "-"
    text = f"{last['passed']}/{last['total']}"
    if last["warnings"]:
        text += f" ({last['warnings']} warn)"
    return text


def _history_label(item: dict[str, Any]) -> str:
    """Rows loaded / rows in over the loaded dates (``99.6%``): the pass rate on rows."""
    history = item["quality"]["history"]
    return percent(history["rows_pass_rate"]) if history else "-"


def _last_run_label(item: dict[str, Any]) -> str:
    """``success``, or the status and date of a latest run that failed: ``failed 2024-06-02``."""
    status = item["last_status"]
    if status is None:
        return "never run"
    if status != "success" and item["last_run_date"]:
        return f"{status} {item['last_run_date']}"
    return str(status)


def _conflicts_label(item: dict[str, Any]) -> str:
    """Open conflicts of the repositories the dataset feeds: ``2 lost, 1 won``; ``-``: none."""
    counts = item.get("conflicts")
    if counts is None:
        return "-"
    return f"{counts['lost']} lost, {counts['won']} won"


def render_catalog(items: list[dict[str, Any]]) -> str:
    """The catalog as a table for people (``--json`` has every field)."""
    rows = [
        [
            i["dataset"],
            i["department"],
            i["domain"],
            (i["grade"] or "-") + ("+" + "+".join(i["flags"]) if i["flags"] else ""),
            i["rows_loaded"] if i["rows_loaded"] is not None else "-",
            i["rows_quarantined"] if i["rows_quarantined"] is not None else "-",
            ",".join(i["zones"]) or "-",
            i["last_logical_date"] or "-",
            _last_run_label(i),
            i["freshness"]["label"],
            _quality_label(i),
            _history_label(i),
            _conflicts_label(i),
            i["dag"],
        ]
        for i in items
    ]
    headers = [
        "dataset",
        "department",
        "domain",
        "grade",
        "loaded",
        "quarantined",
        "zones",
        "date",
        "last run",
        "freshness",
        "checks",
        "rows passed",
        "conflicts",
        "dag",
    ]
    return render(headers, rows)


def render_card(item: dict[str, Any]) -> str:
    """One dataset's catalog entry, one field per line, then its columns' dictionary.

    An undeclared column's type shows as ``(string)``: it stays as delivered.
    """
    fields = [
        ("dataset", item["dataset"]),
        ("title", item["title"]),
        ("department", f"{item['department']} {item['department_title'] or ''}".strip()),
        ("domain", item["domain"]),
        ("owner", item["owner"]),
        ("schedule", f"{item['schedule'] or 'none'} (DAG {item['dag']})"),
        ("grade", item["grade"] or "-"),
        ("flags", ",".join(item["flags"]) or "-"),
        ("zones", ",".join(item["zones"]) or "-"),
        (
            "rows (last run)",
            f"{item['rows_in']} in, {item['rows_loaded']} loaded, "
            f"{item['rows_quarantined']} quarantined"
            if item["rows_in"] is not None
            else "-",
        ),
        ("last loaded date", item["last_logical_date"] or "-"),
        ("last loaded run", item["last_run_id"] or "-"),
        ("last run", _last_run_label(item)),
        ("last error", item["last_error"] or "-"),
        ("freshness", item["freshness"]["label"]),
        ("checks (last run)", _quality_label(item)),
        ("rows passed (loaded/in, all dates)", _history_label(item)),
        ("open conflicts (integrated)", _conflicts_label(item)),
    ]
    card = render(["field", "value"], [[k, v] for k, v in fields])
    columns = item.get("columns")
    if not columns:
        return card
    dictionary = [
        [
            c["column"],
            c["type"] if c["declared"] else "(string)",
            c["title"],
            " ".join((c["description"] or "").split()),  # one line per column
        ]
        for c in columns
    ]
    return card + "\n\n" + render(["column", "type", "title", "description"], dictionary)
