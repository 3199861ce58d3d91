"""One dataset run in this process, without a scheduler (benchmarks, tests, notebooks).

It calls the same five steps the DAG's tasks call (:data:`etl.pipeline.steps.STAGES`), in
order, and records a failure or a duplicate delivery the way the DAG's failure callback does.
Airflow stays the way runs are scheduled and operated; this is the way to measure and exercise
the pipeline itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from etl.errors import DuplicateDelivery, PubdataError
from etl.extract.connections import ConnectionResolver
from etl.pipeline import steps, steps_record
from etl.pipeline.steps import STAGES, Stage
from etl.registry import Dataset
from etl.runtime.context import RunContext
from etl.runtime.records import RunSummary
from etl.settings import Settings


def local_context(dataset: Dataset, logical_date: date, run_id: str | None = None) -> RunContext:
    """A run context for an in-process run (run id ``local__<timestamp>`` unless given)."""
    run = run_id or f"local__{datetime.now(UTC).strftime('%Y%m%dT%H%M%S.%fZ')}"
    return RunContext(
        dataset=dataset.id, dag_id=dataset.dag_id, run_id=run, logical_date=logical_date
    )


def run_local(
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    connections: ConnectionResolver | None = None,
) -> RunSummary:
    """Run extract → validate → classify → load → record for one dataset and date.

    Returns:
        The record step's summary (``status`` success), or the recorded ``skipped`` summary
        of a duplicate delivery.

    Raises:
        PubdataError: a step failed; the failure is recorded in lineage first, with the stage.
    """
    stage: Stage = STAGES[0]
    try:
        for stage in STAGES:
            # through the module attribute, so a benchmark can time each step by wrapping it
            result = steps.run_stage(stage, settings, dataset, ctx, connections)
    except DuplicateDelivery as exc:
        return steps_record.record_duplicate(settings, dataset, ctx, exc.message)
    except PubdataError as exc:
        exc.stage = stage
        steps_record.record_failure(settings, dataset, ctx, stage, exc.message)
        raise
    assert isinstance(result, RunSummary)  # the last step is record
    return result
