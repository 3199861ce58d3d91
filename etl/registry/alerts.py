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


class AuditRules(Closed):
    """Thresholds of the access log's anomaly rules (:mod:`etl.audit.rules`).

    Attributes:
        bulk_token_rows: a read returning at least this many rows with a tokenized column
            among its columns is a bulk read of tokenized identifiers.
        working_days: ISO weekdays (1 = Monday) reads are expected on.
        working_hours: the local hours ``[start, end)`` reads are expected in (the settings'
            time zone, ``PUBDATA_TIMEZONE``).
        off_hours_pipeline: whether the pipeline's own reads (scheduled, often at night) count
            for the off-hours rule.
        baseline_days: days before a day whose reads make a principal's baseline.
        baseline_factor: a day's rows above this many times the baseline (the median of the
            principal's daily rows on the days it read) are unusual.
        baseline_min_rows: a day below this many rows is never unusual, whatever its baseline.
        baseline_min_days: days of reading a principal needs before it has a baseline.
        token_lookups: more than this many single-token look-ups (each returning at most one
            row) by one principal within ``lookup_window_minutes`` are repeated look-ups.
        lookup_window_minutes: the window of the repeated look-up rule.
        refusals: more than this many refused attempts by one principal within
            ``refusal_window_minutes`` are a principal probing for what it may not read.
        refusal_window_minutes: the window of the refused-attempts rule.
    """

    bulk_token_rows: int = Field(default=1000, ge=1)
    working_days: tuple[Annotated[int, Field(ge=1, le=7)], ...] = (1, 2, 3, 4, 5)
    working_hours: tuple[Annotated[int, Field(ge=0, le=24)], Annotated[int, Field(ge=0, le=24)]] = (
        8,
        19,
    )
    off_hours_pipeline: bool = False
    baseline_days: int = Field(default=30, ge=1, le=366)
    baseline_factor: float = Field(default=10.0, gt=1.0)
    baseline_min_rows: int = Field(default=10_000, ge=0)
    baseline_min_days: int = Field(default=3, ge=1)
    token_lookups: int = Field(default=20, ge=1)
    lookup_window_minutes: int = Field(default=60, ge=1, le=24 * 60)
    refusals: int = Field(default=5, ge=1)
    refusal_window_minutes: int = Field(default=60, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _hours(self) -> AuditRules:
        if self.working_hours[0] >= self.working_hours[1]:
            raise ValueError("working_hours is [start, end) with start < end")
        return self


class AuditAlerts(Closed):
    """The ``audit:`` section of ``alerts.yaml``: where the access log's findings go.

    Attributes:
        channels: channels (defined under ``channels``) that get the findings of
            ``pubdata audit check``; empty: the findings are only recorded and printed.
        rules: the rules' thresholds.
    """

    channels: list[Annotated[str, Field(pattern=CHANNEL_NAME)]] = Field(default_factory=list)
    rules: AuditRules = Field(default_factory=AuditRules)


class AlertsConfig(Closed):
    """The project's alert channels (``alerts.yaml``).

    Attributes:
        airflow_url: base URL of the Airflow UI for the run links (default: Airflow's
            ``[api] base_url``).
        channels: channel name → e-mail or webhook channel.
        audit: where the access log's anomaly findings go, and the rules' thresholds.
    """

    airflow_url: str | None = Field(default=None, pattern=r"^https?://")
    channels: dict[Annotated[str, Field(pattern=CHANNEL_NAME)], Channel] = Field(
        default_factory=dict
    )
    audit: AuditAlerts = Field(default_factory=AuditAlerts)

    @model_validator(mode="after")
    def _audit_channels(self) -> AlertsConfig:
        unknown = [c for c in self.audit.channels if c not in self.channels]
        if unknown:
            raise ValueError(f"audit.channels names {unknown[0]!r}, which channels does not define")
        return self
