"""The base of the HTTP servers tests start: a request handler that keeps pytest output clean."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """``BaseHTTPRequestHandler`` without its per-request line on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Drop the access-log line (the tests assert on what the server received)."""
