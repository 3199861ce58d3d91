"""Routing: which channels an alert goes to, and sending it there without ever failing a run.

A dataset's ``alerts:`` section names channels and kinds; ``alerts.yaml`` says what a channel
is. A channel whose connection is not defined is disabled (a warning in the log), so the
samples can name channels and ``make demo`` needs no mail server or bot. A channel that fails
is logged as an error and the next channel is tried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from etl.alerts.email import send_email
from etl.alerts.errors import DeliveryFailed
from etl.alerts.model import Alert, Message
from etl.alerts.webhook import send_webhook
from etl.errors import ConfigError
from etl.extract.connections import ConnectionFields, FieldsResolver
from etl.registry.alerts import AlertsConfig, AlertsSpec, EmailChannel, WebhookChannel

log = logging.getLogger(__name__)

Status = Literal["sent", "disabled", "failed"]
Sender = Callable[[ConnectionFields, EmailChannel | WebhookChannel, Message], None]


@dataclass(frozen=True)
class Delivery:
    """What became of one alert on one channel (``detail`` is a one-line, value-free reason)."""

    channel: str
    kind: str
    status: Status
    detail: str = ""


def send_message(
    fields: ConnectionFields, channel: EmailChannel | WebhookChannel, alert: Message
) -> None:
    """Send one message on one channel (e-mail or webhook, by the channel's kind)."""
    if isinstance(channel, EmailChannel):
        send_email(fields, channel, alert)
    else:
        send_webhook(fields, channel, alert)


def route(alert: Alert, spec: AlertsSpec | None) -> list[str]:
    """The channel names an alert goes to: the dataset's channels if it alerts on this kind."""
    if spec is None or alert.kind not in spec.on:
        return []
    return list(dict.fromkeys(spec.channels))


def deliver(
    alerts: Sequence[Alert],
    spec: AlertsSpec | None,
    config: AlertsConfig,
    connections: FieldsResolver,
    *,
    send: Sender = send_message,
) -> list[Delivery]:
    """Send each alert to its channels; never raises for a channel's trouble.

    Args:
        alerts: the alerts of one run.
        spec: the dataset's ``alerts:`` section (None: the dataset sends no alerts).
        config: the channel definitions (``alerts.yaml``).
        connections: resolves a channel's connection id (Airflow's, in a task).
        send: the sender (the real SMTP/webhook senders; a benchmark may pass another).

    Returns:
        One :class:`Delivery` per (alert, channel).
    """
    out: list[Delivery] = []
    for alert in alerts:
        for name in route(alert, spec):
            out.append(
                deliver_to(alert, alert.kind, alert.dataset.id, name, config, connections, send)
            )
    return out


def deliver_to(
    alert: Message,
    kind: str,
    about: str,
    name: str,
    config: AlertsConfig,
    connections: FieldsResolver,
    send: Sender = send_message,
) -> Delivery:
    """Send one message on the channel ``name``; never raises for the channel's trouble.

    Args:
        alert: the message.
        kind: its kind, for the log and the :class:`Delivery` (``failure``, ``access``, ...).
        about: what it is about, for the log (a dataset id, a principal).
        name: the channel's name in ``alerts.yaml``.
        config: the channel definitions.
        connections: resolves the channel's connection id.
        send: the sender.
    """
    channel = config.channels.get(name)
    if channel is None:
        log.warning("alert channel %s is not defined in alerts.yaml; %s alert not sent", name, kind)
        return Delivery(name, kind, "disabled", "channel not defined")
    try:
        fields = connections.fields(channel.conn_id)
    except ConfigError:
        log.warning(
            "alert channel %s is disabled: connection %s is not defined; %s alert of %s not sent",
            name,
            channel.conn_id,
            kind,
            about,
        )
        return Delivery(name, kind, "disabled", f"connection {channel.conn_id!r} not defined")
    try:
        send(fields, channel, alert)
    except DeliveryFailed as exc:
        log.error("%s alert of %s not delivered to %s: %s", kind, about, name, exc)
        return Delivery(name, kind, "failed", exc.message)
    except Exception as exc:  # an alert must never fail the run it reports on
        log.error(
            "%s alert of %s not delivered to %s: unexpected %s",
            kind,
            about,
            name,
            type(exc).__name__,
        )
        return Delivery(name, kind, "failed", f"unexpected {type(exc).__name__}")
    log.info("%s alert of %s sent to %s", kind, about, name)
    return Delivery(name, kind, "sent")
