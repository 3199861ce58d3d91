"""Maintenance DAG: compact and vacuum the lake, rebuild the Data Docs, purge old run staging.

Compaction rewrites the small files of daily partitions and per-run ``_meta`` appends; vacuum
deletes files replaced more than ``PUBDATA_RETENTION_HOURS`` ago (default 7 days, never below
Delta's default), so time travel and ``pubdata trace`` work at least that far back. No
``_meta`` row is ever pruned (see ``etl.lake.maintenance``). Staging folders hold raw rows
between a run's tasks: a successful run drops them itself; the sweep drops what runs that
stopped left (idle for ``etl.runtime.staging.IDLE_HOURS``) and removes run folders after
``KEEP_DAYS``, so personal values do not linger outside the lake's restricted zone.

The DAG id is kept from when it only rebuilt the Data Docs, so existing runs and links stay.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from etl.settings import Settings

DAG_ID = "maintenance__data_docs"

_settings = Settings.from_env()


def compact_tables() -> dict[str, int]:
    """Compact curated and quarantine tables; returns counts (XCom)."""
    from etl.lake.maintenance import compact
    from etl.registry import load_registry

    registry = load_registry(_settings.registry)
    return compact(_settings, registry, ("curated", "quarantine")).as_dict()


def compact_meta() -> dict[str, int]:
    """Compact the append-only ``_meta`` tables (no row is pruned); returns counts (XCom)."""
    from etl.lake.maintenance import compact
    from etl.registry import load_registry

    return compact(_settings, load_registry(_settings.registry), ("meta",)).as_dict()


def vacuum_lake() -> dict[str, int]:
    """Vacuum every table within the configured retention; returns counts (XCom)."""
    from etl.lake.maintenance import vacuum
    from etl.registry import load_registry

    registry = load_registry(_settings.registry)
    return vacuum(_settings, registry, ("curated", "quarantine", "integrated", "meta")).as_dict()


def build_data_docs() -> str:
    """Build the site; returns the index page's path (XCom)."""
    from etl.lineage.docs import build_docs
    from etl.registry import load_registry

    return str(build_docs(_settings, load_registry(_settings.registry)))


def purge_staging() -> dict[str, int]:
    """Drop the staged values of runs that are over, remove old run folders; counts (XCom)."""
    from etl.runtime.staging import purge

    return purge(_settings.staging).as_dict()


with DAG(
    dag_id=DAG_ID,
    description="compact and vacuum the lake, scrubbed Data Docs, purge old staging",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["maintenance"],
    doc_md=__doc__,
) as dag:
    compacted = [
        task(task_id="compact_tables", retries=1)(compact_tables)(),
        task(task_id="compact_meta", retries=1)(compact_meta)(),
    ]
    compacted >> task(task_id="vacuum_lake", retries=1)(vacuum_lake)()
    task(task_id="build_data_docs", retries=1)(build_data_docs)()
    task(task_id="purge_staging", retries=1)(purge_staging)()
