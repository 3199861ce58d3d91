"""The group-bot sender against a real local HTTP server: formats, signing, retries, refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from etl.alerts import DeliveryFailed, RunRef, failure_alert
from etl.alerts.webhook import WECOM_MAX_BYTES, dingtalk_sign, payload, send_webhook
from etl.registry import WebhookChannel
from tests.unit.alerts.servers import HookServer, RealRun, free_port

WECOM = WebhookChannel(kind="webhook", conn_id="test_hook", format="wecom", retries=2)
DINGTALK = WebhookChannel(kind="webhook", conn_id="test_hook", format="dingtalk", retries=2)
RUN = RunRef("ingest__public_security__household_register", "scheduled__x", "2024-06-01")


@pytest.fixture
def alert(real_run: RealRun):  # type: ignore[no-untyped-def]
    return failure_alert(real_run.dataset, RUN, "load", "store unreachable")


def test_wecom_markdown(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    send_webhook(hook.fields(), WECOM, alert)
    [request] = hook.requests
    assert request.path == "/cgi-bin/webhook/send"
    assert request.query == {"key": "k-123"}
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.body["msgtype"] == "markdown"
    content = request.body["markdown"]["content"]
    assert content.startswith("**[pubdata] 运行失败 run failed: 户籍人口登记")
    assert "household_register 2024-06-01 failed at load" in content


def test_dingtalk_markdown_is_signed_when_a_secret_is_set(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    secret = "SECtest-signing-secret"
    before = int(time.time() * 1000)
    send_webhook(hook.fields(password=secret, access_token="tok"), DINGTALK, alert)
    [request] = hook.requests
    body = request.body
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == alert.title
    assert "failed at load" in body["markdown"]["text"]
    stamp = int(request.query["timestamp"])
    assert before <= stamp <= int(time.time() * 1000)
    # the server side of DingTalk's check, written out independently
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected == dingtalk_sign(secret, stamp)
    assert request.query["access_token"] == "tok"


def test_dingtalk_without_secret_is_not_signed(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    send_webhook(hook.fields(access_token="tok"), DINGTALK, alert)
    assert hook.requests[0].query == {"access_token": "tok"}


def test_5xx_is_retried_until_success(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    hook.script = [(502, {}), (503, {})]
    pauses: list[float] = []
    send_webhook(hook.fields(), WECOM, alert, sleep=pauses.append)
    assert len(hook.requests) == 3 and pauses == [1.0, 2.0]


def test_5xx_beyond_the_retries_fails(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    hook.script = [(500, {})] * 3
    with pytest.raises(DeliveryFailed, match="failed after 3 attempts: HTTP 500"):
        send_webhook(hook.fields(), WECOM, alert, sleep=lambda _: None)
    assert len(hook.requests) == 3


def test_4xx_fails_at_once_without_the_url(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    hook.script = [(403, {"error": "forbidden"})]
    with pytest.raises(DeliveryFailed) as info:
        send_webhook(hook.fields(), WECOM, alert, sleep=lambda _: None)
    assert len(hook.requests) == 1
    assert str(info.value) == "webhook connection 'test_hook' refused the alert: HTTP 403"
    assert "k-123" not in str(info.value)


def test_bot_errcode_is_a_refusal(hook: HookServer, alert) -> None:  # type: ignore[no-untyped-def]
    hook.script = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    with pytest.raises(DeliveryFailed, match="errcode 93000 \\(invalid webhook url\\)"):
        send_webhook(hook.fields(), WECOM, alert)
    assert len(hook.requests) == 1


def test_unreachable_bot_is_retried(alert) -> None:  # type: ignore[no-untyped-def]
    from etl.extract.connections import ConnectionFields

    fields = ConnectionFields("test_hook", "http", host="127.0.0.1", port=free_port())
    pauses: list[float] = []
    with pytest.raises(DeliveryFailed, match="failed after 3 attempts: URLError"):
        send_webhook(fields, WECOM, alert, sleep=pauses.append)
    assert len(pauses) == 2


def test_wecom_content_is_cut_to_its_limit(alert) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    long = replace(alert, facts=(("未通过 failed checks", "检查" * 3000),))
    content = payload(WECOM, long)["markdown"]["content"]
    assert len(content.encode("utf-8")) <= WECOM_MAX_BYTES and content.endswith("…")
    # DingTalk takes the full text
    assert "检查" * 3000 in payload(DINGTALK, long)["markdown"]["text"]
