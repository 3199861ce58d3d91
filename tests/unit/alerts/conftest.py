"""Fixtures: local SMTP and HTTP servers, and a real in-process run of a sample dataset."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import make_settings
from tests.unit.alerts.servers import (
    RealRun,
    personal_values,
)


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> RealRun:
    """household_register for 2024-06-01, run in-process (5 rows quarantined of 1,500)."""
    from etl.pipeline.local import local_context, run_local
    from etl.registry import load_registry
    from etl.runtime.context import staging_dir

    settings = make_settings(tmp_path_factory.mktemp("alerts-run") / "home")
    dataset = load_registry(settings.registry).get("household_register")
    ctx = local_context(dataset, dt.date(2024, 6, 1), run_id="manual__2024-06-01T00:00:00+00:00")
    summary = run_local(settings, dataset, ctx).to_dict()
    return RealRun(dataset, summary, staging_dir(settings, ctx), personal_values())
