"""What a pubdata task reads from Airflow's context: its run, its connections, its failure.

Shared by the DAG wiring and the notifiers (both import this module; neither imports the other's
internals), so the callbacks and the tasks agree on the run context and on the one-line,
value-free reason a failure is recorded and alerted with.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

from etl.errors import ConfigError, PubdataError, SourceNotReady, TransientError
from etl.extract.connections import ConnectionFields, FieldsResolver
from etl.local_time import local_day
from etl.registry import Dataset
from etl.registry.sources import FileSource

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from etl.runtime.context import RunContext


class AirflowConnections(FieldsResolver):
    """Connections of sql and http sources, looked up in Airflow inside a running task.

    The Task SDK finds them in the metastore, a secrets backend or an ``AIRFLOW_CONN_*``
    variable (how ``pubdata run`` and the tests define them).
    """

    def fields(self, conn_id: str) -> ConnectionFields:
        """The connection's fields.

        Raises:
            ConfigError: Airflow does not know the connection.
        """
        from airflow.sdk import Connection
        from airflow.sdk.exceptions import AirflowNotFoundException

        try:
            conn = Connection.get(conn_id)
        except AirflowNotFoundException:
            raise ConfigError(f"connection {conn_id!r} is not defined in Airflow") from None
        return ConnectionFields(
            conn_id=conn_id,
            conn_type=conn.conn_type or "",
            host=conn.host,
            schema=conn.schema,
            login=conn.login,
            password=conn.password,
            port=conn.port,
            extra=conn.extra_dejson,
        )


def _data_interval(context: Any) -> tuple[datetime, datetime] | None:
    """The run's data interval, or None: sources then read the logical date's day.

    Airflow 3's cron timetables (``@daily`` included) give a run a zero-length interval
    (start = end = the run's time); that is no interval to read, so it counts as None too.
    """
    start = context.get("data_interval_start")
    end = context.get("data_interval_end")
    if start is None or end is None or not start < end:
        return None
    return (start, end)


def run_context(dataset: Dataset, context: Any, tz: ZoneInfo) -> RunContext:
    """The library's :class:`~etl.runtime.context.RunContext` of the task's Airflow run.

    Its logical date is the day in ``tz`` (the configured zone) of the run's logical instant,
    which Airflow keeps in UTC: a run at 01:00 in Shanghai belongs to that day, not the one before.
    """
    from etl.runtime.context import RunContext, execution_run_id

    dag_run = context["dag_run"]
    logical = context.get("logical_date") or dag_run.run_after
    conf = dag_run.conf or {}
    return RunContext(
        dataset=dataset.id,
        dag_id=dataset.dag_id,
        run_id=execution_run_id(dag_run.run_id, int(getattr(dag_run, "clear_number", 0) or 0)),
        logical_date=local_day(logical, tz),
        try_number=int(context["ti"].try_number or 1),
        invocation=conf.get("pubdata_invocation"),
        data_interval=_data_interval(context),
    )


def failure_reason(dataset: Dataset, context: Any, tz: ZoneInfo) -> tuple[str, bool]:
    """A failed task's one-line, value-free reason, and whether the source was not delivered."""
    exc = context.get("exception")
    cause = exc.__cause__ if exc is not None and exc.__cause__ is not None else exc
    if isinstance(exc, AirflowSensorTimeout) and isinstance(dataset.source, FileSource):
        return not_delivered_message(dataset, run_context(dataset, context, tz).logical_date), True
    if isinstance(cause, PubdataError):
        return cause.message, False
    if isinstance(exc, AirflowFailException) and cause is exc:
        return str(exc), False
    # not the task's own "<id> failed at <stage>: …" wrapper of an unexpected error: the CLI,
    # the summary and the alerts add that prefix themselves
    return f"unexpected {type(cause).__name__} (see the task log)", False


def not_delivered_message(dataset: Dataset, logical_date: date) -> str:
    """The one line a delivery sensor's timeout is recorded with."""
    from etl.extract.paths import fill_template

    source = dataset.source
    assert isinstance(source, FileSource)
    path = fill_template(source.path, logical_date)
    return f"source not delivered: {path} (waited {source.wait.timeout_minutes} min)"


def task_outcome(
    exc: PubdataError, dataset_id: str, stage: str, *, fail_fast: bool
) -> AirflowException:
    """What Airflow should do with a step's error: retry it (the task's ``retries``) or fail.

    A delivery not there yet and a transient outage are retried; everything else fails for good,
    and so does everything when a person is waiting (``pubdata run`` sets ``fail_fast``).
    """
    message = f"{dataset_id} failed at {stage}: {exc.message}"
    if isinstance(exc, SourceNotReady | TransientError) and not fail_fast:
        return AirflowException(message)
    return AirflowFailException(message)
