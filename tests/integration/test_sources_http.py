"""http sources against a local JSON API that the test starts on 127.0.0.1.

The server plays the exchange platform: bearer auth, page/offset/cursor pagination, nested
records, flaky answers (503, 429 with Retry-After), client errors with bodies that must never
surface, and a redirect that must not carry the credentials along.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from etl.errors import ConfigError, DataError, TransientError
from etl.extract import EnvConnections, Extracted, extract_source
from etl.extract.sources.http import read_http_parts
from etl.registry.sources import HttpSource
from tests.http_quiet import QuietHandler

pytestmark = pytest.mark.integration

DAY = date(2024, 6, 1)
RECORDS = [
    {"tyshxydm": f"{i:018d}", "qymc": f"企业{i}", "fr": {"xm": f"法人{i}", "dz": {"s": "武汉"}}}
    for i in range(1, 6)
]
TOKEN = "s3cret-token"
APPKEY = "app-key-123"


class _Api(QuietHandler):
    calls: ClassVar[Counter[str]] = Counter()
    seen: ClassVar[list[dict[str, Any]]] = []

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        path = url.path
        self.calls[path] += 1
        self.seen.append({"path": path, "query": query, "auth": self.headers.get("Authorization")})
        if path == "/open/redirect":
            self._send(302, {}, {"Location": "/open/echo"})
            return
        if path == "/open/echo":
            self._send(200, {"data": [{"auth": self.headers.get("Authorization") or "none"}]})
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" or query.get("appkey") != APPKEY:
            self._send(401, {"error": "unauthorised", "echo": "secret-body"})
            return
        self._route(path, query)

    def _route(self, path: str, query: dict[str, str]) -> None:
        if path == "/api/page":
            page, size = int(query["page"]), int(query["size"])
            self._send(200, {"data": {"items": RECORDS[(page - 1) * size : page * size]}})
        elif path == "/api/offset":
            offset, limit = int(query["offset"]), int(query["limit"])
            self._send(200, {"rows": RECORDS[offset : offset + limit], "day": query.get("day")})
        elif path == "/api/cursor":
            start = int(query.get("cursor", "0"))
            after = start + 2
            following = str(after) if after < len(RECORDS) else None
            self._send(200, {"data": RECORDS[start:after], "meta": {"next": following}})
        elif path == "/api/flaky":
            count = self.calls[path]
            if count == 1:
                self._send(503, {"echo": "secret-body"})
            elif count == 2:
                self._send(429, {}, {"Retry-After": "0"})
            else:
                self._send(200, {"data": RECORDS[:1]})
        elif path == "/api/down":
            self._send(500, {"echo": "secret-body"})
        elif path == "/api/stuck":
            self._send(200, {"data": RECORDS[:2]})
        elif path == "/api/text":
            self._send(200, b"<html>secret-body</html>")
        else:
            self._send(404, {"echo": "secret-body"})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def env(server: str) -> dict[str, str]:
    host, port = server.split(":")
    _Api.calls.clear()
    _Api.seen.clear()
    connection = {
        "conn_type": "http",
        "host": host,
        "port": int(port),
        "password": TOKEN,
        "extra": {"auth_type": "bearer", "params": {"appkey": APPKEY}},
    }
    return {"AIRFLOW_CONN_EXCHANGE": json.dumps(connection)}


def _source(**spec: object) -> HttpSource:
    values = {"kind": "http", "conn_id": "exchange", "backoff_seconds": 0.01, **spec}
    return HttpSource.model_validate(values)


def _extract(env: dict[str, str], **spec: object) -> Extracted:
    interval = (datetime(2024, 5, 31, 16, tzinfo=UTC), datetime(2024, 6, 1, 16, tzinfo=UTC))
    return extract_source(
        _source(**spec),
        landing=Path("/nonexistent"),
        logical_date=DAY,
        interval=interval,
        connections=EnvConnections(env),
    )


def _check_records(extracted: Extracted) -> None:
    assert extracted.table.column("tyshxydm").to_pylist() == [r["tyshxydm"] for r in RECORDS]
    assert extracted.table.column("fr.dz.s").to_pylist() == ["武汉"] * 5
    assert extracted.rows_in == 5
    for fingerprint in extracted.fingerprints:
        assert fingerprint.kind == "http"
        assert APPKEY not in fingerprint.uri and APPKEY not in fingerprint.relative_path
        assert TOKEN not in fingerprint.uri


def test_page_pagination(env: dict[str, str]) -> None:
    extracted = _extract(
        env,
        endpoint="/api/page",
        records="data.items",
        pagination={"type": "page", "size": 2},
    )
    _check_records(extracted)
    assert [f.rows for f in extracted.fingerprints] == [2, 2, 1]
    first = extracted.fingerprints[0]
    assert first.relative_path == "exchange:/api/page?page=1&size=2"
    assert extracted.source_index.to_pylist() == [0, 0, 1, 1, 2]
    assert extracted.source_row.to_pylist() == [1, 2, 1, 2, 1]


def test_offset_pagination_with_templated_params(env: dict[str, str]) -> None:
    extracted = _extract(
        env,
        endpoint="/api/offset",
        records="rows",
        params={"day": "{ds_nodash}", "from": "{start}"},
        pagination={"type": "offset", "limit": 5},
    )
    _check_records(extracted)
    assert len(extracted.fingerprints) == 2  # a full page, then an empty one
    assert _Api.seen[0]["query"]["day"] == "20240601"
    assert _Api.seen[0]["query"]["from"] == "2024-05-31T16:00:00+00:00"


def test_cursor_pagination(env: dict[str, str]) -> None:
    extracted = _extract(
        env, endpoint="/api/cursor", pagination={"type": "cursor", "next": "meta.next"}
    )
    _check_records(extracted)
    assert [q["query"].get("cursor") for q in _Api.seen] == [None, "2", "4"]


def test_retries_with_backoff_and_retry_after(env: dict[str, str]) -> None:
    waits: list[float] = []
    source = _source(endpoint="/api/flaky", backoff_seconds=0.5, max_backoff_seconds=30)
    parts = list(
        read_http_parts(
            source,
            logical_date=DAY,
            interval=None,
            connections=EnvConnections(env),
            sleep=waits.append,
        )
    )
    assert [p.table.num_rows for p in parts] == [1]
    assert waits == [0.5, 0.0]  # exponential backoff, then the server's Retry-After
    assert _Api.calls["/api/flaky"] == 3


def test_5xx_gives_up_after_the_retries(env: dict[str, str]) -> None:
    with pytest.raises(TransientError) as info:
        _extract(env, endpoint="/api/down", retries=2)
    assert str(info.value) == "exchange:/api/down page 1: HTTP 500 after 3 attempts"
    assert _Api.calls["/api/down"] == 3


def test_4xx_fails_at_once_naming_endpoint_and_status(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as info:
        _extract(env, endpoint="/api/nothing/{ds}")
    message = str(info.value)
    assert message == "exchange:/api/nothing/2024-06-01 page 1: HTTP 404 (Not Found); not retried"
    assert _Api.calls["/api/nothing/2024-06-01"] == 1
    wrong = json.loads(env["AIRFLOW_CONN_EXCHANGE"])
    wrong["password"] = "expired"
    with pytest.raises(ConfigError, match=r"HTTP 401 \(Unauthorized\)") as info:
        _extract({"AIRFLOW_CONN_EXCHANGE": json.dumps(wrong)}, endpoint="/api/page")
    assert "secret-body" not in str(info.value) and "expired" not in str(info.value)


def test_bad_responses_are_data_errors(env: dict[str, str]) -> None:
    with pytest.raises(DataError, match=r"^exchange:/api/text page 1: the response is not valid"):
        _extract(env, endpoint="/api/text")
    with pytest.raises(DataError, match=r"has no 'data\.items' holding the records"):
        _extract(env, endpoint="/api/stuck", records="data.items")
    with pytest.raises(DataError, match="page 2: same response as the page before"):
        _extract(env, endpoint="/api/stuck", pagination={"type": "page", "size": 2})


def test_credentials_are_not_forwarded_on_redirect(env: dict[str, str]) -> None:
    extracted = _extract(env, endpoint="/open/redirect")
    assert extracted.table.to_pylist() == [{"auth": "none"}]
    assert [s["auth"] for s in _Api.seen] == [f"Bearer {TOKEN}", None]
