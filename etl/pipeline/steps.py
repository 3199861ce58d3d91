"""The five steps of a run, in order: the one list every runner iterates.

The DAG factory, ``run_local`` and the benchmark all go through :data:`STAGES` and
:func:`run_stage`. Importing this module is cheap (DAG files import it at parse time); the
steps' modules, which load pyarrow, Great Expectations and delta-rs, load when a step runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from etl.classify.model import DatasetClassification
    from etl.extract.connections import ConnectionResolver
    from etl.registry import Dataset
    from etl.runtime.context import RunContext
    from etl.runtime.records import ExtractResult, LoadResult, RunSummary, ValidationResult
    from etl.settings import Settings

    #: What a step returns: the record it staged (record: the run's summary).
    StepResult = ExtractResult | ValidationResult | DatasetClassification | LoadResult | RunSummary

Stage = Literal["extract", "validate", "classify", "load", "record"]

#: The steps of one run, in the order they run; each is one Airflow task of the same name.
STAGES: tuple[Stage, ...] = ("extract", "validate", "classify", "load", "record")


def run_stage(
    stage: Stage,
    settings: Settings,
    dataset: Dataset,
    ctx: RunContext,
    connections: ConnectionResolver | None = None,
) -> StepResult:
    """Run one step and return the record it staged (the record step: the run's summary).

    Args:
        stage: which step.
        settings: the deployment's settings.
        dataset: the registry entry.
        ctx: the run.
        connections: how ``sql`` and ``http`` sources find their connections (extract only).

    Raises:
        PubdataError: the step failed (its subclass says what should happen next).
    """
    from etl.pipeline import steps_ingest, steps_publish, steps_record

    if stage == "extract":
        return steps_ingest.extract(settings, dataset, ctx, connections)
    if stage == "validate":
        return steps_ingest.validate(settings, dataset, ctx)
    if stage == "classify":
        return steps_publish.classify(settings, dataset, ctx)
    if stage == "load":
        return steps_publish.load(settings, dataset, ctx)
    return steps_record.record(settings, dataset, ctx)
