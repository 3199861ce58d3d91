"""Real local servers for the alert channels, and the personal values of a sample delivery.

* an SMTP server (aiosmtpd ``Controller``) on a free port, optionally with STARTTLS or
  implicit TLS over a self-signed certificate made here;
* an HTTP server (``http.server`` in a thread) that records the bots' POSTs and answers from a
  script of statuses;
* the personal values of ``household_register``'s 2024-06-01 delivery, which no alert may
  contain.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from etl.extract.connections import ConnectionFields
from tests.conftest import REPO
from tests.http_quiet import QuietHandler

SAMPLE = REPO / "samples" / "landing" / "public_security" / "household_register" / "2024-06-01.csv"
PERSONAL_COLUMNS = ("xm", "gmsfhm", "lxdh", "hjdz", "hh", "csrq")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpCollector:
    """aiosmtpd handler: keeps every message; can refuse recipients with a 5xx code."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse_rcpt = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.refuse_rcpt:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    handler: SmtpCollector
    port: int

    def fields(self, **extra: Any) -> ConnectionFields:
        base = {"from_email": "pubdata@example.gov.cn", "disable_ssl": True, "disable_tls": True}
        base.update(extra)
        return ConnectionFields("test_smtp", "smtp", host="127.0.0.1", port=self.port, extra=base)


def self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def start_smtp(tls: str | None = None, tmp: Path | None = None) -> tuple[Controller, SmtpServer]:
    handler = SmtpCollector()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if tls is not None:
        assert tmp is not None
        cert, key = self_signed(tmp)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        if tls == "starttls":
            kwargs = {"tls_context": context, "require_starttls": True}
        else:
            kwargs = {"ssl_context": context}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller, SmtpServer(handler, port)


@dataclass
class HookRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class HookServer:
    port: int
    requests: list[HookRequest] = field(default_factory=list)
    #: statuses (and optional JSON bodies) to answer with, in order; then 200 errcode 0
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def fields(self, password: str | None = None, **params: str) -> ConnectionFields:
        extra = {"endpoint": "/cgi-bin/webhook/send", "params": params or {"key": "k-123"}}
        return ConnectionFields(
            "test_hook", "http", host="127.0.0.1", port=self.port, password=password, extra=extra
        )


def _handler(server: HookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            server.requests.append(
                HookRequest(
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers=dict(self.headers.items()),
                    body=json.loads(raw.decode("utf-8")),
                )
            )
            status, answer = server.script.pop(0) if server.script else (200, {})
            if status == 200 and not answer:
                answer = {"errcode": 0, "errmsg": "ok"}
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def start_hook() -> tuple[ThreadingHTTPServer, HookServer]:
    hook = HookServer(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook))
    hook.port = int(httpd.server_address[1])
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, hook


@dataclass(frozen=True)
class RealRun:
    dataset: Any
    summary: dict[str, Any]
    folder: Path
    personal: frozenset[str]


def personal_values() -> frozenset[str]:
    """Every value of the sample's personal columns (names, ID numbers, phones, addresses)."""
    import pyarrow.csv as pv

    table = pv.read_csv(
        SAMPLE,
        read_options=pv.ReadOptions(encoding="gbk"),
        convert_options=pv.ConvertOptions(
            column_types={c: "string" for c in PERSONAL_COLUMNS}, strings_can_be_null=True
        ),
    )
    values = {
        str(v)
        for c in PERSONAL_COLUMNS
        if c in table.column_names
        for v in table.column(c).to_pylist()
        if v is not None and len(str(v).strip()) >= 2
    }
    return frozenset(v.strip() for v in values)
