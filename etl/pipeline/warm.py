"""What a long-lived process loads before it forks task processes, so each starts warm.

A task process forked from a process that already imported Great Expectations, pyarrow,
deltalake and the pipeline's steps inherits them (copy-on-write); one that imports them itself
pays ~6-8 s of CPU per task. Each task process also parses its DAG file, which loads the whole
registry: the registry files parsed here are not parsed again in the forks
(``etl.registry.safe_yaml.load_document``). The DAG runner (``pubdata run``), LocalExecutor's
scheduler and a Celery worker call :func:`preload` before they fork
(``deploy/airflow/airflow_local_settings.py``).
"""

from __future__ import annotations

import importlib
import logging

from etl.errors import ConfigError
from etl.registry import load_registry
from etl.settings import Settings

log = logging.getLogger(__name__)

#: The modules the five steps import, heaviest first.
WARM_MODULES: tuple[str, ...] = (
    "great_expectations",
    "etl.validate._gx",
    "etl.pipeline.steps_ingest",
    "etl.pipeline.steps_publish",
    "etl.pipeline.steps_record",
)


def preload() -> tuple[str, ...]:
    """Import :data:`WARM_MODULES` (a no-op for those already imported) and parse the registry.

    Returns:
        The names of the modules imported.
    """
    for name in WARM_MODULES:
        importlib.import_module(name)
    preload_registry()
    return WARM_MODULES


def preload_registry() -> None:
    """Parse the registry files, so that processes forked from this one find them parsed.

    Also what the DAG processor does before it forks its file parsers: every DAG file of the
    folder loads the registry.
    """
    try:
        registry = Settings.from_env().registry
    except ConfigError as exc:  # every task will say so too; the process itself still starts
        log.warning("pubdata: the registry was not preloaded: %s", exc)
    else:
        load_registry(registry)  # its problems are the DAG files' import errors, not ours
