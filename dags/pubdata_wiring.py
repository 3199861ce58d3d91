"""The only adapter between Airflow and the ``etl`` library.

It turns a registry entry into a DAG of five tasks (a domain file into the asset-scheduled DAG
of its integrated repository, a product file into the DAG of its releases), builds the run
context from Airflow's, and translates ``etl`` errors into what Airflow should do next. Heavy
libraries are imported inside the tasks, never at parse time.

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
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum
from airflow.sdk import (
    DAG,
    Asset,
    AssetAny,
    AssetOrTimeSchedule,
    BaseOperator,
    BaseSensorOperator,
    CronTriggerTimetable,
    get_current_context,
)
from airflow.sdk.exceptions import (
    AirflowException,
    AirflowFailException,
    AirflowSkipException,
)

from etl.errors import DuplicateDelivery, PubdataError
from etl.integrate import Domain
from etl.lake.layout import (
    INTEGRATED_TABLES,
    Lake,
    integrated_table_uri,
    published_zones,
    zone_table_uri,
)
from etl.local_time import day_end, day_start, local_day
from etl.pipeline.steps import STAGES, Stage, run_stage
from etl.registry import Dataset, Registry
from etl.registry.product import Product
from etl.registry.sources import FileSource
from etl.settings import Settings
from etl.zones import Zone
from pubdata_notifiers import deadline_alerts, failure_notifiers, record_notifiers
from pubdata_task_context import AirflowConnections, failure_reason, run_context, task_outcome

if TYPE_CHECKING:
    from etl.integrate.engine import IntegrationResult
    from etl.products.manifest import Release as ProductRelease
    from etl.runtime.records import LoadResult

log = logging.getLogger(__name__)


def _as_asset_uri(location: str) -> str:
    """The asset URI of a table's location (``file://`` for local lakes)."""
    return location if "://" in location else Path(location).as_uri()


def asset_uri(lake: Lake, zone: str, domain: str, dataset: str) -> str:
    """Asset URI of a zone table (``file://`` for local lakes)."""
    return _as_asset_uri(zone_table_uri(lake, zone, domain, dataset))  # type: ignore[arg-type]


def dataset_assets(settings: Settings, dataset: Dataset) -> list[Asset]:
    """One Asset per zone table the dataset publishes to."""
    return [
        Asset(
            name=f"{zone}.{dataset.domain}.{dataset.id}",
            uri=asset_uri(settings, zone, dataset.domain, dataset.id),
            group="pubdata",
            extra={"zone": zone, "department": dataset.department, "domain": dataset.domain},
        )
        for zone in published_zones(dataset)
    ]


def restricted_assets(settings: Settings, dataset: Dataset) -> list[Asset]:
    """The dataset's restricted-zone asset (every run that loads publishes it)."""
    return [a for a in dataset_assets(settings, dataset) if a.extra["zone"] == Zone.RESTRICTED]


def integrated_assets(settings: Settings, domain: Domain) -> list[Asset]:
    """One Asset per table of an integrated repository (restricted zone)."""
    return [
        Asset(
            name=f"{Zone.RESTRICTED}.integrated.{domain.id}.{table}",
            uri=_as_asset_uri(integrated_table_uri(settings, domain.id, table)),
            group="pubdata",
            extra={"zone": str(Zone.RESTRICTED), "domain": domain.id, "table": table},
        )
        for table in INTEGRATED_TABLES
    ]


def shared_integrated_asset(settings: Settings, domain: Domain) -> Asset:
    """The Asset of a repository's shared table (its protected current records)."""
    return Asset(
        name=f"{Zone.SHARED}.integrated.{domain.id}.records",
        uri=_as_asset_uri(integrated_table_uri(settings, domain.id, "records", Zone.SHARED)),
        group="pubdata",
        extra={"zone": str(Zone.SHARED), "domain": domain.id, "table": "records"},
    )


TOKEN_KEY_VARIABLE = "pubdata_token_key"


