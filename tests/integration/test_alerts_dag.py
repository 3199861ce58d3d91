"""Alerts through Airflow: a failed run and a quality warning each arrive by e-mail and bot.

The sample ``household_register`` DAG runs through ``pubdata run`` (the DAG runner) with
``AIRFLOW_CONN_*`` variables pointing at an SMTP server and an HTTP server this test starts:
2024-06-01 succeeds with 5 of 1,500 rows quarantined (above the test's quality threshold), and
2024-07-15's delivery has a header the pipeline reserves for itself, so extract fails inside the
run. (A delivery that is missing altogether is answered by ``pubdata run`` before Airflow starts,
so it raises no alert; a scheduled run of it does, through the same callback.)
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.conftest import cli_for
from tests.unit.alerts.servers import (
    HookServer,
    SmtpServer,
    personal_values,
    start_hook,
    start_smtp,
)

pytestmark = pytest.mark.integration

ALERTS_YAML = """
airflow_url: http://airflow.test:8080
channels:
  email_ops: {kind: email, conn_id: pubdata_smtp, to: [ops@example.gov.cn]}
  wecom_ops: {kind: webhook, conn_id: pubdata_wecom, format: wecom, retries: 0}
"""


@pytest.fixture
def servers() -> Iterator[tuple[SmtpServer, HookServer]]:
    controller, smtp = start_smtp()
    httpd, hook = start_hook()
    try:
        yield smtp, hook
    finally:
        controller.stop()
        httpd.shutdown()
        httpd.server_close()


def registry(root: Path) -> Path:
    source = REPO / "datasets" / "public_security" / "household_register.yaml"
    text = source.read_text(encoding="utf-8")
    assert "quality_threshold: 0.05" in text
    target = root / "public_security" / "household_register.yaml"
    target.parent.mkdir(parents=True)
    # 5 of 1,500 rows quarantined is 0.33%: above this threshold, a quality warning
    target.write_text(text.replace("quality_threshold: 0.05", "quality_threshold: 0.001"), "utf-8")
    (root / "alerts.yaml").write_text(ALERTS_YAML, encoding="utf-8")
    return root


def test_failure_and_quality_warning_arrive_on_both_channels(
    tmp_path: Path, servers: tuple[SmtpServer, HookServer]
) -> None:
    smtp, hook = servers
    reg = registry(tmp_path / "registry")
    landing = tmp_path / "landing" / "public_security" / "household_register"
    landing.mkdir(parents=True)
    delivered = REPO / "samples/landing/public_security/household_register/2024-06-01.csv"
    shutil.copy(delivered, landing / "2024-06-01.csv")
    header, _, rest = delivered.read_bytes().partition(b"\n")
    (landing / "2024-07-15.csv").write_bytes(header.replace(b"hh", b"_run_id") + b"\n" + rest)
    smtp_conn = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp.port,
        "extra": {"from_email": "pubdata@example.gov.cn", "disable_ssl": True, "disable_tls": True},
    }
    hook_conn = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": hook.port,
        "extra": {"endpoint": "/cgi-bin/webhook/send", "params": {"key": "k-it"}},
    }
    cli = cli_for(
        tmp_path / "home", PUBDATA_REGISTRY=str(reg), PUBDATA_LANDING=str(tmp_path / "landing")
    )
    cli.env["AIRFLOW_CONN_PUBDATA_SMTP"] = json.dumps(smtp_conn)
    cli.env["AIRFLOW_CONN_PUBDATA_WECOM"] = json.dumps(hook_conn)
    code, ok, _ = cli.run_json("household_register", "2024-06-01")
    code_late, failed, _ = cli.run_json("household_register", "2024-07-15")
    assert code == 0 and ok["status"] == "success" and ok["rows_quarantined"] == 5
    assert code_late == 1 and failed["status"] == "failed" and failed["stage"] == "extract"

    # order by kind (quality, then failure) on each channel
    def order(text: str) -> bool:
        return "运行失败" in text

    mails = sorted(
        (
            email.message_from_bytes(e.original_content, policy=email.policy.default)  # type: ignore[misc]
            for e in smtp.handler.envelopes
        ),
        key=lambda m: order(str(m["Subject"])),
    )
    title = "户籍人口登记 (household register) (household_register)"
    assert [str(m["Subject"]) for m in mails] == [
        f"[pubdata] 质量告警 quality warning: {title}",
        f"[pubdata] 运行失败 run failed: {title}",
    ]
    bodies = [m.get_content() for m in mails]
    posts = sorted((r.body["markdown"]["content"] for r in hook.requests), key=order)
    assert [r.query for r in hook.requests] == [{"key": "k-it"}] * 2
    assert "质量告警" in posts[0] and "运行失败" in posts[1]
    for text, summary in zip(bodies + posts, [ok, failed] * 2, strict=True):
        assert title in text
        assert "市公安局 (public_security)" in text
        assert "ingest__public_security__household_register" in text
        assert summary["run_id"] in text
        assert (
            "http://airflow.test:8080/dags/ingest__public_security__household_register/runs/"
            in text
        )
    assert "5 of 1500 rows (0.33%) went to quarantine" in bodies[0]
    assert "`pubdata quarantine household_register --date 2024-06-01`" in posts[0]
    assert "failed at extract" in bodies[1] and "2024-07-15" in posts[1]
    personal = personal_values()
    everything = "\n".join([*bodies, *posts, *(m.as_string() for m in mails)])
    assert [v for v in personal if v in everything] == []
    shutil.rmtree(tmp_path / "home" / "staging", ignore_errors=True)  # raw values: remove now
