"""The sample lake the catalog and UI tests read (every dataset, about ten seconds to build)."""

from __future__ import annotations

import pytest

from tests.unit.sample_lake import SampleLake, build_sample_lake


@pytest.fixture(scope="session")
def lake(tmp_path_factory: pytest.TempPathFactory) -> SampleLake:
    """Built once per session; directories with a lake of their own override this fixture."""
    return build_sample_lake(tmp_path_factory.mktemp("sample_lake"))
