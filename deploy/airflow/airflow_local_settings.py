"""Airflow local settings of pubdata: long-lived processes that fork tasks start them warm.

Airflow imports this module in each of its processes (``airflow.settings``; the folder is on
``PYTHONPATH``, see ``etl.runtime.airflow_env`` and ``docker-compose.yaml``). In the processes
that live long and fork task processes, it imports what pubdata's tasks import
(:func:`etl.pipeline.warm.preload`), so a task starts with Great Expectations and the pipeline
already loaded instead of importing them (~6-8 s of CPU) in every task process:

* the scheduler when its executor is LocalExecutor: the executor's workers are forked from it
  when it starts, and each forks its task processes (the Task SDK supervisor forks, it does not
  exec);
* a Celery worker: its prefork pool's processes are forked from the main process.

The DAG processor forks a process per DAG file it parses, and each DAG file loads the whole
registry: it parses the registry files first (:func:`etl.pipeline.warm.preload_registry`), so
that its parsers find every unchanged file parsed. Every other Airflow process (the API server,
CLI calls) stays light.
"""

from __future__ import annotations

import sys


def _forks_tasks(argv: list[str], executor: str) -> bool:
    """Whether this process forks task processes (see the module docstring)."""
    words = argv[1:3]
    if words[:1] == ["scheduler"]:
        names = (e.strip().split(":")[-1].rsplit(".", 1)[-1] for e in executor.split(","))
        return "LocalExecutor" in names
    return words[:2] == ["celery", "worker"]


def _forks_parsers(argv: list[str]) -> bool:
    """Whether this process is the DAG processor (it forks a process per DAG file)."""
    return argv[1:2] == ["dag-processor"]


def _warm() -> None:
    from airflow.configuration import conf

    if _forks_tasks(sys.argv, conf.get("core", "executor")):
        from etl.pipeline.warm import preload

        preload()
    elif _forks_parsers(sys.argv):
        from etl.pipeline.warm import preload_registry

        preload_registry()


_warm()
