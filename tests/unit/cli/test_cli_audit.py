"""``pubdata audit``: the reads as a table or JSON, filtered; ``audit verify``'s exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from etl.access import hash_secret
from etl.access.config import write_access
from etl.audit import AccessEvent, Action, read_log, record_access
from etl.audit.log import SCHEMA, log_uri
from etl.cli.main import main
from etl.settings import Settings
from tests.conftest import make_settings

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    home = tmp_path / "home"
    monkeypatch.setenv("PUBDATA_HOME", str(home))
    monkeypatch.setenv("PUBDATA_TIMEZONE", "Asia/Shanghai")
    monkeypatch.delenv("PUBDATA_PRINCIPAL", raising=False)
    built = make_settings(home, PUBDATA_TIMEZONE="Asia/Shanghai")
    reads = [
        ("os:alice", Action.SQL, "shared.population.household_register", 120, "人口月报", 10),
        ("bi_superset", Action.SERVE, "shared.health.clinic_visits", 3000, None, 3),
        (
            "os:alice",
            Action.EXPORT,
            "restricted.population.household_register__quarantine",
            5,
            None,
            1,
        ),
    ]
    for who, action, table, rows, purpose, days_ago in reads:
        record_access(
            built,
            AccessEvent(
                who,
                action,
                (table,),
                ("xm",),
                rows=rows,
                purpose=purpose,
                origin="10.0.0.7" if action == Action.SERVE else "host-a:77",
                at=NOW - timedelta(days=days_ago),
            ),
        )
    return built


def test_the_report_is_a_table_in_local_time(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == [
        "when",
        "principal",
        "action",
        "tables",
        "rows",
        "purpose",
        "origin",
    ]
    assert len(lines) == 5
    assert "人口月报" in lines[2] and "os:alice" in lines[2] and "120" in lines[2]
    assert "10.0.0.7" in lines[3] and "serve" in lines[3]
    local = (NOW - timedelta(days=3)).astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S")
    assert local in lines[3]


def test_filters_by_principal_dataset_and_since(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "--principal", "os:alice", "--json"]) == 0
    assert [e["seq"] for e in json.loads(capsys.readouterr().out)] == [1, 3]
    assert main(["audit", "--dataset", "household_register", "--since", "5d", "--json"]) == 0
    (only,) = json.loads(capsys.readouterr().out)
    assert only["action"] == "export" and only["rows"] == 5 and only["columns"] == ["xm"]
    since = (NOW - timedelta(days=4)).astimezone(settings.zone).strftime("%Y-%m-%dT%H:%M:%S")
    assert main(["audit", "--since", since, "--json"]) == 0
    assert [e["seq"] for e in json.loads(capsys.readouterr().out)] == [2, 3]
    assert main(["audit", "--principal", "nobody"]) == 0
    assert capsys.readouterr().out.strip() == "no reads recorded that match"


def test_a_bad_since_is_one_line(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--since", "last week"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "pubdata: --since 'last week' is not an ISO-8601 time (e.g. 2024-06-02T08:00:00+08:00)"
    )


def test_verify_exits_0_with_count_and_head(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    head = read_log(settings).to_pylist()[-1]["hash"]
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.strip() == f"access log intact: 3 rows, head seq 3 {head}"


def test_verify_exits_1_naming_the_first_broken_seq(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = read_log(settings).to_pylist()
    rows[1]["rows"] = 30
    write_deltalake(log_uri(settings), pa.Table.from_pylist(rows, schema=SCHEMA), mode="overwrite")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out == "access log broken at seq 2: seq 2 was changed after it was recorded\n"
    assert main(["audit", "verify", "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["ok"], doc["broken_seq"], doc["rows"]) == (False, 2, 3)


def test_only_the_pipeline_reads_the_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_hash = hash_secret("s3cret", iterations=1000)
    write_access(
        settings.access_file,
        f"principals:\n  - name: analyst\n    secret_hash: {secret_hash}\n",
    )
    monkeypatch.setenv("PUBDATA_PRINCIPAL", "analyst")
    monkeypatch.setenv("PUBDATA_PRINCIPAL_SECRET", "s3cret")
    assert main(["audit"]) == 2
    assert capsys.readouterr().err.strip() == (
        "pubdata: principal analyst may not read the access log; only the pipeline's own user "
        "reads the access log"
    )
    assert main(["audit", "verify"]) == 0  # counts and a hash only
