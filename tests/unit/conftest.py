"""The sample lake the catalog and UI tests read (every dataset, about ten seconds to build),
the alert channels' real local servers (the alerts' and the audit's tests send through them),
and an environment without another module's ``PUBDATA_*`` settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.unit.alerts.servers import HookServer, SmtpServer, start_hook, start_smtp
from tests.unit.sample_lake import SampleLake, build_sample_lake


@pytest.fixture(autouse=True)
def _own_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``PUBDATA_*`` variable another test module exported (the DAG tests export a home and a
    lake of their own into the worker process) reaches a unit test's ``Settings.from_env``."""
    for key in [k for k in os.environ if k.startswith("PUBDATA_")]:
        monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> SampleLake:
    """Built once per session; directories with a lake of their own override this fixture."""
    return build_sample_lake(tmp_path_factory.mktemp("sample_lake"))


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
