from __future__ import annotations

from pathlib import Path

from etl.settings import PROJECT_ROOT, Settings


def test_defaults_live_in_the_project(tmp_path: Path) -> None:
    s = Settings.from_env({})
    assert s.home == PROJECT_ROOT / ".pubdata"
    assert s.registry == PROJECT_ROOT / "datasets"
    assert s.landing == PROJECT_ROOT / "samples" / "landing"
    assert s.lake == str(PROJECT_ROOT / ".pubdata" / "lake")
    assert s.token_key is None


def test_environment_wins_and_object_store_uris_are_kept(tmp_path: Path) -> None:
    s = Settings.from_env(
        {
            "PUBDATA_HOME": str(tmp_path),
            "PUBDATA_LAKE": "s3://bucket/lake/",
            "PUBDATA_TOKEN_KEY": "k",
        }
    )
    assert s.home == tmp_path
    assert s.lake == "s3://bucket/lake"
    assert s.staging == tmp_path / "staging"


def test_the_token_key_is_not_in_the_repr() -> None:
    s = Settings.from_env({"PUBDATA_TOKEN_KEY": "k1:c2VjcmV0LXZhbHVl"})
    assert "c2VjcmV0" not in repr(s)
