"""pubdata access: whoami, grants, hash-secret and check, as the pipeline's user and others."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from etl.access import hash_secret, verify_secret
from etl.access.config import write_access
from etl.cli.main import main

ACCESS = """\
principals:
  - name: bi_superset
    secret_hash: {hash}
  - name: idle_account
    secret_hash: {hash}
grants:
  - principal: bi_superset
    zones: [shared]
    domains: [population]
    expires: 2999-06-30
    purpose: 人口分布月报
    document: 市数发〔2026〕12号
  - principal: bi_superset
    zones: [restricted]
    datasets: [household_register]
    expires: 2020-01-31
  - principal: os:analyst
    zones: [open]
    expires: 2999-01-31
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    write_access(
        home / "access.yaml", ACCESS.format(hash=hash_secret("bi-secret-12345", iterations=1000))
    )
    for name in ("PUBDATA_PRINCIPAL", "PUBDATA_PRINCIPAL_SECRET", "PUBDATA_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PUBDATA_HOME", str(home))
    monkeypatch.delenv("PUBDATA_ACCESS", raising=False)
    return home


def test_grants_lists_every_grant_with_its_state(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["access", "grants", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["principal"], r["state"]) for r in rows] == [
        ("bi_superset", "active"),
        ("bi_superset", "expired"),
        ("os:analyst", "active"),
    ]
    assert main(["access", "grants", "--principal", "os:analyst"]) == 0
    out = capsys.readouterr().out
    assert "os:analyst" in out and "bi_superset" not in out
    assert main(["access", "grants", "--principal", "idle_account"]) == 2
    assert "principal idle_account has no grant in" in capsys.readouterr().err


def test_whoami_of_the_pipeline_and_of_a_named_principal(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_CLEARANCE", "restricted")
    assert main(["access", "whoami", "--json"]) == 0
    me = json.loads(capsys.readouterr().out)
    assert (me["kind"], me["zones"]) == ("pipeline", ["open", "shared", "restricted"])
    monkeypatch.setenv("PUBDATA_PRINCIPAL", "bi_superset")
    monkeypatch.setenv("PUBDATA_PRINCIPAL_SECRET", "bi-secret-12345")
    assert main(["access", "whoami", "--json"]) == 0
    bi = json.loads(capsys.readouterr().out)
    # the expired restricted grant is not active: only shared
    assert (bi["principal"], bi["kind"], bi["zones"]) == ("bi_superset", "named", ["shared"])
    assert [g["document"] for g in bi["grants"]] == ["市数发〔2026〕12号"]


def test_hash_secret_reads_stdin_and_prints_a_hash_that_verifies(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-secret\n"))
    assert main(["access", "hash-secret"]) == 0
    out = capsys.readouterr().out
    assert "a-long-enough-secret" not in out
    assert verify_secret("a-long-enough-secret", out.strip())
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["access", "hash-secret"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err


def test_check_validates_the_file_naming_file_line_and_field(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["access", "check"]) == 0
    out = capsys.readouterr().out
    assert "ok; 2 named principals, 3 grants (2 active, 1 expired)" in out
    assert "principals without a grant (they read nothing): idle_account" in out
    path = home / "access.yaml"
    write_access(
        path, "grants:\n  - principal: os:a\n    zones: [secret]\n    expires: 2027-01-01\n"
    )
    assert main(["access", "check"]) == 2
    err = capsys.readouterr().err
    assert "access.yaml" in err and "line 3" in err and "zones" in err
    path.chmod(0o664)
    assert main(["access", "check"]) == 2
    assert "writable by group or others" in capsys.readouterr().err
    path.unlink()
    assert main(["access", "check"]) == 0
    assert "absent; no grants" in capsys.readouterr().out


def test_check_refuses_a_grant_that_outlives_its_product(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the consumer of the sample product relief_recipients (ends 2025-06-30) reads under its
    # authorisation document: a grant made under it may not last longer
    linked = ACCESS + (
        "  - principal: os:consumer\n    zones: [open]\n    expires: 2026-12-31\n"
        "    document: 武数授〔2024〕15号\n"
    )
    write_access(home / "access.yaml", linked.format(hash=hash_secret("x" * 12, iterations=1000)))
    assert main(["access", "check"]) == 1
    err = capsys.readouterr().err
    assert (
        "grant to os:consumer (document 武数授〔2024〕15号) lasts until 2026-12-31, after "
        "product relief_recipients ends on 2025-06-30: end it with the product"
    ) in err
