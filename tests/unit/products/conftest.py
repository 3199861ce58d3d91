"""A copy of the sample registry's datasets and domains, to write product files beside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.registry.loader import PRODUCTS_FOLDER
from tests.conftest import REPO


@pytest.fixture
def registry_root(tmp_path: Path) -> Path:
    """The sample datasets, domains and alerts.yaml without their product files."""
    root = tmp_path / "registry"
    shutil.copytree(REPO / "datasets", root, ignore=shutil.ignore_patterns(PRODUCTS_FOLDER))
    return root
