"""What a long-lived process imports before it forks task processes, so each starts warm.

A task process forked from a process that already imported Great Expectations, pyarrow,
deltalake and the pipeline's steps inherits them (copy-on-write); one that imports them itself
pays ~6-8 s of CPU per task. The DAG runner (``pubdata run``), LocalExecutor's scheduler and a
Celery worker call :func:`preload` before they fork (``deploy/airflow/airflow_local_settings.py``).
"""

from __future__ import annotations

import importlib

#: The modules the five steps import, heaviest first.
WARM_MODULES: tuple[str, ...] = (
    "great_expectations",
    "etl.validate._gx",
    "etl.pipeline.steps_ingest",
    "etl.pipeline.steps_publish",
    "etl.pipeline.steps_record",
)


def preload() -> tuple[str, ...]:
    """Import :data:`WARM_MODULES` (a no-op for those already imported); their names."""
    for name in WARM_MODULES:
        importlib.import_module(name)
    return WARM_MODULES
