"""Grants are the gate of every read: etl.read, pubdata sql and the CLI, for each principal."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from etl.access import AccessDenied, current_principal, hash_secret
from etl.access.config import write_access
from etl.cli.main import main
from etl.errors import ConfigError, PolicyError
from etl.lake import delta, meta_table_uri, zone_table_uri
from etl.local_time import today
from etl.read import granted_tables, read, sql, versions
from etl.read.access import dataset_tables, registry_of
from etl.settings import Settings
from tests.unit.other_user import NOBODY, NOBODY_LOGIN, reachable_root, run_as
from tests.unit.read.conftest import D1, Lake, build_lake, rows

SECRET = "bi-secret-for-the-tests"
OLD_SECRET = "old-report-secret-1"
LICENCES = """\
id: licences
title: 营业执照 licences
department: market_regulation
domain: market
source: {kind: file, format: csv, path: "mr/{ds}.csv"}
"""


def access_text(settings: Settings) -> str:
    day = today(settings.zone)
    return f"""
principals:
  - name: bi_superset
    secret_hash: {hash_secret(SECRET, iterations=1000)}
  - name: old_report
    secret_hash: {hash_secret(OLD_SECRET, iterations=1000)}
grants:
  - principal: bi_superset
    zones: [shared]
    domains: [population]
    expires: {day + timedelta(days=30)}
    purpose: 人口分布月报
  - principal: old_report
    zones: [shared, restricted]
    expires: {day - timedelta(days=1)}
