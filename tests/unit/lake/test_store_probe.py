from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from etl.errors import ConfigError, TransientError
from etl.lake import delta, store_probe
from tests.s3_server import free_port, make_bucket
from tests.unit.lake.conftest import CarelessStore, s3_for


def _objects(endpoint: str, bucket: str) -> list[str]:
    import boto3

    listing = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).list_objects_v2(Bucket=bucket)
    return [o["Key"] for o in listing.get("Contents", [])]


def test_moto_honours_if_none_match_and_the_probe_cleans_up(moto_threaded: str) -> None:
    make_bucket(moto_threaded, "pubdata-probe")
    store_probe.probe("s3://pubdata-probe/lake/shared/d/t", s3_for(moto_threaded))
    assert _objects(moto_threaded, "pubdata-probe") == []


def test_the_verdict_is_cached_per_endpoint_and_bucket(moto_threaded: str) -> None:
    make_bucket(moto_threaded, "pubdata-probe")
    s3 = s3_for(moto_threaded)
    store_probe.probe("s3://pubdata-probe/lake", s3)
    # The bucket is gone, but the store already passed: no second probe for this bucket.
    import boto3

    boto3.resource(
        "s3",
        endpoint_url=moto_threaded,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).Bucket("pubdata-probe").delete()
    store_probe.probe("s3://pubdata-probe/lake/_meta/lineage_runs", s3)
    # Another bucket on the same endpoint is probed on its own (and does not exist).
    with pytest.raises(ConfigError, match="pubdata-other"):
        store_probe.probe("s3://pubdata-other/lake", s3)


def test_a_store_that_ignores_if_none_match_is_refused_naming_it(
    careless_store: CarelessStore,
) -> None:
    s3 = s3_for(careless_store.endpoint)
    with pytest.raises(ConfigError) as refused:
        store_probe.probe("s3://pubdata-lake/lake", s3)
    message = str(refused.value)
    assert careless_store.endpoint in message
    assert "If-None-Match" in message
    puts = [r for r in careless_store.requests if r[0] == "PUT"]
    assert len(puts) == 2
    assert all(header == "*" for _, _, header in puts)
    assert all(path.startswith("/pubdata-lake/lake/_pubdata_probe/") for _, path, _ in puts)
    # Cached: the refusal comes back without asking the store again.
    seen = len(careless_store.requests)
    with pytest.raises(ConfigError, match="ignores If-None-Match"):
        store_probe.probe("s3://pubdata-lake/lake/shared/x/y", s3)
    assert len(careless_store.requests) == seen


def test_no_commit_reaches_a_store_that_ignores_if_none_match(
    careless_store: CarelessStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ENDPOINT_URL": careless_store.endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    rows = pa.table({"v": ["a"], "_logical_date": pa.array([date(2024, 6, 1)], pa.date32())})
    with pytest.raises(ConfigError, match="ignores If-None-Match"):
        delta.append("s3://pubdata-lake/lake/_meta/lineage_runs", rows)
    assert not [r for r in careless_store.requests if "_delta_log" in r[1]]


def test_an_unreachable_store_is_transient_and_not_cached() -> None:
    s3 = s3_for(f"http://127.0.0.1:{free_port()}")
    for _ in range(2):
        with pytest.raises(TransientError, match="cannot reach"):
            store_probe.probe("s3://pubdata-lake/lake", s3)
