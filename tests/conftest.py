"""Shared fixtures: isolated settings over the repository's registry and sample landing zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def make_settings(home: Path, **overrides: str) -> Settings:
    env = {
        "PUBDATA_HOME": str(home),
        "PUBDATA_REGISTRY": str(REPO / "datasets"),
        "PUBDATA_LANDING": str(REPO / "samples" / "landing"),
        "PUBDATA_EXPECTATIONS": str(REPO / "expectations"),
        "PUBDATA_TOKEN_KEY": "test:" + "dGVzdC1rZXktbm90LWEtc2VjcmV0LTMyLWJ5dGVzLi4u",
    }
    env.update(overrides)
    return Settings.from_env(env)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh home and lake under tmp_path."""
    return make_settings(tmp_path / "home")
