"""The SMTP sender against a real local SMTP server (plain, STARTTLS and implicit TLS)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from etl.alerts import DeliveryFailed, RunRef, failure_alert
from etl.alerts.email import send_email
from etl.extract.connections import ConnectionFields
from etl.registry import EmailChannel
from tests.unit.alerts.servers import RealRun, SmtpServer, free_port, start_smtp

CHANNEL = EmailChannel(
    kind="email", conn_id="test_smtp", to=["ops@example.gov.cn", "duty@example.gov.cn"]
)
RUN = RunRef("ingest__public_security__household_register", "scheduled__x", "2024-06-01")


@pytest.fixture
def alert(real_run: RealRun):  # type: ignore[no-untyped-def]
    return failure_alert(real_run.dataset, RUN, "extract", "source not ready")


def received(server: SmtpServer) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
        for e in server.handler.envelopes
    ]


def test_plain_smtp_delivers_subject_body_and_recipients(smtp: SmtpServer, alert) -> None:  # type: ignore[no-untyped-def]
    send_email(smtp.fields(), CHANNEL, alert)
    [envelope] = smtp.handler.envelopes
    assert envelope.mail_from == "pubdata@example.gov.cn"
    assert envelope.rcpt_tos == ["ops@example.gov.cn", "duty@example.gov.cn"]
    [message] = received(smtp)
    assert message["Subject"] == (
        "[pubdata] 运行失败 run failed: 户籍人口登记 (household register) (household_register)"
    )
    body = message.get_content()
    assert "household_register 2024-06-01 failed at extract" in body
    assert "scheduled__x" in body and "source not ready" in body


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_modes(tls: str, tmp_path: Path, alert) -> None:  # type: ignore[no-untyped-def]
    controller, server = start_smtp(tls, tmp_path)
    try:
        extra = {"ssl_context": "none"}  # the test server's certificate is self-signed
        if tls == "starttls":
            extra["disable_tls"] = False  # type: ignore[assignment]
        else:
            extra["disable_ssl"] = False  # type: ignore[assignment]
        send_email(server.fields(**extra), CHANNEL, alert)
        assert len(server.handler.envelopes) == 1
        # with certificate verification on, a self-signed server is refused
        extra["ssl_context"] = "default"
        with pytest.raises(DeliveryFailed, match="SSLCertVerificationError"):
            send_email(server.fields(**extra, retry_limit=0), CHANNEL, alert)
    finally:
        controller.stop()


def test_refused_recipients_fail_at_once(smtp: SmtpServer, alert) -> None:  # type: ignore[no-untyped-def]
    smtp.handler.refuse_rcpt = True
    pauses: list[float] = []
    with pytest.raises(DeliveryFailed) as info:
        send_email(smtp.fields(), CHANNEL, alert, sleep=pauses.append)
    assert pauses == []  # a 5xx answer is not retried
    assert "test_smtp" in str(info.value) and "example.gov.cn" not in str(info.value)


def test_unreachable_server_is_retried_then_fails(alert) -> None:  # type: ignore[no-untyped-def]
    fields = ConnectionFields(
        "test_smtp",
        "smtp",
        host="127.0.0.1",
        port=free_port(),  # nothing listens there
        extra={"from_email": "p@example.gov.cn", "disable_ssl": "true", "retry_limit": 2},
    )
    pauses: list[float] = []
    with pytest.raises(DeliveryFailed, match="after 3 attempts: ConnectionRefusedError"):
        send_email(fields, CHANNEL, alert, sleep=pauses.append)
    assert pauses == [2.0, 4.0]


def test_sender_address_is_required(smtp: SmtpServer, alert) -> None:  # type: ignore[no-untyped-def]
    fields = ConnectionFields("test_smtp", "smtp", host="127.0.0.1", port=smtp.port)
    with pytest.raises(DeliveryFailed, match="from_email"):
        send_email(fields, CHANNEL, alert)
