"""What a step knows about the run it belongs to, and where its staging files go."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from etl.settings import Settings

#: Joins an Airflow run id and the number of times the run was cleared: each execution of a
#: DAG run (the first, then one per "Clear", as a re-run of a date does) is a run of its own in
#: lineage, while the Airflow run, and links to it, stay one.
CLEARED = "~"


def execution_run_id(airflow_run_id: str, clear_number: int) -> str:
    """The run id of one execution of an Airflow DAG run: ``<run_id>`` then ``<run_id>~<n>``."""
    return airflow_run_id if not clear_number else f"{airflow_run_id}{CLEARED}{clear_number}"


def airflow_run_id(run_id: str) -> str:
    """The Airflow DAG run an execution's run id belongs to (see :func:`execution_run_id`)."""
    return run_id.split(CLEARED, 1)[0]


@dataclass(frozen=True)
class RunContext:
    """Identity of one run of one dataset (from Airflow, or made up by a test or benchmark).

    Attributes:
        dataset: registry id.
        dag_id: the DAG id (``ingest__<department>__<id>``).
        run_id: the run id of this execution of the Airflow DAG run (its Airflow run id, with
            ``~<n>`` after the n-th "Clear": :func:`execution_run_id`).
        try_number: the task try; lineage keeps every try.
        logical_date: the run's logical date (the partition it writes).
        invocation: an id passed by ``pubdata run`` to find this run's summary again.
        data_interval: the run's data interval ``[start, end)`` (aware datetimes from Airflow),
            or None: sources then read the logical date's day (incremental SQL, ``{start}``/
            ``{end}`` in HTTP parameters).
    """

    dataset: str
    dag_id: str
    run_id: str
    logical_date: date
    try_number: int = 1
    invocation: str | None = None
    data_interval: tuple[datetime, datetime] | None = None

    @property
    def lineage_run_id(self) -> str:
        """A stable id for this run of this dataset, used across the ``_meta`` tables."""
        return f"{self.dag_id}/{self.run_id}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        data = asdict(self)
        data["logical_date"] = self.logical_date.isoformat()
        if self.data_interval is not None:
            data["data_interval"] = [moment.isoformat() for moment in self.data_interval]
        return data


def _safe(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", part)


def staging_dir(settings: Settings, ctx: RunContext) -> Path:
    """Run-scoped staging folder: ``<home>/staging/<dataset>/<run_id>/`` (private, 0700).

    Creating it (the run's first step) drops the values the dataset's finished runs left.
    """
    # imported here: staging needs pyarrow, the run context stays light for the DAG side
    from etl.runtime.staging import run_folder

    return run_folder(settings.staging, ctx.dataset, _safe(ctx.run_id))


def invocation_path(settings: Settings, invocation: str) -> Path:
    """Where ``pubdata run`` finds the outcome of the run it started."""
    folder = settings.home / "invocations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{_safe(invocation)}.json"