def _with_token_key(settings: Settings) -> Settings:
    """Settings whose token key comes from the Airflow Variable ``pubdata_token_key`` if set.

    The variable holds ``<key_id>:<base64 secret>``; Airflow masks it in task logs (its name
    contains "token"). Without it, ``PUBDATA_TOKEN_KEY`` or the local key file is used.
    """
    import dataclasses

    from airflow.sdk import Variable

    value = Variable.get(TOKEN_KEY_VARIABLE, default=None)
    return dataclasses.replace(settings, token_key=value) if value else settings


def run_step(stage: Stage, dataset: Dataset, settings: Settings) -> dict[str, Any]:
    """Run one pipeline step for the current task and translate its errors.

    Returns:
        What the task reports to Airflow (its XCom): the step's record as JSON, without the
        parts that stay in staging (suite parameters, column lineage, source comments).
    """
    from etl.runtime.records import LoadResult, Record

    context = get_current_context()
    ctx = run_context(dataset, context, settings.zone)
    fail_fast = bool((context["dag_run"].conf or {}).get("pubdata_fail_fast"))
    if stage == "load":
        settings = _with_token_key(settings)
    try:
        result = run_stage(stage, settings, dataset, ctx, AirflowConnections())
    except DuplicateDelivery as exc:
        from etl.pipeline.steps_record import record_duplicate

        record_duplicate(settings, dataset, ctx, exc.message)
        raise AirflowSkipException(f"{dataset.id}: {exc.message}") from exc
    except PubdataError as exc:
        exc.stage = stage
        raise task_outcome(exc, dataset.id, stage, fail_fast=fail_fast) from exc
    except Exception as exc:
        if fail_fast:
            raise AirflowFailException(
                f"{dataset.id} failed at {stage}: unexpected {type(exc).__name__} "
                "(see the task log)"
            ) from exc
        raise
    if isinstance(result, LoadResult):
        _asset_extras(context, settings, dataset, result)
    return result.reported() if isinstance(result, Record) else result.to_dict()


def _asset_extras(context: Any, settings: Settings, dataset: Dataset, loaded: LoadResult) -> None:
    # A scrubbed run summary (counts, grade, quality, versions): asset extras are visible in the
    # UI and to downstream DAGs scheduled on these assets.
    from etl.lineage.summary import run_summary
    from etl.runtime.context import staging_dir

    ctx = run_context(dataset, context, settings.zone)
    run = run_summary(staging_dir(settings, ctx))
    for asset in dataset_assets(settings, dataset):
        zone = asset.extra["zone"]
        if zone in loaded.versions:
            context["outlet_events"][asset].extra = {
                "zone": zone,
                "dataset": dataset.id,
                "logical_date": ctx.logical_date.isoformat(),
                "run_id": ctx.run_id,
                "rows_in": run["rows_in"],
                "rows_loaded": loaded.rows_loaded,
                "rows_quarantined": loaded.rows_quarantined,
                "delta_version": loaded.versions[zone],
                "dataset_grade": run["dataset_grade"],
                "flags": run["flags"],
                "quality": run["quality"],
            }


def record_failure(dataset: Dataset, settings: Settings, context: Any) -> None:
    """Failure callback: record the failed run in lineage with a one-line, value-free reason."""
    from etl.pipeline.steps_record import record_failure as record

    stage = context["ti"].task_id
    message, _ = failure_reason(dataset, context, settings.zone)
    try:
        record(settings, dataset, run_context(dataset, context, settings.zone), stage, message)
    except Exception:
        log.exception("could not record the failure of %s", dataset.id)


