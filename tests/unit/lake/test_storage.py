"""The lake on S3: delta-rs writes and every reader path, against a real moto server."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.fs as pafs
import pytest

from etl.lake import delta
from etl.lake.layout import (
    integrated_table_uri,
    meta_table_uri,
    quarantine_table_uri,
    zone_table_uri,
)
from etl.lake.storage import filesystem, storage_options, zone_location
from etl.pipeline.local import local_context, run_local
from etl.read import read
from etl.read.sql import query as sql_query
from etl.registry import load_registry
from etl.settings import S3Settings, Settings
from etl.zones import Zone
from tests.conftest import make_settings
from tests.s3_server import make_bucket

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)


def day(values: list[str], d: date) -> pa.Table:
    return pa.table({"v": values, "_logical_date": pa.array([d] * len(values), pa.date32())})


@pytest.fixture
def s3_lake(moto_process: str, monkeypatch: pytest.MonkeyPatch) -> str:
    env = {
        "AWS_ENDPOINT_URL": moto_process,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    bucket = f"pubdata-{uuid.uuid4().hex[:12]}"
    make_bucket(moto_process, bucket)
    return f"s3://{bucket}/lake"


def test_options_come_from_settings_with_conditional_put() -> None:
    s3 = Settings.from_env(
        {
            "PUBDATA_LAKE": "s3://b/lake",
            "AWS_ENDPOINT_URL": "http://store:9000/",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "very-secret",
        }
    ).s3
    assert s3.endpoint == "http://store:9000"
    assert "very-secret" not in repr(s3)
    options = storage_options("s3://b/lake/shared/d/t", s3)
    assert options is not None
    assert options["aws_conditional_put"] == "etag"
    assert options["AWS_ENDPOINT_URL"] == "http://store:9000"
    assert options["AWS_ALLOW_HTTP"] == "true"
    assert options["AWS_REGION"] == "eu-west-1"
    assert options["AWS_SECRET_ACCESS_KEY"] == "very-secret"
    assert storage_options("/tmp/lake/t", s3) is None
    assert isinstance(filesystem("/tmp/lake/t", s3), pafs.SubTreeFileSystem)


def test_pubdata_endpoint_wins_and_https_needs_no_allow_http() -> None:
    s3 = S3Settings.from_env(
        {"PUBDATA_S3_ENDPOINT": "https://lake.example", "AWS_ENDPOINT_URL": "http://other"}
    )
    options = storage_options("s3://b/t", s3)
    assert options is not None
    assert options["AWS_ENDPOINT_URL"] == "https://lake.example"
    assert "AWS_ALLOW_HTTP" not in options


def test_writes_and_reads_round_trip_on_s3(s3_lake: str) -> None:
    uri = f"{s3_lake}/shared/population/t"
    delta.replace_partition(uri, day(["a", "b"], D1), D1, {"run": "1"})
    delta.replace_partition(uri, day(["c"], D2), D2, {"run": "2"})
    version = delta.replace_partition(uri, day(["a", "b"], D1), D1, {"run": "3"})
    assert version == 2
    assert delta.table_exists(uri)
    assert not delta.table_exists(f"{s3_lake}/shared/population/none")
    assert sorted(delta.read(uri).column("v").to_pylist()) == ["a", "b", "c"]
    assert delta.history(uri, 1)[0]["run"] == "3"
    assert delta.read(uri, version=0).num_rows == 2
    # DuckDB over the Arrow dataset (what `pubdata sql` and the reader do) counts D1 once.
    con = duckdb.connect()
    con.register("t", delta.dataset(uri))
    assert con.execute("SELECT count(*) FROM t").fetchone() == (3,)


def test_meta_appends_on_s3(s3_lake: str) -> None:
    uri = f"{s3_lake}/_meta/lineage_runs"
    for n in range(3):
        delta.append(uri, pa.table({"n": [n]}))
    assert sorted(delta.read(uri).column("n").to_pylist()) == [0, 1, 2]
    assert delta.version(uri) == 2


def test_a_pipeline_run_lands_on_s3_and_every_reader_finds_it(s3_lake: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", PUBDATA_LAKE=s3_lake)
    spec = load_registry(settings.registry).get("air_quality")
    summary = run_local(settings, spec, local_context(spec, D1, run_id="manual__s3")).to_dict()
    assert summary["status"] == "success"
    shared = read("air_quality", "shared", date=D1, settings=settings)
    assert shared.num_rows == summary["rows_loaded"] > 0
    counted = sql_query(settings, "SELECT count(*) AS n FROM shared.environment.air_quality")
    assert counted.column("n").to_pylist() == [shared.num_rows]
    runs = sql_query(settings, "SELECT status FROM _meta.lineage_runs WHERE run_id = 'manual__s3'")
    assert set(runs.column("status").to_pylist()) == {"success"}


def test_each_zone_location_comes_with_its_own_keys(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        PUBDATA_LAKE="s3://lake/root",
        PUBDATA_LAKE_RESTRICTED="s3://vault/lake",
        AWS_ACCESS_KEY_ID="lake-id",
        AWS_SECRET_ACCESS_KEY="lake-secret",
        PUBDATA_S3_RESTRICTED_ACCESS_KEY_ID="vault-id",
        PUBDATA_S3_RESTRICTED_SECRET_ACCESS_KEY="vault-secret",
    )
    restricted = zone_location(settings, Zone.RESTRICTED)
    assert restricted.uri == "s3://vault/lake"
    assert restricted.storage_options is not None
    assert restricted.storage_options["AWS_ACCESS_KEY_ID"] == "vault-id"
    assert "vault-secret" not in repr(restricted)
    shared = zone_location(settings, Zone.SHARED)
    assert shared.uri == "s3://lake/root/shared"
    assert shared.storage_options is not None
    assert shared.storage_options["AWS_ACCESS_KEY_ID"] == "lake-id"
    # the layout puts every restricted table (quarantine, integrated) in the vault
    assert quarantine_table_uri(settings, "d", "t") == "s3://vault/lake/d/t__quarantine"
    assert integrated_table_uri(settings, "d", "records") == "s3://vault/lake/_integrated/d/records"
    assert meta_table_uri(settings, "loads") == "s3://lake/root/_meta/loads"


def test_table_uris_read_the_keys_of_their_zone_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PUBDATA_LAKE_RESTRICTED", "s3://vault/lake")
    monkeypatch.setenv("PUBDATA_S3_RESTRICTED_ACCESS_KEY_ID", "vault-id")
    monkeypatch.setenv("PUBDATA_S3_RESTRICTED_SECRET_ACCESS_KEY", "vault-secret")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "lake-id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "lake-secret")
    vault = storage_options("s3://vault/lake/d/t")
    other = storage_options("s3://other/lake/shared/d/t")
    assert vault is not None and other is not None
    assert (vault["AWS_ACCESS_KEY_ID"], other["AWS_ACCESS_KEY_ID"]) == ("vault-id", "lake-id")


def test_a_local_lake_keeps_its_zone_folders(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, PUBDATA_LAKE=str(tmp_path / "lake"))
    lake = str(tmp_path / "lake")
    assert zone_table_uri(settings, Zone.SHARED, "d", "t") == zone_table_uri(
        lake, Zone.SHARED, "d", "t"
    )
    assert zone_table_uri(settings, Zone.SHARED, "d", "t") == f"{lake}/shared/d/t"
    assert zone_location(settings, Zone.RESTRICTED) == zone_location(settings, Zone.RESTRICTED)
    assert zone_location(settings, Zone.RESTRICTED).storage_options is None
