"""One sample lake for the UI tests (every dataset, about ten seconds to build)."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Cli
from tests.integration.test_leak_scan import collect_secrets
from tests.unit.ui.sample_lake import SampleLake, build_sample_lake


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> SampleLake:
    return build_sample_lake(tmp_path_factory.mktemp("ui"))


@pytest.fixture(scope="session")
def secrets(lake: SampleLake) -> dict[str, str]:
    """Raw L3/L4 values of the restricted zone → the column they came from."""
    domains = {d.id: d.domain for d in lake.registry.datasets.values()}
    return collect_secrets(Cli(lake.settings, {}), domains)
