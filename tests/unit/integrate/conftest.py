"""A copy of the sample registry's datasets, to write domain files beside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.registry.loader import DOMAINS_FOLDER
from tests.conftest import REPO


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    """The sample datasets (and alerts.yaml) without their domain files."""
    root = tmp_path / "registry"
    shutil.copytree(REPO / "datasets", root, ignore=shutil.ignore_patterns(DOMAINS_FOLDER))
    return root