"""


def granted_lake(root: Path) -> Lake:
    """The read tests' lake, a second domain's shared table, a _meta table and an access file."""
    lake = build_lake(root)
    settings = lake.settings
    (settings.registry / "licences.yaml").write_text(LICENCES, encoding="utf-8")
    uri = zone_table_uri(settings.lake, "shared", "market", "licences")
    delta.replace_partition(uri, rows(["某公司"], D1, "m1"), D1, {})
    delta.append(meta_table_uri(settings.lake, "lineage_runs"), pa.table({"dataset": ["people"]}))
    write_access(settings.access_file, access_text(settings))
    return lake


@pytest.fixture
def lake(tmp_path: Path) -> Lake:
    return granted_lake(tmp_path)


def as_principal(settings: Settings, name: str, secret: str) -> Settings:
    # restricted asked for: the grants, not the request, must be what refuses
    return replace(settings, principal=name, principal_secret=secret, clearance="restricted")


def test_a_named_principal_reads_its_granted_domains_shared_table_only(lake: Lake) -> None:
    bi = as_principal(lake.settings, "bi_superset", SECRET)
    assert read("people", settings=bi).num_rows == 4
    assert versions("people", settings=bi)
    refusals = {
        ("licences", "shared"): "shared.market.licences",
        ("people", "restricted"): "restricted.population.people",
        ("people", "quarantine"): "restricted.population.people__quarantine",
    }
    for (dataset, zone), table in refusals.items():
        for call in (read, versions):
            with pytest.raises(AccessDenied) as refused:
                call(dataset, zone=zone, settings=bi)  # type: ignore[operator]
            assert str(refused.value) == f"principal bi_superset has no grant for {table}"


def test_an_expired_grant_reads_nothing(lake: Lake) -> None:
    old = as_principal(lake.settings, "old_report", OLD_SECRET)
    yesterday = today(lake.settings.zone) - timedelta(days=1)
    with pytest.raises(AccessDenied, match=f"old_report's grant for .* expired on {yesterday}"):
        read("people", settings=old)
    _, catalog = sql.connect(old)
    # no active grant: not even the _meta tables (names and counts of what it may not read)
    assert (catalog.tables, catalog.meta) == ((), ())


def test_pubdata_sql_has_only_the_granted_tables(lake: Lake) -> None:
    bi = as_principal(lake.settings, "bi_superset", SECRET)
    con, catalog = sql.connect(bi)
    con.close()
    assert catalog.tables == ("shared.population.people",)
    assert catalog.meta == ("_meta.lineage_runs",)
    count = sql.query(bi, "SELECT count(*) AS n FROM shared.population.people")
    assert count["n"][0].as_py() == 4
    with pytest.raises(ConfigError, match="not granted to bi_superset") as refused:
        sql.query(bi, "SELECT * FROM shared.market.licences")
    assert "\n" not in str(refused.value)
    # the pipeline's own user sees every table its request covers
    _, everything = sql.connect(lake.settings)
    assert "shared.market.licences" in everything.tables
    # the access log (who read what) now exists: the pipeline's to read, not a principal's
    assert "_meta.access_log" in everything.meta
    assert sql.connect(bi)[1].meta == ("_meta.lineage_runs",)


def test_the_clearance_request_still_narrows_a_grant(lake: Lake) -> None:
    bi = replace(as_principal(lake.settings, "bi_superset", SECRET), clearance="open")
    with pytest.raises(AccessDenied, match="needs clearance shared; this caller asked for open"):
        read("people", settings=bi)


def test_an_os_user_is_decided_by_its_own_grants(lake: Lake) -> None:
    settings = replace(lake.settings, clearance="restricted")
    nobody = current_principal(settings, uid=NOBODY)
    assert nobody.name == f"os:{NOBODY_LOGIN}"
    refs = dataset_tables(settings, list(registry_of(settings).datasets.values()))
    decided = granted_tables(settings, refs, strict=False, meta=["_meta.x"], principal=nobody)
    assert decided.tables == () and decided.meta == ()
    assert set(decided.refused.values()) == {
        f"principal os:{NOBODY_LOGIN} has no grant for {ref.sql_name}" for ref in refs
    }
    with pytest.raises(
        AccessDenied, match=f"os:{NOBODY_LOGIN} has no grant for restricted.market.licences"
    ):
        granted_tables(settings, refs, strict=True, principal=nobody)


def _cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("PUBDATA_HOME", str(settings.home))
    monkeypatch.setenv("PUBDATA_LAKE", settings.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(settings.registry))
    monkeypatch.setenv("PUBDATA_CLEARANCE", "restricted")


def test_the_cli_reads_as_the_named_principal(
    lake: Lake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _cli_env(monkeypatch, lake.settings)
    monkeypatch.setenv("PUBDATA_PRINCIPAL", "bi_superset")
    monkeypatch.setenv("PUBDATA_PRINCIPAL_SECRET", SECRET)
    assert main(["sql", "--tables"]) == 0
    listed = capsys.readouterr().out
    assert "shared.population.people" in listed
    assert "market" not in listed and "restricted." not in listed
    assert main(["sql", "SELECT count(*) FROM restricted.population.people"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not granted to bi_superset" in err
    assert main(["access", "whoami"]) == 0
    me = capsys.readouterr().out
    assert "bi_superset (named)" in me and "人口分布月报" in me
    assert "zones      shared\n" in me  # restricted was asked for, not granted
    assert main(["access", "grants"]) == 2  # every grant: the pipeline's user only
    assert "principal bi_superset may not list the grants" in capsys.readouterr().err
    monkeypatch.setenv("PUBDATA_PRINCIPAL_SECRET", "wrong")
    assert main(["sql", "--tables"]) == 2
    assert "unknown in" in capsys.readouterr().err


@pytest.fixture
def reachable_lake() -> Iterator[Lake]:
    root = reachable_root()
    try:
        yield granted_lake(root)
    finally:
        shutil.rmtree(root)


def test_an_os_user_without_grants_is_refused_by_the_cli(reachable_lake: Lake) -> None:
    settings = reachable_lake.settings
    env = {
        "PUBDATA_HOME": str(settings.home),
        "PUBDATA_LAKE": settings.lake,
        "PUBDATA_REGISTRY": str(settings.registry),
        "PUBDATA_TOKEN_KEY": "test:" + "x" * 44,
    }
    query = "from etl.cli.main import main; raise SystemExit(main({argv!r}))"
    count = query.format(argv=["sql", "SELECT count(*) FROM shared.population.people"])

    code, out = run_as(NOBODY, count, env)
    # the access file is the pipeline's own (0600): nothing can be checked, nothing is read
    assert code == 2, out
    assert out.strip() == (
        f"pubdata: access file {settings.access_file} is not readable by this OS user "
        f"(uid {NOBODY}); no grant can be checked, so nothing is readable"
    )
    settings.access_file.chmod(0o644)  # readable, still written by the pipeline's user only
    code, out = run_as(NOBODY, count, env)
    assert code == 2, out
    assert f"not granted to os:{NOBODY_LOGIN}" in out and out.count("\n") == 1
    code, out = run_as(NOBODY, query.format(argv=["access", "whoami"]), env)
    assert code == 0, out
    assert f"os:{NOBODY_LOGIN} (os)" in out and "nothing is readable" in out


def test_a_misbehaving_principal_is_one_line(lake: Lake) -> None:
    with pytest.raises(PolicyError, match="principal 'ghost': unknown in"):
        read("people", settings=as_principal(lake.settings, "ghost", "x" * 20))


def test_grants_are_checked_against_the_day_in_the_settings_zone(lake: Lake) -> None:
    assert today(lake.settings.zone) in {date.today() + timedelta(days=d) for d in (-1, 0, 1)}
