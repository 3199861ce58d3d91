"""Maintenance DAG: rebuild the scrubbed Data Docs under PUBDATA_HOME from the _meta tables."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, task

from etl.settings import Settings

DAG_ID = "maintenance__data_docs"

_settings = Settings.from_env()


def build_data_docs() -> str:
    """Build the site; returns the index page's path (XCom)."""
    from etl.lineage.docs import build_docs
    from etl.registry import load_registry

    return str(build_docs(_settings, load_registry(_settings.registry)))


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
