"""Fixtures: the alert channels' real local servers, and events at fixed times."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.alerts.servers import HookServer, SmtpServer, start_hook, start_smtp


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    controller, server = start_smtp()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def hook() -> Iterator[HookServer]:
    httpd, server = start_hook()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
