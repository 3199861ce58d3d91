"""Registry models of alerting: a dataset's ``alerts:`` section and the project's channels.

Channels are defined once, in ``alerts.yaml`` at the top of the registry folder (beside the
department folders); a dataset names the channels it alerts on. Secrets (the SMTP password, a
bot's webhook key or signing secret) never appear here: a channel names an Airflow connection.
Pure pydantic and the standard library: this is parsed when DAG files are parsed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from etl.registry.closed import Closed
from etl.registry.sources import CONN_ID

#: The file, directly under the registry root, that defines the alert channels.
ALERTS_FILE = "alerts.yaml"
AlertKind = Literal["failure", "quality", "drift", "important", "not_delivered"]
#: Every kind of alert, in the order operators read them.
ALERT_KINDS: tuple[AlertKind, ...] = ("failure", "not_delivered", "quality", "drift", "important")
CHANNEL_NAME = r"^[a-z][a-z0-9_]*$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class AlertsSpec(Closed):
    """A dataset's ``alerts:`` section.

    Attributes:
        channels: names of channels defined in ``alerts.yaml``.
        on: the kinds of alert sent (default: all of them).
        quality_threshold: a successful run whose quarantined share of ``rows_in`` is above
            this sends a ``quality`` alert (the run itself stops only above
            ``quality.max_quarantine_share``).
        deadline_minutes: with ``not_delivered`` in ``on``, an Airflow deadline alert fires
            when a run has not finished this many minutes after it was queued (a delivery
            that never came, or a run stuck behind one).
    """

    channels: list[Annotated[str, Field(pattern=CHANNEL_NAME)]] = Field(min_length=1)
    on: list[AlertKind] = Field(default_factory=lambda: list(ALERT_KINDS), min_length=1)
    quality_threshold: float = Field(default=0.05, ge=0.0, le=1.0)
    deadline_minutes: int | None = Field(default=None, ge=1, le=7 * 24 * 60)

    @model_validator(mode="before")
    @classmethod
    def _yaml_on_key(cls, data: Any) -> Any:
        # YAML 1.1 (PyYAML) reads a bare `on:` key as the boolean True, as GitHub Actions
        # users know; the registry means the word.
        if isinstance(data, dict) and True in data and "on" not in data:
            data = {("on" if key is True else key): value for key, value in data.items()}
        return data


class EmailChannel(Closed):
    """E-mail through an Airflow SMTP connection (host, port, login, password, extras).

    The connection's extras follow Airflow's SMTP provider: ``from_email``, ``disable_ssl``,
    ``disable_tls`` (STARTTLS), ``ssl_context`` (``default`` or ``none``), ``timeout`` and
    ``retry_limit``.
    """

    kind: Literal["email"]
    conn_id: str = Field(pattern=CONN_ID)
    to: list[Annotated[str, Field(pattern=EMAIL)]] = Field(min_length=1)
    subject_prefix: str = "[pubdata]"


class WebhookChannel(Closed):
    """A group bot's JSON webhook (WeCom 企业微信 or DingTalk 钉钉 robot format).

    The URL comes from an Airflow HTTP connection: its host (with scheme), ``extra.endpoint``
    (the path) and ``extra.params`` (the bot's ``key``/``access_token``); a password is the
    DingTalk signing secret (``timestamp`` + ``sign`` are added when it is set).
    """

    kind: Literal["webhook"]
    conn_id: str = Field(pattern=CONN_ID)
    format: Literal["wecom", "dingtalk"] = "wecom"
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    retries: int = Field(default=2, ge=0, le=10)


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="kind")]


class AlertsConfig(Closed):
    """The project's alert channels (``alerts.yaml``).

    Attributes:
        airflow_url: base URL of the Airflow UI for the run links (default: Airflow's
            ``[api] base_url``).
        channels: channel name → e-mail or webhook channel.
    """

    airflow_url: str | None = Field(default=None, pattern=r"^https?://")
    channels: dict[Annotated[str, Field(pattern=CHANNEL_NAME)], Channel] = Field(
        default_factory=dict
    )
