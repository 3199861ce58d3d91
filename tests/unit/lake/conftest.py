"""Object stores for the lake tests: moto's S3 server and a store that ignores preconditions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

import pytest

from etl.lake import store_probe
from etl.settings import S3Settings
from tests.http_quiet import QuietHandler
from tests.s3_server import free_port, moto_server


def s3_for(endpoint: str) -> S3Settings:
    return S3Settings(
        endpoint=endpoint, region="us-east-1", access_key_id="testing", secret_access_key="testing"
    )


@pytest.fixture(autouse=True)
def _fresh_probe_verdicts() -> Iterator[None]:
    store_probe.forget()
    yield
    store_probe.forget()


@pytest.fixture
def moto_threaded() -> Iterator[str]:
    """moto's S3 in a thread of this process (enough for boto3; delta-rs needs a subprocess)."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def moto_process() -> Iterator[str]:
    """moto's S3 server as a subprocess (see :func:`tests.s3_server.moto_server`)."""
    with moto_server() as endpoint:
        yield endpoint


@dataclass
class CarelessStore:
    """A local HTTP server that answers 200 to every PUT, If-None-Match or not."""

    endpoint: str
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)


@pytest.fixture
def careless_store() -> Iterator[CarelessStore]:
    seen: list[tuple[str, str, str | None]] = []

    class Handler(QuietHandler):
        # HTTP/1.1 so ``Expect: 100-continue`` (sent by boto3 with a body) is answered at once.
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            seen.append((self.command, self.path, self.headers.get("If-None-Match")))
            self.send_response(status)
            self.send_header("ETag", '"0123456789abcdef"')
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_PUT(self) -> None:
            self._answer(200)

        def do_DELETE(self) -> None:
            self._answer(204)

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield CarelessStore(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()
