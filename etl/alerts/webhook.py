"""Group-bot webhooks: WeCom (企业微信) and DingTalk (钉钉) robot markdown messages.

The URL holds the bot's key, so it comes from an Airflow HTTP connection and never appears in
a log line or an error. A DingTalk bot with 加签 (signing) configured wants ``timestamp`` and
``sign`` = base64(HMAC-SHA256(secret, "<timestamp>" + newline + "<secret>")) in the query.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from etl.alerts.errors import DeliveryFailed
from etl.alerts.model import Message
from etl.extract.connections import ConnectionFields, http_target
from etl.registry.alerts import WebhookChannel

log = logging.getLogger(__name__)

#: WeCom refuses markdown content over 4096 bytes (UTF-8); DingTalk allows far more.
WECOM_MAX_BYTES = 4096


def _truncate(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    marker = "\n…"
    cut = data[: max_bytes - len(marker.encode("utf-8"))].decode("utf-8", errors="ignore")
    return cut + marker


def payload(channel: WebhookChannel, alert: Message) -> dict[str, Any]:
    """The JSON body of one alert in the channel's robot format."""
    text = alert.markdown()
    if channel.format == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": alert.title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": _truncate(text, WECOM_MAX_BYTES)}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature of a request made at ``timestamp_ms`` (not yet URL-encoded)."""
    text = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), text, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def webhook_url(
    fields: ConnectionFields, channel: WebhookChannel, *, now_ms: int | None = None
) -> tuple[str, dict[str, str]]:
    """The URL (with key, and signature for a signing DingTalk bot) and the request headers.

    The base URL and headers follow :func:`etl.extract.connections.http_target`;
    ``extra.endpoint`` is the path and ``extra.params`` the query (``key``, ``access_token``).
    """
    target = http_target(fields)
    endpoint = str(fields.extra.get("endpoint") or "")
    if endpoint and not endpoint.startswith("/"):
        endpoint = "/" + endpoint
    query = dict(target.params)
    if channel.format == "dingtalk" and fields.password:
        stamp = int(time.time() * 1000) if now_ms is None else now_ms
        query["timestamp"] = str(stamp)
        query["sign"] = dingtalk_sign(fields.password, stamp)
    url = target.base_url + endpoint
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    return url, dict(target.headers)


def _answer(conn_id: str, body: bytes) -> None:
    """Both bots answer 200 with ``errcode``; a non-zero one is a refusal (bad key, format)."""
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return  # not a bot's JSON answer (a relay): 2xx is success
    if isinstance(answer, Mapping) and answer.get("errcode") not in (None, 0):
        message = str(answer.get("errmsg") or "")[:120]
        raise DeliveryFailed(
            f"webhook connection {conn_id!r} refused the alert: errcode {answer['errcode']}"
            + (f" ({message})" if message else "")
        )


def send_webhook(
    fields: ConnectionFields,
    channel: WebhookChannel,
    alert: Message,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """POST one alert; 5xx answers and network errors are retried (``channel.retries``).

    Raises:
        DeliveryFailed: a 4xx answer, a non-zero ``errcode``, or no success after the retries.
    """
    body = json.dumps(payload(channel, alert), ensure_ascii=False).encode("utf-8")
    attempts = 1 + channel.retries
    for attempt in range(1, attempts + 1):
        url, headers = webhook_url(fields, channel)  # a fresh signature for every attempt
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={**headers, "Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=channel.timeout_seconds) as response:
                _answer(fields.conn_id, response.read())
            return
        except urllib.error.HTTPError as exc:
            exc.close()
            if exc.code < 500:
                raise DeliveryFailed(
                    f"webhook connection {fields.conn_id!r} refused the alert: HTTP {exc.code}"
                ) from None
            why = f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            why = type(exc).__name__
        if attempt == attempts:
            raise DeliveryFailed(
                f"webhook connection {fields.conn_id!r} failed after {attempt} attempts: {why}"
            )
        log.warning(
            "webhook %s failed (%s), attempt %d of %d", fields.conn_id, why, attempt, attempts
        )
        sleep(min(0.5 * 2**attempt, 10.0))
