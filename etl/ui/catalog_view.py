"""The catalog page's rows: every registered dataset with its state, flags and quality.

Built on :func:`etl.cli.catalog.catalog` (the same numbers ``pubdata catalog`` prints) plus the
flags an operator acts on: an IMP candidate, a drift hold and a refused CORE dataset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etl.cli.catalog import catalog
from etl.lineage.reviews import DRIFT, IMPORTANT, WITHHELD, Hold, open_holds
from etl.registry import Dataset, Registry
from etl.settings import Settings

#: Flag code → label shown on the pages (Chinese with English alongside).
FLAG_LABELS: dict[str, str] = {
    "IMP": "重要数据候选 IMP candidate",
    "DRIFT": "分类漂移暂停发布 drift held",
    "WITHHELD": "列暂缓发布 columns withheld",
    "CORE": "核心数据拒收 CORE refused",
}
#: Run states → label.
STATE_LABELS: dict[str, str] = {
    "success": "成功 success",
    "failed": "失败 failed",
    "skipped": "跳过 skipped",
}
#: Freshness states → label.
FRESHNESS_LABELS: dict[str, str] = {
    "fresh": "及时 fresh",
    "late": "滞后 late",
    "never": "未加载 never",
    "unscheduled": "未排期 unscheduled",
}


@dataclass(frozen=True)
class Filters:
    """The catalog's filters (None: no filter)."""

    department: str | None = None
    domain: str | None = None
    grade: str | None = None

    def keep(self, item: Mapping[str, Any]) -> bool:
        """Whether a catalog row passes every filter set."""
        return (
            (self.department is None or item["department"] == self.department)
            and (self.domain is None or item["domain"] == self.domain)
            and (self.grade is None or item["grade"] == self.grade)
        )


def dataset_flags(dataset: Dataset, last_flags: list[str], pending_kinds: set[str]) -> list[str]:
    """The flags an operator acts on, as codes of :data:`FLAG_LABELS`.

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


def catalog_rows(
    settings: Settings, registry: Registry, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Every dataset's catalog row, JSON-safe (see :func:`etl.cli.catalog.catalog`).

    Each row adds ``flag_codes`` (IMP/DRIFT/CORE), ``pass_rate`` (over all runs, 0..1 or None),
    ``checks`` (``passed/total`` of the latest successful run or None) and
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
                "pass_rate": history["pass_rate"] if history else None,
                "checks": f"{last_run['passed']}/{last_run['total']}" if last_run else None,
                "pending_reviews": len(reviews),
            }
        )
    return rows


def filter_options(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The values each filter can take, from the rows themselves."""
    return {
        "department": sorted({r["department"] for r in rows}),
        "domain": sorted({r["domain"] for r in rows}),
        "grade": sorted({r["grade"] for r in rows if r["grade"]}),
    }
