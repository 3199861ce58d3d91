"""Maintenance DAG: rebuild the scrubbed Data Docs from _meta; purge old run staging files.

Staging folders hold raw rows between a run's tasks; they are removed after
``STAGING_KEEP_DAYS`` so personal values do not linger outside the lake's restricted zone.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from etl.settings import Settings

DAG_ID = "maintenance__data_docs"

_settings = Settings.from_env()
STAGING_KEEP_DAYS = 7


def build_data_docs() -> str:
    """Build the site; returns the index page's path (XCom)."""
    from etl.lineage.docs import build_docs
    from etl.registry import load_registry

    return str(build_docs(_settings, load_registry(_settings.registry)))


def purge_staging() -> dict[str, int]:
    """Remove run staging folders older than the retention; returns counts (XCom)."""
    from etl.pipeline.staging import purge

    removed, freed = purge(_settings.staging, keep_days=STAGING_KEEP_DAYS)
    return {"folders_removed": removed, "bytes_freed": freed}


with DAG(
    dag_id=DAG_ID,
    description="scrubbed Data Docs HTML from _meta (no data values)",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["maintenance"],
    doc_md=__doc__,
) as dag:
    task(task_id="build_data_docs", retries=1)(build_data_docs)()
    task(task_id="purge_staging", retries=1)(purge_staging)()
