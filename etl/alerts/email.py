"""E-mail alerts through an SMTP connection (the fields of an Airflow SMTP connection).

The connection's extras mean what they mean to Airflow's SMTP provider, so one connection
serves both: ``from_email``, ``disable_ssl`` (default: implicit TLS, port 465), ``disable_tls``
(default: STARTTLS when SSL is disabled), ``ssl_context`` (``default`` verifies the server
certificate, ``none`` does not), ``timeout`` (seconds, default 30) and ``retry_limit`` (default 2
here: an alert is worth a retry, not a stuck callback).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from etl.alerts.errors import DeliveryFailed
from etl.alerts.model import Message
from etl.extract.connections import ConnectionFields
from etl.registry.alerts import EmailChannel

log = logging.getLogger(__name__)


def _flag(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _ssl_context(fields: ConnectionFields) -> ssl.SSLContext:
    choice = str(fields.extra.get("ssl_context") or "default").lower()
    if choice == "none":  # a relay with a self-signed certificate, by the operator's choice
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if choice != "default":
        raise DeliveryFailed(
            f"connection {fields.conn_id!r}: extra ssl_context must be 'default' or 'none'"
        )
    return ssl.create_default_context()


def build_message(channel: EmailChannel, sender: str, alert: Message) -> EmailMessage:
    """The e-mail of one alert: the subject names kind and dataset, the body is plain text."""
    message = EmailMessage()
    prefix = channel.subject_prefix.strip()
    title = alert.title.removeprefix("[pubdata] ")
    message["Subject"] = f"{prefix} {title}" if prefix else title
    message["From"] = sender
    message["To"] = ", ".join(channel.to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="pubdata")
    message.set_content(alert.plain(), charset="utf-8")
    return message


def _connect(fields: ConnectionFields, timeout: float) -> smtplib.SMTP:
    host = fields.host or "localhost"
    use_ssl = not _flag(fields.extra.get("disable_ssl", False))
    if use_ssl:
        return smtplib.SMTP_SSL(
            host, fields.port or 465, timeout=timeout, context=_ssl_context(fields)
        )
    client = smtplib.SMTP(host, fields.port or 587, timeout=timeout)
    if not _flag(fields.extra.get("disable_tls", False)):
        client.starttls(context=_ssl_context(fields))
    return client


def send_email(
    fields: ConnectionFields,
    channel: EmailChannel,
    alert: Message,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Send one alert to the channel's recipients.

    Connection trouble and 4xx answers are retried (``retry_limit``); a 5xx answer (refused
    sender, recipient or message) is not.

    Raises:
        DeliveryFailed: refused, or still failing after the retries (the message names the
            connection and the SMTP code, never a recipient or a secret).
    """
    sender = str(fields.extra.get("from_email") or fields.login or "")
    if "@" not in sender:
        raise DeliveryFailed(
            f"connection {fields.conn_id!r} needs extra.from_email (or an e-mail login)"
        )
    message = build_message(channel, sender, alert)
    timeout = float(fields.extra.get("timeout", 30))
    attempts = 1 + int(fields.extra.get("retry_limit", 2))
    for attempt in range(1, attempts + 1):
        try:
            with _connect(fields, timeout) as client:
                if fields.login and fields.password:
                    client.login(fields.login, fields.password)
                client.send_message(message)
            return
        except smtplib.SMTPResponseException as exc:
            permanent = exc.smtp_code >= 500
            why = f"SMTP {exc.smtp_code}"
        except smtplib.SMTPRecipientsRefused:
            permanent, why = True, "every recipient refused"
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            permanent, why = False, type(exc).__name__
        if permanent or attempt == attempts:
            tries = f" after {attempt} attempts" if attempt > 1 else ""
            raise DeliveryFailed(
                f"e-mail through connection {fields.conn_id!r} failed{tries}: {why}"
            )
        log.warning(
            "e-mail through %s failed (%s), attempt %d of %d",
            fields.conn_id,
            why,
            attempt,
            attempts,
        )
        sleep(min(2.0**attempt, 30.0))
