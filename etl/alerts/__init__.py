"""Alerts about runs: failures, quality warnings, drift held, IMP candidates, late deliveries.

``etl.alerts`` composes value-free alerts from a run's outcome and sends them by e-mail (SMTP)
and to group-bot webhooks (WeCom/DingTalk); ``dags/pubdata_notifiers.py`` calls it from
Airflow's callbacks. Nothing here imports Airflow.
"""

from urllib.parse import quote

from etl.alerts.compose import deadline_alert, failure_alert, run_alerts
from etl.alerts.dispatch import Delivery, deliver, route
from etl.alerts.errors import DeliveryFailed
from etl.alerts.model import Alert, DatasetRef, RunRef

__all__ = [
    "Alert",
    "DatasetRef",
    "Delivery",
    "DeliveryFailed",
    "RunRef",
    "deadline_alert",
    "deliver",
    "failure_alert",
    "route",
    "run_alerts",
    "run_url",
]


def run_url(base_url: str | None, dag_id: str, run_id: str) -> str | None:
    """The Airflow UI page of a DAG run (``<base>/dags/<dag_id>/runs/<run_id>``)."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/dags/{quote(dag_id)}/runs/{quote(run_id, safe='')}"
