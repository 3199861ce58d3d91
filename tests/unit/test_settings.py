from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.settings import PROJECT_ROOT, Settings
from tests.conftest import make_settings


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


@pytest.mark.parametrize(
    ("env", "zone"),
    [
        ({}, "Asia/Shanghai"),
        ({"PUBDATA_TIMEZONE": "Asia/Urumqi"}, "Asia/Urumqi"),
        # a deployment that sets only Airflow's, in Airflow's spellings
        ({"AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Hong_Kong"}, "Asia/Hong_Kong"),
        ({"AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc"}, "UTC"),
        ({"AIRFLOW__CORE__DEFAULT_TIMEZONE": "system"}, "Asia/Shanghai"),
        ({"PUBDATA_TIMEZONE": "UTC", "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Hong_Kong"}, "UTC"),
    ],
)
def test_the_time_zone_setting(env: dict[str, str], zone: str) -> None:
    assert Settings.from_env(env).timezone == zone


def test_a_mistyped_zone_is_one_line_naming_its_variable() -> None:
    with pytest.raises(ConfigError, match=r"^AIRFLOW__CORE__DEFAULT_TIMEZONE='Mars/Base' is not"):
        Settings.from_env({"AIRFLOW__CORE__DEFAULT_TIMEZONE": "Mars/Base"})
    with pytest.raises(ConfigError, match=r"^PUBDATA_TIMEZONE='Asia/Shanghia' is not"):
        Settings.from_env({"PUBDATA_TIMEZONE": "Asia/Shanghia"})


def test_the_serving_url_and_restricted_flag(tmp_path: Path) -> None:
    plain = make_settings(tmp_path)
    assert (plain.serve_url, plain.serve_restricted) == (None, False)
    url = "postgresql://pubdata_serve:s3cret@pg:5432/pubdata_serve"
    served = make_settings(tmp_path, PUBDATA_SERVE_URL=url, PUBDATA_SERVE_RESTRICTED="1")
    assert (served.serve_url, served.serve_restricted) == (url, True)
    assert "s3cret" not in repr(served)
    with pytest.raises(ConfigError, match=r"^PUBDATA_SERVE_URL must be a postgresql:// URL$"):
        make_settings(tmp_path, PUBDATA_SERVE_URL="mysql://u:s3cret@h/db")
    with pytest.raises(ConfigError, match="PUBDATA_SERVE_RESTRICTED must be 1 or 0"):
        make_settings(tmp_path, PUBDATA_SERVE_RESTRICTED="maybe")
