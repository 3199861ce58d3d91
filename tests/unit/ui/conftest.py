"""The raw values the UI tests scan every page for (the sample lake is tests/unit/conftest.py's)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Cli
from tests.integration.test_leak_scan import collect_secrets
from tests.unit.sample_lake import SampleLake


@pytest.fixture(scope="session")
def secrets(lake: SampleLake) -> dict[str, str]:
    """Raw L3/L4 values of the restricted zone → the column they came from."""
    domains = {d.id: d.domain for d in lake.registry.datasets.values()}
    return collect_secrets(Cli(lake.settings, {}), domains)
