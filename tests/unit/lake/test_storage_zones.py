"""Zones in their own buckets with their own keys: the store refuses what a process's keys miss.

moto's server with IAM enforced (``/moto-api/reset-auth``: every request after it is checked
against the caller's IAM policies) stands in for a deployment's object store: the pipeline's
keys reach every zone, a reader's reach the shared zone and the lake root (the open zone and
``_meta``, which hold nothing beyond what a reader may see), never the restricted zone's bucket.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow.fs as pafs
import pytest
from deltalake import DeltaTable

from etl.cli.main import main
from etl.errors import StoreRefused
from etl.lake.layout import zone_table_uri
from etl.lake.storage import zone_location
from etl.pipeline.local import local_context, run_local
from etl.read import read
from etl.registry import load_registry
from etl.settings import Settings
from etl.zones import Zone
from tests.conftest import make_settings
from tests.s3_server import TEST_AWS, moto_server

D1 = date(2024, 6, 1)
#: The lake root (``_meta``, and the open zone by default), and one bucket per guarded zone.
LAKE, RESTRICTED, SHARED = "pd-lake", "pd-restricted", "pd-shared"
READ = ["s3:GetObject", "s3:ListBucket"]


@dataclass(frozen=True)
class Keys:
    key_id: str
    secret: str


@dataclass(frozen=True)
class IamStore:
    """The store's endpoint and the keys of its IAM users."""

    endpoint: str
    pipeline: Keys  # the lake root and the shared zone
    vault: Keys  # the restricted zone only
    reader: Keys  # reads the shared zone and the lake root (open, _meta)

    def env(self, keys: Keys, **extra: str) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": TEST_AWS["AWS_REGION"],
            "AWS_ACCESS_KEY_ID": keys.key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret,
            "PUBDATA_LAKE": f"s3://{LAKE}/lake",
            "PUBDATA_LAKE_RESTRICTED": f"s3://{RESTRICTED}/lake",
            "PUBDATA_LAKE_SHARED": f"s3://{SHARED}/lake",
            **extra,
        }


