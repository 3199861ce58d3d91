"""``pubdata audit check``: a finding goes out through a real channel once, with no value."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from etl.audit import AccessEvent, Action, record_access
from etl.audit.findings import recorded_findings
from etl.cli.main import main
from tests.conftest import make_settings
from tests.unit.alerts.servers import HookServer
from tests.unit.audit.test_tokens import record_tokenized

TABLE = "shared.population.household_register"
SECRET = "110101199003071234"
ALERTS = """
channels:
  wecom_ops:
    kind: webhook
    conn_id: ops_wecom
    format: wecom
    retries: 0
audit:
  channels: [wecom_ops]
  rules:
    bulk_token_rows: 500
"""


@pytest.fixture
def home(tmp_path: Path, hook: HookServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "alerts.yaml").write_text(ALERTS, encoding="utf-8")
    env = {
        "PUBDATA_HOME": str(tmp_path / "home"),
        "PUBDATA_REGISTRY": str(registry),
        "AIRFLOW_CONN_OPS_WECOM": f"http://127.0.0.1:{hook.port}/?endpoint=%2Fhook",
        "PUBDATA_TIMEZONE": "Asia/Shanghai",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return tmp_path / "home"


def test_a_bulk_token_read_alerts_once_through_the_webhook(
    home: Path, hook: HookServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(home, PUBDATA_REGISTRY=str(home.parent / "registry"))
    record_tokenized(settings)
    at = datetime.now(UTC) - timedelta(hours=1)
    # the purpose holds a value by mistake: no alert may carry it
    record_access(
        settings,
        AccessEvent("os:alice", Action.SQL, (TABLE,), ("gmsfhm",), rows=800, purpose=SECRET, at=at),
    )
    record_access(settings, AccessEvent("os:bob", Action.SQL, (TABLE,), ("xm",), rows=800, at=at))
    assert main(["audit", "check", "--since", "2d", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    bulk = [f for f in out["findings"] if f["rule"] == "bulk_token"]
    assert [(f["principal"], f["rows"], f["delivery"]) for f in bulk] == [
        ("os:alice", 800, "wecom_ops:sent")
    ]
    sent = [r.body["markdown"]["content"] for r in hook.requests]
    assert len(sent) == len(out["findings"])
    text = next(t for t in sent if "bulk_token" in t)
    assert "os:alice" in text and "800" in text and "pubdata audit --principal os:alice" in text
    assert all(SECRET not in t for t in sent)
    # the next check raises nothing again
    hook.requests.clear()
    assert main(["audit", "check", "--since", "2d"]) == 0
    assert "no new findings" in capsys.readouterr().out
    assert hook.requests == []
    assert len(recorded_findings(settings)) == len(out["findings"])


def test_without_channels_findings_are_recorded_and_printed(
    home: Path, hook: HookServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (home.parent / "registry" / "alerts.yaml").write_text("channels: {}\n", encoding="utf-8")
    settings = make_settings(home, PUBDATA_REGISTRY=str(home.parent / "registry"))
    lookups = datetime.now(UTC) - timedelta(minutes=30)
    for n in range(21):
        record_access(
            settings,
            AccessEvent(
                "os:carol",
                Action.ENTITY,
                (TABLE,),
                rows=1,
                token_lookups=1,
                at=lookups + timedelta(seconds=n),
            ),
        )
    assert main(["audit", "check"]) == 0
    out = capsys.readouterr().out
    assert "token_lookups" in out and "os:carol" in out and "no channel" in out
    assert hook.requests == []
