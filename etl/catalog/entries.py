"""The catalog: every registered dataset with its latest run, freshness, quality and flags.

:func:`catalog` is what ``pubdata catalog`` prints; :func:`catalog_rows` adds what the catalog
page shows an operator besides: the flags to act on (an IMP candidate, a drift hold, withheld
columns, a refused CORE dataset), the pass rate and the open holds.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from etl.catalog.columns import dataset_columns
from etl.catalog.runs import lineage_rows, run_seconds
from etl.integrate import load_domains
from etl.integrate.reading import ConflictCount, conflict_counts
from etl.lineage.freshness import freshness
from etl.lineage.quality import dataset_pass_rates, run_quality
from etl.lineage.reviews import DRIFT, IMPORTANT, WITHHELD, Hold, open_holds
from etl.registry import Dataset, Registry
from etl.runtime.airflow_state import paused_dags
from etl.settings import Settings
from etl.zones import ZONES


def _latest_runs(
    settings: Settings,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Per dataset: its latest successful run with the zones it wrote, and its latest row."""
    latest: dict[str, dict[str, Any]] = {}
    last_status: dict[str, dict[str, Any]] = {}
    for row in lineage_rows(settings):
        last_status.setdefault(row["dataset"], row)
        if row["status"] == "success":
            entry = latest.setdefault(row["dataset"], {"run": row, "zones": []})
            if row["lineage_run_id"] == entry["run"]["lineage_run_id"] and row["zone"]:
                entry["zones"].append(row["zone"])
    return latest, last_status