class DeliverySensor(BaseSensorOperator):
    """Waits (reschedule mode: no worker slot held) until a file source's delivery is there.

    A poke is cheap: a glob in the landing zone and, when the registry names one, the marker
    file. On timeout the task fails and the failure is recorded as "source not delivered".
    """

    ui_color = "#fff4d6"

    def __init__(self, *, dataset: Dataset, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dataset = dataset
        self.settings = settings

    def poke(self, context: Any) -> bool:
        """Whether the delivery for the run's logical date has arrived."""
        from etl.extract.paths import source_delivered

        ctx = run_context(self.dataset, context, self.settings.zone)
        try:
            return source_delivered(
                self.dataset.source, landing=self.settings.landing, logical_date=ctx.logical_date
            )
        except PubdataError as exc:  # a path escaping the landing zone: fail, do not wait
            raise AirflowFailException(f"{self.dataset.id}: {exc.message}") from exc


def wait_for_source(dataset: Dataset, settings: Settings) -> DeliverySensor | None:
    """The delivery sensor of a file source with ``wait.timeout_minutes > 0``, else None."""
    source = dataset.source
    if not isinstance(source, FileSource) or source.wait.timeout_minutes <= 0:
        return None
    return DeliverySensor(
        task_id="wait_for_source",
        dataset=dataset,
        settings=settings,
        mode="reschedule",
        poke_interval=source.wait.poke_minutes * 60,
        timeout=source.wait.timeout_minutes * 60,
        retries=0,
    )


class PubdataStep(BaseOperator):
    """One pipeline step of one dataset, reporting its lineage to the OpenLineage provider.

    Args:
        stage: ``extract``, ``validate``, ``classify``, ``load`` or ``record``.
        dataset: the registry entry.
        settings: the pipeline settings.
        **kwargs: BaseOperator arguments (task_id, outlets, retries ...).
    """

    ui_color = "#e6f0fa"

    def __init__(
        self, *, stage: Stage, dataset: Dataset, settings: Settings, **kwargs: Any
    ) -> None:
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

            ctx = run_context(self.dataset, context, self.settings.zone)
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
    """The DAG of one dataset: extract → validate → classify → load → record.

    A file source that declares ``wait.timeout_minutes`` gets a ``wait_for_source`` sensor first.
    """
    title = dataset.department_title or dataset.department
    with DAG(
        dag_id=dataset.dag_id,
        description=f"{dataset.title} ({title})",
        schedule=dataset.schedule,
        # local midnight: the DAG's time zone, its cron runs in local time (etl.local_time)
        start_date=pendulum.instance(day_start(dataset.start_date, settings.zone)),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=dataset.start_paused,
        tags=[f"department:{dataset.department}", f"domain:{dataset.domain}", *dataset.tags],
        default_args={
            "owner": dataset.owner,
            "retries": dataset.retries,
            "retry_delay": timedelta(minutes=2),
            "retry_exponential_backoff": 2.0,
            # record the failure first, then alert (pubdata_notifiers; none without `alerts:`)
            "on_failure_callback": [
                functools.partial(record_failure, dataset, settings),
                *failure_notifiers(dataset, settings),
            ],
        },
        deadline=deadline_alerts(dataset) or None,
        doc_md=dataset.description or dataset.title,
    ) as dag:
        previous: BaseOperator | None = wait_for_source(dataset, settings)
        for stage in STAGES:
            outlets = dataset_assets(settings, dataset) if stage == "load" else []
            success = record_notifiers(dataset, settings) if stage == "record" else None
            current = PubdataStep(
                task_id=stage,
                stage=stage,
                dataset=dataset,
                settings=settings,
                outlets=outlets,
                on_success_callback=success or None,
            )
            if previous is not None:
                previous >> current
            previous = current
    return dag


def integration_summary(result: IntegrationResult) -> dict[str, Any]:
    """The scrubbed summary of one integration: ids, dates and counts (no values, no tokens)."""
    counts = result.counts
    return {
        "domain": result.domain,
        "integration_id": result.integration_id,
        "mode": result.mode,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "runs": len(result.runs),
        "rows": sum(m.rows for m in result.runs),
        "keys_delivered": sum(m.keys_delivered for m in result.runs),
        "keys_matched": sum(m.keys_matched for m in result.runs),
        "entities_touched": counts.touched,
        "entities_inserted": counts.inserted,
        "entities_changed": counts.changed,
        "conflicts_opened": counts.opened,
        "conflicts_closed": counts.closed,
        "rows_appended": sum(result.appended.values()),
        "folded": result.folded,
    }


def run_integration(domain: Domain, settings: Settings) -> dict[str, Any]:
    """Integrate the contributors' runs no integration of ``domain`` has read yet.

    The DAG run's id is the integration's id (its ``_meta.integration_runs`` rows carry it).
    A configuration problem fails the task for good in one line naming the domain; another
    integration committing first (:class:`~etl.errors.ConcurrentRun`) or an outage is retried.

    After the integration, the repository's shared table is replaced with its protected
    current records (:func:`etl.integrate.publish.publish_shared`) when the integration applied
    anything.

    Returns:
        The integration's scrubbed summary (its XCom); each table's asset event carries it too,
        with the Delta version committed (the shared table's too).
    """
    from etl.errors import ConcurrentRun, TransientError
    from etl.integrate.engine import integrate, pending_runs
    from etl.integrate.publish import publish_shared
    from etl.lake import merge_on_read
    from etl.protect.keys import load_token_key
    from etl.registry import load_registry

    context = get_current_context()
    settings = _with_token_key(settings)
    try:
        result = integrate(
            settings, domain, pending_runs(settings, domain), integration_id=context["run_id"]
        )
        shared = None
        if result.as_of is not None:  # nothing applied: the shared table is as it was
            shared = publish_shared(
                settings,
                domain,
                load_registry(settings.registry),
                load_token_key(settings.home, settings.token_key),
                result.as_of,
                result.integration_id,
            )
    except (ConcurrentRun, TransientError) as exc:
        raise AirflowException(f"integration of {domain.id}: {exc.message}") from exc
    except PubdataError as exc:
        raise AirflowFailException(f"integration of {domain.id} failed: {exc.message}") from exc
    summary = integration_summary(result)
    if shared is not None:
        summary["shared_rows"] = shared.rows
        summary["shared_version"] = shared.version
        summary["grade"] = shared.classification.dataset_grade
        summary["flags"] = ",".join(shared.classification.flags)
    for table, asset in zip(INTEGRATED_TABLES, integrated_assets(settings, domain), strict=True):
        context["outlet_events"][asset].extra = {
            **summary,
            "zone": asset.extra["zone"],
            "table": table,
            "delta_version": result.versions.get(table),
            # an update appends the touched entities' rows beside the table (merge-on-read)
            "changes_version": result.versions.get(f"{table}{merge_on_read.SUFFIX}"),
        }
    if shared is not None:
        context["outlet_events"][shared_integrated_asset(settings, domain)].extra = {
            **summary,
            "zone": str(Zone.SHARED),
            "table": "records",
            "delta_version": shared.version,
        }
    return summary


class IntegrateStep(BaseOperator):
    """The integration of one repository (:func:`etl.integrate.engine.integrate`).

    Args:
        domain: the repository's domain file.
        settings: the pipeline settings.
        **kwargs: BaseOperator arguments (task_id, outlets, retries ...).
    """

    ui_color = "#eaf5e6"

    def __init__(self, *, domain: Domain, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.domain = domain
        self.settings = settings
        self.doc_md = f"integration of {domain.id} (etl.integrate)"

    def execute(self, context: Any) -> dict[str, Any]:
        """Integrate the pending runs; the scrubbed summary goes to XCom."""
        return run_integration(self.domain, self.settings)


def build_integration_dag(domain: Domain, registry: Registry, settings: Settings) -> DAG:
    """The DAG of one integrated repository: run when any contributor's restricted table loads.

    Its schedule is any of the contributors' restricted assets (the asset events of their
    ``load`` tasks); the task integrates every run not read yet, so runs that published while
    an integration ran are read by the next one. It starts unpaused: it runs only after its
    contributors' DAGs ran, and an asset event is not queued for a paused DAG.
    """
    contributors = [registry.datasets[d] for d in domain.datasets]
    first = min(d.start_date for d in contributors)
    schedule = AssetAny(*(a for d in contributors for a in restricted_assets(settings, d)))
    with DAG(
        dag_id=domain.dag_id,
        description=domain.title,
        schedule=schedule,
        start_date=pendulum.instance(day_start(first, settings.zone)),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=False,
        tags=["integration", f"domain:{domain.id}", f"entity:{domain.entity}"],
        default_args={
            "owner": domain.owner,
            "retries": 2,
            "retry_delay": timedelta(minutes=1),
        },
        doc_md=f"# {domain.title}\n\n{domain.description or ''}".rstrip(),
    ) as dag:
        IntegrateStep(
            task_id="integrate",
            domain=domain,
            settings=settings,
            outlets=[
                *integrated_assets(settings, domain),
                shared_integrated_asset(settings, domain),
            ],
        )
    return dag


def product_asset(settings: Settings, product: Product) -> Asset:
    """The Asset of a product's releases: ``product.<consumer uscc>.<product id>``.

    Its URI is the product's destination folder; each release's asset event names the release.
    """
    from etl.products.paths import destination

    return Asset(
        name=f"product.{product.consumer.uscc}.{product.id}",
        uri=destination(settings, product).as_uri(),
        group="pubdata",
        extra={"product": product.id, "consumer_uscc": product.consumer.uscc},
    )


def release_summary(done: ProductRelease) -> dict[str, Any]:
    """The scrubbed summary of one release: ids, dates and counts (no values, no paths)."""
    return {
        "release_id": done.release_id,
        "product": done.product,
        "consumer_uscc": done.consumer_uscc,
        "logical_date": done.logical_date.isoformat(),
        "files": len(done.files),
        "rows": done.rows,
        "suppressed_cells": done.suppressed_cells,
        "k": done.k,
        "source_versions": {s.source: s.version for s in done.sources},
        "reused": done.reused,
    }


def run_product_release(product: Product, settings: Settings, day: date) -> ProductRelease:
    """Release ``product`` for ``day``; a refusal (gate, expiry) fails the task for good.

    The product is judged expired on the local day the task runs too: a run triggered after
    expiry, for any logical date, is refused (and recorded as refused).
    """
    from etl.errors import ConcurrentRun, TransientError
    from etl.products.release import release

    today = local_day(pendulum.now("UTC"), settings.zone)
    try:
        return release(_with_token_key(settings), product, day=day, today=today)
    except (ConcurrentRun, TransientError) as exc:
        raise AirflowException(f"release of product {product.id}: {exc.message}") from exc
    except PubdataError as exc:
        raise AirflowFailException(
            f"release of product {product.id} refused: {exc.message}"
        ) from exc


class ReleaseStep(BaseOperator):
    """The release of one authorised data product (:func:`etl.products.release.release`).

    Args:
        product: the product file.
        settings: the pipeline settings.
        **kwargs: BaseOperator arguments (task_id, outlets, retries ...).
    """

    ui_color = "#f5eefa"

    def __init__(self, *, product: Product, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.product = product
        self.settings = settings
        self.doc_md = f"release of product {product.id} (etl.products)"

    def execute(self, context: Any) -> dict[str, Any]:
        """Release for the run's logical (local) day; the scrubbed summary goes to XCom."""
        logical = context.get("logical_date") or context["dag_run"].run_after
        done = run_product_release(
            self.product, self.settings, local_day(logical, self.settings.zone)
        )
        summary = release_summary(done)
        context["outlet_events"][product_asset(self.settings, self.product)].extra = summary
        return summary


def build_product_dag(product: Product, settings: Settings) -> DAG:
    """The DAG of one product: ``product__<id>``, one ``release`` task on the product's schedule.

    It starts on the authorisation's date and ends on the last instant of the expiry day (an
    expired product's DAG schedules nothing more; a run triggered by hand is refused). It starts
    paused: an operator unpauses it once the consumer's destination is ready.
    """
    with DAG(
        dag_id=product.dag_id,
        description=f"{product.title} → {product.consumer.name}",
        schedule=product.schedule,
        start_date=pendulum.instance(day_start(product.authorisation.date, settings.zone)),
        end_date=pendulum.instance(day_end(product.expires, settings.zone)),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=True,
        tags=["product", f"consumer:{product.consumer.uscc}"],
        default_args={"owner": "pubdata", "retries": 1, "retry_delay": timedelta(minutes=5)},
        doc_md=(
            f"# {product.title}\n\n{product.consumer.name} ({product.consumer.uscc}) · "
            f"{product.purpose} · {product.authorisation.document} · expires "
            f"{product.expires.isoformat()}"
        ),
    ) as dag:
        ReleaseStep(
            task_id="release",
            product=product,
            settings=settings,
            outlets=[product_asset(settings, product)],
        )
    return dag


#: The DAG that keeps the SQL endpoint (:mod:`etl.serve`) up to date.
SERVE_DAG_ID = "serve__postgres"


def served_assets(settings: Settings, registry: Registry, domains: list[Domain]) -> list[Asset]:
    """The assets whose updates the SQL endpoint follows.

    Every shared and open table (and restricted with ``PUBDATA_SERVE_RESTRICTED=1``), and each
    repository's shared records.
    """
    zones = {Zone.SHARED, Zone.OPEN} | ({Zone.RESTRICTED} if settings.serve_restricted else set())
    found = [
        a
        for d in registry.datasets.values()
        for a in dataset_assets(settings, d)
        if a.extra["zone"] in zones
    ]
    return found + [shared_integrated_asset(settings, d) for d in domains]


def run_serve(settings: Settings) -> dict[str, Any]:
    """Refresh the served tables whose lake version changed, then sync the roles.

    An unreachable database is retried; a configuration problem fails in one line.

    Returns:
        Counts only (tables per state, rows served, roles that may log in): the XCom.
    """
    from etl.errors import TransientError
    from etl.serve import record_served_reads, refresh, sync_roles

    try:
        results = refresh(settings)
        roles = sync_roles(settings)
        # what BI tools read since the last run goes into the access log (研判机制)
        reads = record_served_reads(settings)
    except TransientError as exc:
        raise AirflowException(f"{SERVE_DAG_ID}: {exc.message}") from exc
    except PubdataError as exc:
        raise AirflowFailException(f"{SERVE_DAG_ID} failed: {exc.message}") from exc
    states = [r.state for r in results]
    return {
        "refreshed": states.count("refreshed"),
        "unchanged": states.count("unchanged"),
        "missing": states.count("missing"),
        "rows_refreshed": sum(r.rows or 0 for r in results if r.state == "refreshed"),
        "roles": len(roles),
        "roles_with_login": sum(g.login for g in roles),
        "reads_recorded": reads,
    }


class ServeStep(BaseOperator):
    """The refresh of the SQL endpoint and its roles (:mod:`etl.serve`).

    Args:
        settings: the pipeline settings (``PUBDATA_SERVE_URL`` set).
        **kwargs: BaseOperator arguments.
    """

    ui_color = "#e6eef5"

    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.doc_md = "refresh the PostgreSQL SQL endpoint and sync its roles (etl.serve)"

    def execute(self, context: Any) -> dict[str, Any]:
        """Refresh and sync; the counts go to XCom."""
        return run_serve(self.settings)


def build_serve_dag(settings: Settings, registry: Registry, domains: list[Domain]) -> DAG | None:
    """The DAG ``serve__postgres``: run when any served table's asset updates.

    None when ``PUBDATA_SERVE_URL`` is unset (no endpoint) or nothing is served. It also runs
    daily, so a grant that expired yesterday is revoked even on a day no table changed.
    """
    if settings.serve_url is None or not registry.datasets:
        return None
    assets = served_assets(settings, registry, domains)
    if not assets:
        return None
    first = min(d.start_date for d in registry.datasets.values())
    with DAG(
        dag_id=SERVE_DAG_ID,
        description="the SQL endpoint for BI tools (PostgreSQL)",
        schedule=AssetOrTimeSchedule(
            timetable=CronTriggerTimetable("5 0 * * *", timezone=settings.timezone),
            assets=AssetAny(*assets),
        ),
        start_date=pendulum.instance(day_start(first, settings.zone)),
        catchup=False,
        max_active_runs=1,
        is_paused_upon_creation=False,
        tags=["serving"],
        default_args={"owner": "pubdata", "retries": 2, "retry_delay": timedelta(minutes=1)},
        doc_md=(
            "# SQL endpoint\n\nCopies the shared and open tables into PostgreSQL views "
            "(`<zone>_<domain>.<dataset>`), swapping each in atomically, and gives each "
            "principal's role what its active grants cover (README: SQL endpoint for BI tools)."
        ),
    ) as dag:
        ServeStep(task_id="refresh", settings=settings)
    return dag