def _policy(actions: list[str], buckets: list[str]) -> str:
    resources = [f"arn:aws:s3:::{b}{tail}" for b in buckets for tail in ("", "/*")]
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture(scope="module")
def iam_store() -> Iterator[IamStore]:
    import boto3

    with moto_server() as endpoint:
        admin = {
            "endpoint_url": endpoint,
            "region_name": TEST_AWS["AWS_REGION"],
            "aws_access_key_id": TEST_AWS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": TEST_AWS["AWS_SECRET_ACCESS_KEY"],
        }
        s3, iam = boto3.client("s3", **admin), boto3.client("iam", **admin)
        for bucket in (LAKE, RESTRICTED, SHARED):
            s3.create_bucket(Bucket=bucket)
        users = {
            "pipeline": (["s3:*"], [LAKE, SHARED]),
            "vault": (["s3:*"], [RESTRICTED]),
            "reader": (READ, [SHARED, LAKE]),
        }
        keys = {}
        for user, (actions, buckets) in users.items():
            iam.create_user(UserName=user)
            iam.put_user_policy(
                UserName=user, PolicyName="zones", PolicyDocument=_policy(actions, buckets)
            )
            made = iam.create_access_key(UserName=user)["AccessKey"]
            keys[user] = Keys(made["AccessKeyId"], made["SecretAccessKey"])
        # From here on moto checks every request against the caller's IAM policies.
        enforce = urllib.request.Request(
            f"{endpoint}/moto-api/reset-auth",
            data=b"0",
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(enforce, timeout=10).close()
        yield IamStore(endpoint, **keys)


@dataclass(frozen=True)
class Loaded:
    store: IamStore
    home: Path
    rows: int


@pytest.fixture(scope="module")
def loaded(iam_store: IamStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """One pipeline run of ``air_quality`` with the pipeline's keys: its own and the vault's."""
    home = tmp_path_factory.mktemp("zones") / "home"
    env = iam_store.env(
        iam_store.pipeline,
        PUBDATA_S3_RESTRICTED_ACCESS_KEY_ID=iam_store.vault.key_id,
        PUBDATA_S3_RESTRICTED_SECRET_ACCESS_KEY=iam_store.vault.secret,
    )
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        settings = make_settings(home, **env)
        spec = load_registry(settings.registry).get("air_quality")
        summary = run_local(settings, spec, local_context(spec, D1, run_id="manual__zones"))
    assert summary.to_dict()["status"] == "success"
    yield Loaded(iam_store, home, int(summary.to_dict()["rows_loaded"]))


@pytest.fixture
def as_reader(loaded: Loaded, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment and settings of a reader holding only the shared zone's keys."""
    env = loaded.store.env(
        loaded.store.reader,
        PUBDATA_HOME=str(loaded.home),
        PUBDATA_REGISTRY=str(make_settings(loaded.home).registry),
        PUBDATA_CLEARANCE="restricted",  # asks for everything: the store still refuses
    )
    for name in ("PUBDATA_S3_RESTRICTED_ACCESS_KEY_ID", "PUBDATA_S3_RESTRICTED_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return make_settings(loaded.home, **env)


def _restricted_uri(settings: Settings) -> str:
    return zone_table_uri(settings, Zone.RESTRICTED, "environment", "air_quality")


def test_each_zone_lands_in_its_own_bucket(loaded: Loaded, as_reader: Settings) -> None:
    assert _restricted_uri(as_reader) == f"s3://{RESTRICTED}/lake/environment/air_quality"
    shared = zone_location(as_reader, Zone.SHARED)
    assert shared.uri == f"s3://{SHARED}/lake"
    assert shared.storage_options is not None
    assert shared.storage_options["AWS_ACCESS_KEY_ID"] == loaded.store.reader.key_id
    vault = loaded.store.env(loaded.store.vault)
    fs = pafs.S3FileSystem(
        access_key=vault["AWS_ACCESS_KEY_ID"],
        secret_key=vault["AWS_SECRET_ACCESS_KEY"],
        endpoint_override=loaded.store.endpoint.removeprefix("http://"),
        scheme="http",
        region=TEST_AWS["AWS_REGION"],
    )
    # the restricted table and its quarantine table are in the restricted zone's bucket
    assert fs.get_file_info(f"{RESTRICTED}/lake/environment/air_quality/_delta_log").type == (
        pafs.FileType.Directory
    )
    assert fs.get_file_info(
        f"{RESTRICTED}/lake/environment/air_quality__quarantine/_delta_log"
    ).type == (pafs.FileType.Directory)


def test_a_reader_with_shared_keys_reads_the_shared_zone(
    loaded: Loaded,
    as_reader: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shared = read("air_quality", "shared", date=D1, settings=as_reader)
    assert shared.num_rows == loaded.rows > 0
    monkeypatch.setenv("PUBDATA_CLEARANCE", "shared")
    query = "SELECT count(*) AS n FROM shared.environment.air_quality"
    assert main(["sql", "--format", "csv", query]) == 0
    assert capsys.readouterr().out.split() == ['"n"', str(loaded.rows)]


def test_the_store_refuses_the_restricted_objects_to_shared_keys(as_reader: Settings) -> None:
    uri = _restricted_uri(as_reader)
    options = zone_location(as_reader, Zone.RESTRICTED).storage_options
    with pytest.raises(OSError, match="403 Forbidden") as refused:
        DeltaTable(uri, storage_options=options)
    assert "AccessDenied" in str(refused.value)
    reader = as_reader.zone_store(Zone.RESTRICTED).s3
    fs = pafs.S3FileSystem(
        access_key=reader.access_key_id,
        secret_key=reader.secret_access_key,
        endpoint_override=(reader.endpoint or "").removeprefix("http://"),
        scheme="http",
        region=reader.region,
    )
    with pytest.raises(OSError, match="ACCESS_DENIED"):
        fs.open_input_file(
            f"{RESTRICTED}/lake/environment/air_quality/_delta_log/00000000000000000000.json"
        )


def test_pubdata_names_the_zone_and_table_the_store_refused(
    as_reader: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    uri = _restricted_uri(as_reader)
    expected = f"the object store refused this process's keys on the restricted zone's table {uri}"
    with pytest.raises(StoreRefused) as refused:
        read("air_quality", "restricted", settings=as_reader)
    assert str(refused.value) == f"{expected} (AccessDenied)"
    assert main(["sql", "SELECT count(*) FROM restricted.environment.air_quality"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    # the SQL endpoint opens every table the clearance covers: the first restricted one refuses
    assert f"on the restricted zone's table s3://{RESTRICTED}/lake/" in err
    assert "Traceback" not in err and "RequestId" not in err
