"""The only adapter between Airflow and the ``etl`` library.

It turns a registry entry into a DAG of five tasks, builds the run context from Airflow's, and
translates ``etl`` errors into what Airflow should do next. Heavy libraries are imported inside
the tasks, never at parse time.

Each task is a :class:`PubdataStep`: a small operator whose ``execute`` calls one pipeline step
and whose ``get_openlineage_facets_on_complete``/``_on_failure`` hand the OpenLineage provider
the facets :func:`etl.lineage.openlineage.task_lineage` builds from the run's staging files
(schema, column lineage with masked fields flagged, data-quality assertions and metrics,
ownership, grade and category tags; all scrubbed). The provider's transport setting decides
where events go (file by default, HTTP to Marquez with one setting).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, Asset, BaseOperator, get_current_context
from airflow.sdk.exceptions import AirflowException, AirflowFailException

from etl.errors import PubdataError, TransientError
from etl.lake.layout import zone_table_uri
from etl.registry import Dataset
from etl.settings import Settings

log = logging.getLogger(__name__)


def asset_uri(lake: str, zone: str, domain: str, dataset: str) -> str:
    """Asset URI of a zone table (``file://`` for local lakes)."""
    uri = zone_table_uri(lake, zone, domain, dataset)  # type: ignore[arg-type]
    return uri if "://" in uri else Path(uri).as_uri()


def dataset_assets(settings: Settings, dataset: Dataset) -> list[Asset]:
    """One Asset per zone table the dataset publishes to."""
    zones = ["restricted"]
    if not dataset.classification.important:
        zones.append("shared")
        if dataset.open:
            zones.append("open")
    return [
        Asset(
            name=f"{zone}.{dataset.domain}.{dataset.id}",
            uri=asset_uri(settings.lake, zone, dataset.domain, dataset.id),
            group="pubdata",
            extra={"zone": zone, "department": dataset.department, "domain": dataset.domain},
        )
        for zone in zones
    ]


def _run_context(dataset: Dataset, context: Any) -> Any:
    from etl.pipeline import RunContext

    dag_run = context["dag_run"]
    logical = context.get("logical_date") or dag_run.run_after
    conf = dag_run.conf or {}
    return RunContext(
        dataset=dataset.id,
        dag_id=dataset.dag_id,
        run_id=dag_run.run_id,
        logical_date=date.fromisoformat(logical.date().isoformat()),
        try_number=int(context["ti"].try_number or 1),
        invocation=conf.get("pubdata_invocation"),
    )


def _step(stage: str) -> Callable[[Settings, Dataset, Any], dict[str, Any]]:
    from etl.pipeline import steps_ingest, steps_publish, steps_record

    steps: dict[str, Callable[[Settings, Dataset, Any], dict[str, Any]]] = {
        "extract": steps_ingest.extract,
        "validate": steps_ingest.validate,
        "classify": steps_publish.classify,
        "load": steps_publish.load,
        "record": steps_record.record,
    }
    return steps[stage]


def run_step(stage: str, dataset: Dataset, settings: Settings) -> dict[str, Any]:
    """Run one pipeline step for the current task and translate its errors."""
    context = get_current_context()
    ctx = _run_context(dataset, context)
    fail_fast = bool((context["dag_run"].conf or {}).get("pubdata_fail_fast"))
    try:
        summary = _step(stage)(settings, dataset, ctx)
    except PubdataError as exc:
        exc.stage = stage
        message = f"{dataset.id} failed at {stage}: {exc.message}"
        if isinstance(exc, TransientError) and not fail_fast:
            raise AirflowException(message) from exc
        raise AirflowFailException(message) from exc
    except Exception as exc:
        if fail_fast:
            raise AirflowFailException(
                f"{dataset.id} failed at {stage}: unexpected {type(exc).__name__} "
                "(see the task log)"
            ) from exc
        raise
    if stage == "load":
        _asset_extras(context, settings, dataset, summary)
    return summary


def _asset_extras(context: Any, settings: Settings, dataset: Dataset, summary: Any) -> None:
    # A scrubbed run summary (counts, grade, quality, versions): asset extras are visible in the
    # UI and to downstream DAGs scheduled on these assets.
    from etl.lineage.summary import run_summary
    from etl.pipeline.context import staging_dir

    ctx = _run_context(dataset, context)
    run = run_summary(staging_dir(settings, ctx))
    for asset in dataset_assets(settings, dataset):
        zone = asset.extra["zone"]
        if zone in summary.get("versions", {}):
            context["outlet_events"][asset].extra = {
                "zone": zone,
                "dataset": dataset.id,
                "logical_date": ctx.logical_date.isoformat(),
                "run_id": ctx.run_id,
                "rows_in": run["rows_in"],
                "rows_loaded": summary["rows_loaded"],
                "rows_quarantined": summary["rows_quarantined"],
                "delta_version": summary["versions"][zone],
                "dataset_grade": run["dataset_grade"],
                "flags": run["flags"],
                "quality": run["quality"],
            }


def record_failure(dataset: Dataset, settings: Settings, context: Any) -> None:
    """Failure callback: record the failed run in lineage with a one-line, value-free reason."""
    from etl.pipeline.steps_record import record_failure as record

    exc = context.get("exception")
    stage = context["ti"].task_id
    cause = exc.__cause__ if exc is not None and exc.__cause__ is not None else exc
    if isinstance(cause, PubdataError):
        message = cause.message
    elif isinstance(exc, AirflowFailException):
        message = str(exc)
    else:
        message = f"unexpected {type(cause).__name__} (see the task log)"
    try:
        record(settings, dataset, _run_context(dataset, context), stage, message)
    except Exception:
        log.exception("could not record the failure of %s", dataset.id)


class PubdataStep(BaseOperator):
    """One pipeline step of one dataset, reporting its lineage to the OpenLineage provider.

    Args:
        stage: ``extract``, ``validate``, ``classify``, ``load`` or ``record``.
        dataset: the registry entry.
        settings: the pipeline settings.
        **kwargs: BaseOperator arguments (task_id, outlets, retries ...).
    """

    ui_color = "#e6f0fa"

    def __init__(self, *, stage: str, dataset: Dataset, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stage = stage
        self.dataset = dataset
        self.settings = settings
        self.doc_md = f"{stage} step of {dataset.id} (etl.pipeline)"

    def execute(self, context: Any) -> dict[str, Any]:
        """Run the step; the small summary it returns goes to XCom.

        The lineage facets are built here, in the task's own process, whether the step succeeds
        or fails: the provider calls the ``get_openlineage_facets_*`` methods in a forked
        process, where delta-rs (a tokio runtime) panics if it is touched.
        """
        try:
            return run_step(self.stage, self.dataset, self.settings)
        finally:
            self._facets = self._build_lineage(context)

    def _build_lineage(self, context: Any) -> Any:
        try:
            from etl.lineage.openlineage import task_lineage

            ctx = _run_context(self.dataset, context)
            return task_lineage(self.settings, self.dataset, ctx, self.stage)
        except Exception as exc:  # lineage must never fail the task
            log.warning(
                "no OpenLineage facets for %s of %s: %s",
                self.stage,
                self.dataset.id,
                type(exc).__name__,
            )
            return None

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Lineage of a finished step (called by the OpenLineage provider)."""
        return self._lineage()

    def get_openlineage_facets_on_failure(self, task_instance: Any) -> Any:
        """Lineage of a failed step: what was staged so far (e.g. the failed assertions)."""
        return self._lineage()

    def _lineage(self) -> Any:
        facets = getattr(self, "_facets", None)
        if facets is None:
            return None
        from airflow.providers.openlineage.extractors import OperatorLineage

        return OperatorLineage(
            inputs=facets.inputs,
            outputs=facets.outputs,
            run_facets=facets.run_facets,
            job_facets=facets.job_facets,
        )


def build_dag(dataset: Dataset, settings: Settings) -> DAG:
    """The DAG of one dataset: extract → validate → classify → load → record."""
    title = dataset.department_title or dataset.department
    with DAG(
        dag_id=dataset.dag_id,
        description=f"{dataset.title} ({title})",
        schedule=dataset.schedule,
        start_date=datetime.combine(dataset.start_date, time.min),
        catchup=False,
        max_active_runs=1,
        tags=[f"department:{dataset.department}", f"domain:{dataset.domain}", *dataset.tags],
        default_args={
            "owner": dataset.owner,
            "retries": dataset.retries,
            "retry_delay": timedelta(minutes=2),
            "retry_exponential_backoff": 2.0,
            "on_failure_callback": functools.partial(record_failure, dataset, settings),
        },
        doc_md=dataset.description or dataset.title,
    ) as dag:
        previous = None
        for stage in ("extract", "validate", "classify", "load", "record"):
            outlets = dataset_assets(settings, dataset) if stage == "load" else []
            current = PubdataStep(
                task_id=stage, stage=stage, dataset=dataset, settings=settings, outlets=outlets
            )
            if previous is not None:
                previous >> current
            previous = current
    return dag