def catalog(
    settings: Settings, registry: Registry, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every registered dataset with its latest successful run, freshness and quality.

    Args:
        settings: where the lake is.
        registry: the registry.
        now: the instant freshness is judged at (default: now).

    Returns:
        One JSON-safe entry per dataset, sorted by department and id. ``last_status``,
        ``last_run_date``, ``last_run_started_at``/``_finished_at``/``_seconds`` and
        ``last_error`` are of the latest run whatever its outcome; ``quality`` holds the
        expectations the latest successful run passed (``last_run``) and the rows that passed
        over the loaded dates (``history``: rows loaded / rows in). ``conflicts`` counts the
        open conflicts of the integrated repositories the dataset contributes to (``lost``:
        its value was not taken; ``won``: it was, against another's); None for a dataset
        that contributes to none.
    """
    latest, last_status = _latest_runs(settings)
    domains = load_domains(registry).domains.values()
    contributors = {d for domain in domains for d in domain.datasets}
    conflicts = conflict_counts(settings, domains)
    paused = paused_dags(settings)
    quality = run_quality(settings.lake, {e["run"]["lineage_run_id"] for e in latest.values()})
    history = dataset_pass_rates(settings.lake)
    items = []
    for ds in sorted(registry.datasets.values(), key=lambda d: (d.department, d.id)):
        found = latest.get(ds.id)
        run: dict[str, Any] = found["run"] if found else {}
        last = last_status.get(ds.id, {})
        day = run.get("logical_date")
        fresh = freshness(ds.schedule, date.fromisoformat(day) if day else None, now, settings.zone)
        items.append(
            {
                "dataset": ds.id,
                "title": ds.title,
                "department": ds.department,
                "department_title": ds.department_title,
                "domain": ds.domain,
                "owner": ds.owner,
                "schedule": ds.schedule,
                "dag": _dag_state(paused.get(ds.dag_id)),
                "grade": run.get("dataset_grade"),
                "flags": [f for f in (run.get("flags") or "").split(",") if f],
                "rows_in": run.get("rows_in"),
                "rows_loaded": run.get("rows_loaded"),
                "rows_quarantined": run.get("rows_quarantined"),
                "zones": [z for z in ZONES if found and z in found["zones"]],
                "last_logical_date": day,
                "last_run_id": run.get("run_id"),
                "last_success_at": run.get("finished_at"),
                "last_status": last.get("status"),
                "last_run_date": last.get("logical_date"),
                "last_run_started_at": last.get("started_at"),
                "last_run_finished_at": last.get("finished_at"),
                "last_run_seconds": run_seconds(last.get("started_at"), last.get("finished_at")),
                "last_error": last.get("error_message") if last.get("status") == "failed" else None,
                "freshness": fresh.to_dict() | {"label": fresh.label},
                "quality": {
                    "last_run": quality.get(run.get("lineage_run_id", "")),
                    "history": history.get(ds.id),
                },
                "conflicts": conflicts.get(ds.id, ConflictCount()).to_dict()
                if ds.id in contributors
                else None,
            }
        )
    return items


def catalog_entry(
    settings: Settings, registry: Registry, dataset: str, now: datetime | None = None
) -> dict[str, Any]:
    """One dataset's :func:`catalog` entry with its columns (``pubdata catalog <id>``).

    ``columns`` is the data dictionary: :func:`etl.catalog.columns.dataset_columns`.

    Raises:
        ConfigError: no such dataset in the registry.
    """
    ds = registry.get(dataset)
    [item] = [i for i in catalog(settings, registry, now) if i["dataset"] == ds.id]
    return item | {"columns": dataset_columns(settings, ds)}


def dataset_flags(dataset: Dataset, last_flags: list[str], pending_kinds: set[str]) -> list[str]:
    """The flags an operator acts on: codes ``IMP``, ``DRIFT``, ``WITHHELD``, ``CORE``.

    WITHHELD (columns the publication guard kept out of shared/open) shows while the hold is
    open, like a drift hold.

    Args:
        dataset: the registry entry (``classification.core`` refuses every run).
        last_flags: ``lineage_runs.flags`` of the latest successful run.
        pending_kinds: kinds of the dataset's pending reviews.

    Returns:
        Codes in a fixed order.
    """
    flags = []
    if "IMP" in last_flags or IMPORTANT in pending_kinds:
        flags.append("IMP")
    if "DRIFT" in last_flags or DRIFT in pending_kinds:
        flags.append("DRIFT")
    if WITHHELD in pending_kinds:
        flags.append("WITHHELD")
    if dataset.classification.core or "CORE" in last_flags:
        flags.append("CORE")
    return flags


def _dag_state(paused: bool | None) -> str:
    """``paused`` (not scheduled), ``active``, or ``not registered`` (Airflow has not seen it)."""
    if paused is None:
        return "not registered"
    return "paused" if paused else "active"


def catalog_rows(
    settings: Settings, registry: Registry, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every dataset's catalog row, JSON-safe (see :func:`catalog`).

    Each row adds ``flag_codes`` (IMP/DRIFT/CORE), ``rows_pass_rate`` (rows loaded / rows in
    over the loaded dates, 0..1 or None; see :func:`etl.lineage.quality.dataset_pass_rates`),
    ``checks`` (``passed/total`` expectations of the latest successful run or None) and
    ``pending_reviews`` (open holds: drift, withheld columns, IMP; each counted once however
    many runs held it).
    """
    pending: dict[str, list[Hold]] = {}
    for hold in open_holds(settings.lake):
        pending.setdefault(hold.dataset, []).append(hold)
    rows = []
    for item in catalog(settings, registry, now):
        ds = registry.datasets[item["dataset"]]
        reviews = pending.get(ds.id, [])
        last_run = item["quality"]["last_run"]
        history = item["quality"]["history"]
        rows.append(
            item
            | {
                "dag_id": ds.dag_id,
                "flag_codes": dataset_flags(ds, item["flags"], {h.kind for h in reviews}),
                "rows_pass_rate": history["rows_pass_rate"] if history else None,
                "checks": f"{last_run['passed']}/{last_run['total']}" if last_run else None,
                "pending_reviews": len(reviews),
            }
        )
    return rows
