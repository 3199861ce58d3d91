from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.settings import PROJECT_ROOT, Settings
from etl.zones import Zone
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


ZONED = {
    "PUBDATA_LAKE": "s3://lake/root/",
    "PUBDATA_LAKE_RESTRICTED": "s3://vault/lake/",
    "AWS_ACCESS_KEY_ID": "lake-id",
    "AWS_SECRET_ACCESS_KEY": "lake-secret",
    "PUBDATA_S3_RESTRICTED_ACCESS_KEY_ID": "vault-id",
    "PUBDATA_S3_RESTRICTED_SECRET_ACCESS_KEY": "vault-secret",
}


def test_zones_live_under_the_lake_with_its_keys_unless_given_their_own() -> None:
    plain = Settings.from_env({"PUBDATA_LAKE": "s3://lake/root", "AWS_ACCESS_KEY_ID": "id"})
    for zone in Zone:
        store = plain.zone_store(zone)
        assert (store.root, store.s3) == (f"s3://lake/root/{zone}", plain.s3)
    s = Settings.from_env(ZONED)
    restricted = s.zone_store(Zone.RESTRICTED)
    assert restricted.root == "s3://vault/lake"
    assert (restricted.s3.access_key_id, restricted.s3.secret_access_key) == (
        "vault-id",
        "vault-secret",
    )
    assert s.zone_store(Zone.SHARED).root == "s3://lake/root/shared"
    assert s.zone_store(Zone.SHARED).s3.access_key_id == "lake-id"
    assert "vault-secret" not in repr(s) and "lake-secret" not in repr(s)


def test_a_uri_takes_the_keys_of_the_zone_holding_it() -> None:
    s = Settings.from_env(ZONED)
    assert s.s3_for("s3://vault/lake/population/people").access_key_id == "vault-id"
    assert s.s3_for("s3://lake/root/shared/population/people").access_key_id == "lake-id"
    assert s.s3_for("s3://lake/root/_meta/lineage_runs").access_key_id == "lake-id"
    assert s.store_of("s3://lake/root/_meta/lineage_runs") is None
    # a sibling prefix is not inside the zone
    assert s.store_of("s3://vault/lake2/t") is None


def test_a_local_zone_folder_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings.from_env({"PUBDATA_LAKE_RESTRICTED": "vault/"})
    assert s.zone_store(Zone.RESTRICTED).root == str(tmp_path / "vault")


def test_half_a_zone_key_pair_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"PUBDATA_S3_SHARED_ACCESS_KEY_ID and .* together"):
        Settings.from_env({"PUBDATA_S3_SHARED_ACCESS_KEY_ID": "id"})


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
