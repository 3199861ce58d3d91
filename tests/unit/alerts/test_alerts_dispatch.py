"""Routing per registry configuration; a missing connection or a failing channel never raises."""

from __future__ import annotations

import logging

import pytest

from etl.alerts import RunRef, deliver, failure_alert, route
from etl.extract.connections import EnvConnections, StaticConnections
from etl.registry import AlertsConfig, AlertsSpec
from tests.unit.alerts.servers import HookServer, RealRun, SmtpServer

RUN = RunRef("ingest__public_security__household_register", "scheduled__x", "2024-06-01")
CONFIG = AlertsConfig.model_validate(
    {
        "channels": {
            "email_ops": {"kind": "email", "conn_id": "ops_smtp", "to": ["ops@example.gov.cn"]},
            "wecom_ops": {"kind": "webhook", "conn_id": "ops_wecom", "format": "wecom"},
            "dingtalk_ops": {"kind": "webhook", "conn_id": "ops_ding", "format": "dingtalk"},
        }
    }
)


@pytest.fixture
def alert(real_run: RealRun):  # type: ignore[no-untyped-def]
    return failure_alert(real_run.dataset, RUN, "extract", "source not ready")


def test_route_by_kind(alert) -> None:  # type: ignore[no-untyped-def]
    spec = AlertsSpec(channels=["email_ops", "wecom_ops", "email_ops"])
    assert route(alert, spec) == ["email_ops", "wecom_ops"]
    assert route(alert, AlertsSpec(channels=["email_ops"], on=["quality"])) == []
    assert route(alert, None) == []


def test_both_channels_get_the_alert(smtp: SmtpServer, hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    connections = StaticConnections({"ops_smtp": smtp.fields(), "ops_wecom": hook.fields()})
    spec = AlertsSpec(channels=["email_ops", "wecom_ops"])
    out = deliver([alert], spec, CONFIG, connections)
    assert [(d.channel, d.status) for d in out] == [("email_ops", "sent"), ("wecom_ops", "sent")]
    assert len(smtp.handler.envelopes) == 1 and len(hook.requests) == 1


def test_missing_connection_disables_the_channel_with_a_warning(
    hook: HookServer, alert, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    # the environment resolver, as outside Airflow: only the bot's connection is defined
    env = {"AIRFLOW_CONN_OPS_WECOM": f"http://127.0.0.1:{hook.port}/?endpoint=%2Fhook"}
    spec = AlertsSpec(channels=["email_ops", "wecom_ops"])
    with caplog.at_level(logging.WARNING, logger="etl.alerts"):
        out = deliver([alert], spec, CONFIG, EnvConnections(env))
    assert [(d.channel, d.status) for d in out] == [
        ("email_ops", "disabled"),
        ("wecom_ops", "sent"),
    ]
    assert "connection ops_smtp is not defined" in caplog.text
    assert hook.requests[0].path == "/hook"


def test_a_failing_channel_does_not_stop_the_next(
    hook: HookServer, smtp: SmtpServer, alert, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    hook.script = [(400, {})]
    connections = StaticConnections({"ops_smtp": smtp.fields(), "ops_wecom": hook.fields()})
    spec = AlertsSpec(channels=["wecom_ops", "email_ops"])
    with caplog.at_level(logging.ERROR, logger="etl.alerts"):
        out = deliver([alert], spec, CONFIG, connections)
    assert [d.status for d in out] == ["failed", "sent"]
    assert out[0].detail == "webhook connection 'test_hook' refused the alert: HTTP 400"
    assert "not delivered to wecom_ops" in caplog.text
    assert "k-123" not in caplog.text  # the bot's key is never logged


def test_undefined_channel_is_skipped(alert) -> None:  # type: ignore[no-untyped-def]
    out = deliver([alert], AlertsSpec(channels=["nowhere"]), CONFIG, StaticConnections({}))
    assert [(d.status, d.detail) for d in out] == [("disabled", "channel not defined")]
