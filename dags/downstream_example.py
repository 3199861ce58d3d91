"""A downstream team's DAG: scheduled on a curated asset, reading the run summary it carries.

It runs whenever a run of ``household_register`` publishes its shared table. The asset event's
``extra`` holds the producing run's scrubbed summary (rows, grade, quality, Delta version,
logical date), so the consumer can decide before it reads anything; it then reads exactly the
published date through the Delta log with :func:`etl.read.read`, within its own clearance.
Copy this file for a real consumer; it is built only when the source dataset is registered.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from airflow.sdk import DAG, get_current_context, task

from etl.registry import load_registry
from etl.settings import Settings
from pubdata_wiring import dataset_assets

log = logging.getLogger(__name__)

SOURCE = "household_register"
DAG_ID = f"example_downstream__{SOURCE}"
MIN_PASS_RATE = 0.8

_settings = Settings.from_env()
_dataset = load_registry(_settings.registry).datasets.get(SOURCE)
_shared = (
    [a for a in dataset_assets(_settings, _dataset) if a.extra["zone"] == "shared"]
    if _dataset
    else []
)


def consume() -> dict[str, Any]:
    """Check the producer's summary, then read the date it published (counts only in the log)."""
    from etl.read import read

    context = get_current_context()
    events = context["triggering_asset_events"][_shared[0]]
    if not events:
        log.info("triggered without an asset event (manual run); nothing to read")
        return {"read": 0}
    extra = dict(events[-1].extra or {})
    quality = extra.get("quality") or {}
    if (quality.get("pass_rate") or 0) < MIN_PASS_RATE:
        log.warning(
            "%s %s: pass rate %s below %s; skipping",
            SOURCE,
            extra.get("logical_date"),
            quality.get("pass_rate"),
            MIN_PASS_RATE,
        )
        return {"read": 0, "skipped": True}
    table = read(SOURCE, zone="shared", date=extra["logical_date"], settings=_settings)
    log.info(
        "%s %s (grade %s, v%s): read %d rows, producer loaded %s",
        SOURCE,
        extra["logical_date"],
        extra.get("dataset_grade"),
        extra.get("delta_version"),
        table.num_rows,
        extra.get("rows_loaded"),
    )
    return {"read": table.num_rows, "logical_date": extra["logical_date"]}


if _shared:
    with DAG(
        dag_id=DAG_ID,
        description=f"example consumer of shared.{_shared[0].name}",
        schedule=_shared,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        tags=["example", "downstream", f"source:{SOURCE}"],
        doc_md=__doc__,
    ) as dag:
        task(task_id="consume")(consume)()
