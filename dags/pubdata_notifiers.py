"""Airflow notifiers that send pubdata's alerts; ``etl.alerts`` composes and sends them.

* :class:`RunFailureNotifier` — every task's ``on_failure_callback`` (after the failure is
  recorded): a ``failure`` alert, or ``not_delivered`` when the delivery sensor timed out.
* :class:`RunAlertsNotifier` — the ``record`` task's ``on_success_callback``: ``quality``,
  ``drift`` and ``important`` alerts from the record step's summary (XCom) and staging.
* :func:`deadline_missed` — the callback of the optional Airflow deadline alert
  (``alerts.deadline_minutes``): a ``not_delivered`` alert when a run is not done in time.

Channels are read from ``alerts.yaml`` when an alert is sent, not when DAGs are parsed. Nothing
here fails a run: a missing connection disables its channel with a warning, a failed delivery
is an error in the task log.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

# the modules airflow.sdk re-exports these from lazily, where mypy can see them
from airflow.sdk.definitions.callback import SyncCallback
from airflow.sdk.definitions.deadline import DeadlineAlert, DeadlineReference

from etl.registry import Dataset
from etl.settings import Settings

log = logging.getLogger(__name__)

#: The import path Airflow's executor calls when a deadline is missed.
DEADLINE_CALLBACK = "pubdata_notifiers.deadline_missed"


def _alerts_config(settings: Settings) -> Any:
    from etl.registry.loader import parse_alerts

    config, problems = parse_alerts(settings.registry)
    for problem in problems:
        log.warning("alerts.yaml: %s", problem)
    return config


def _airflow_url(config: Any) -> str | None:
    if config.airflow_url:
        return str(config.airflow_url)
    from airflow.sdk.configuration import conf

    url = conf.get("api", "base_url", fallback=None)
    return str(url) if url else None


def _deliver(dataset: Dataset, config: Any, alerts: list[Any]) -> list[Any]:
    from etl.alerts import deliver
    from pubdata_task_context import AirflowConnections

    return deliver(alerts, dataset.alerts, config, AirflowConnections())


def _run_ref(dataset: Dataset, settings: Settings, config: Any, context: Any) -> Any:
    from etl.alerts import RunRef, run_url
    from pubdata_task_context import run_context

    ctx = run_context(dataset, context, settings.zone)
    url = run_url(_airflow_url(config), ctx.dag_id, ctx.run_id)
    return RunRef(ctx.dag_id, ctx.run_id, ctx.logical_date.isoformat(), url)


class _DatasetNotifier(BaseNotifier):
    """A notifier bound to one dataset (its ``alerts:`` section decides kinds and channels)."""

    def __init__(self, dataset: Dataset, settings: Settings) -> None:
        super().__init__()
        self.dataset = dataset
        self.settings = settings


class RunFailureNotifier(_DatasetNotifier):
    """Sends the ``failure`` (or ``not_delivered``) alert of a failed task."""

    def notify(self, context: Any) -> None:
        """Compose the alert from the recorded, value-free reason and send it."""
        from etl.alerts import failure_alert
        from pubdata_task_context import failure_reason

        reason, not_delivered = failure_reason(self.dataset, context, self.settings.zone)
        config = _alerts_config(self.settings)
        run = _run_ref(self.dataset, self.settings, config, context)
        stage = context["ti"].task_id
        alert = failure_alert(self.dataset, run, stage, reason, not_delivered=not_delivered)
        _deliver(self.dataset, config, [alert])


class RunAlertsNotifier(_DatasetNotifier):
    """Sends the run-level alerts of a successful ``record`` task."""

    def notify(self, context: Any) -> None:
        """Compose quality/drift/IMP alerts from the record summary and staging; send them."""
        from etl.alerts import run_alerts
        from etl.runtime.context import staging_dir
        from etl.runtime.records import RunSummary
        from pubdata_task_context import run_context

        spec = self.dataset.alerts
        reported = context["ti"].xcom_pull(task_ids="record")
        if spec is None or not reported:
            return
        summary = RunSummary.from_dict(reported)  # the record step's report, back to its type
        folder = staging_dir(self.settings, run_context(self.dataset, context, self.settings.zone))
        config = _alerts_config(self.settings)
        run = _run_ref(self.dataset, self.settings, config, context)
        alerts = run_alerts(self.dataset, spec, run, summary, folder)
        if alerts:
            _deliver(self.dataset, config, alerts)


def failure_notifiers(dataset: Dataset, settings: Settings) -> list[BaseNotifier]:
    """The failure notifiers of a dataset's tasks (none without an ``alerts:`` section)."""
    spec = dataset.alerts
    if spec is None or not {"failure", "not_delivered"} & set(spec.on):
        return []
    return [RunFailureNotifier(dataset, settings)]


def record_notifiers(dataset: Dataset, settings: Settings) -> list[BaseNotifier]:
    """The success notifiers of the ``record`` task (none without quality/drift/IMP alerts)."""
    spec = dataset.alerts
    if spec is None or not {"quality", "drift", "important"} & set(spec.on):
        return []
    return [RunAlertsNotifier(dataset, settings)]


def deadline_alerts(dataset: Dataset) -> list[DeadlineAlert]:
    """The Airflow deadline alert of ``alerts.deadline_minutes`` (with ``not_delivered`` on)."""
    spec = dataset.alerts
    if spec is None or spec.deadline_minutes is None or "not_delivered" not in spec.on:
        return []
    return [
        DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=timedelta(minutes=spec.deadline_minutes),
            callback=SyncCallback(
                DEADLINE_CALLBACK,
                kwargs={"dataset_id": dataset.id, "minutes": spec.deadline_minutes},
            ),
            name=f"{dataset.id}_not_done",
        )
    ]


def deadline_missed(dataset_id: str, minutes: int, context: dict[str, Any] | None = None) -> None:
    """Deadline callback (run by Airflow's executor): send the ``not_delivered`` alert.

    ``context`` is what the scheduler passes: ``dag_run`` (the REST API's DAG run fields) and
    ``deadline``.
    """
    from etl.alerts import RunRef, deadline_alert, deliver, run_url
    from etl.registry import load_registry
    from pubdata_task_context import AirflowConnections

    settings = Settings.from_env()
    registry = load_registry(settings.registry)
    dataset = registry.get(dataset_id)
    dag_run = (context or {}).get("dag_run") or {}
    run_id = str(dag_run.get("dag_run_id") or dag_run.get("run_id") or "")
    logical = _local_day(dag_run.get("logical_date") or dag_run.get("run_after"), settings)
    url = run_url(_airflow_url(registry.alerts), dataset.dag_id, run_id) if run_id else None
    run = RunRef(dataset.dag_id, run_id, logical, url)
    deliveries = deliver(
        [deadline_alert(dataset, run, minutes)],
        dataset.alerts,
        registry.alerts,
        AirflowConnections(),
    )
    log.info("deadline alert of %s: %s", dataset_id, [d.status for d in deliveries])


def _local_day(moment: Any, settings: Settings) -> str:
    """The local day of a REST API timestamp (ISO-8601 text in UTC), or "" without one."""
    from datetime import datetime

    from etl.local_time import local_day

    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return local_day(moment, settings.zone).isoformat()
