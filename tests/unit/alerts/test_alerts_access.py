"""Access alerts: an anomaly finding by e-mail and group bot, naming rule, principal and counts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from etl.alerts.access import AccessAlert, deliver_findings
from etl.audit import Finding, Rule
from etl.extract.connections import StaticConnections
from etl.registry import AlertsConfig
from tests.unit.alerts.servers import HookServer, SmtpServer

SH = ZoneInfo("Asia/Shanghai")
FINDING = Finding(
    Rule.OFF_HOURS,
    "os:alice",
    datetime(2026, 12, 6, 16, 0, tzinfo=UTC),
    datetime(2026, 12, 7, 15, 59, 59, 999999, tzinfo=UTC),
    events=3,
    rows=4200,
    detail="3 read(s), 4200 rows, outside working hours",
)
CONFIG = AlertsConfig.model_validate(
    {
        "channels": {
            "email_ops": {"kind": "email", "conn_id": "ops_smtp", "to": ["sec@example.gov.cn"]},
            "wecom_ops": {"kind": "webhook", "conn_id": "ops_wecom", "format": "wecom"},
        },
        "audit": {"channels": ["email_ops", "wecom_ops"]},
    }
)


def test_a_finding_goes_by_email_and_bot(smtp: SmtpServer, hook: HookServer) -> None:
    connections = StaticConnections({"ops_smtp": smtp.fields(), "ops_wecom": hook.fields()})
    (sent,) = deliver_findings([FINDING], CONFIG, connections, SH)
    assert [(d.channel, d.kind, d.status) for d in sent] == [
        ("email_ops", "access", "sent"),
        ("wecom_ops", "access", "sent"),
    ]
    (envelope,) = smtp.handler.envelopes
    mail = envelope.content.decode("utf-8", "replace")
    assert "sec@example.gov.cn" in envelope.rcpt_tos
    assert "os:alice" in mail
    bot = hook.requests[0].body["markdown"]["content"]
    assert "非工作时间读取" in bot and "> 行数 rows: 4200" in bot
    assert "2026-12-07 00:00 – 2026-12-07 23:59 (Asia/Shanghai)" in bot


def test_the_alert_text() -> None:
    alert = AccessAlert(FINDING, SH)
    assert alert.title == (
        "[pubdata] 访问审计 access audit: 非工作时间读取 reads outside working hours: os:alice"
    )
    text = alert.plain()
    assert "规则 rule: 非工作时间读取 reads outside working hours (off_hours)" in text
    assert "读取次数 reads: 3" in text
    assert "1. pubdata audit --principal os:alice --since 2026-12-07" in text


def test_audit_channels_must_be_defined() -> None:
    with pytest.raises(ValidationError, match=r"audit\.channels names 'nope'"):
        AlertsConfig.model_validate({"audit": {"channels": ["nope"]}})
