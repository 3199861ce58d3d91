"""Alert composition from a real run: what each alert names, and that no personal value leaks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from etl.alerts import RunRef, deadline_alert, failure_alert, run_alerts, run_url
from etl.alerts.compose import drift_alert, important_alert, quality_alert
from etl.alerts.email import build_message
from etl.alerts.webhook import payload
from etl.classify.drift import Drift
from etl.classify.rule_settings import RuleSettings
from etl.classify.scale import PersonCount, scale_rule
from etl.registry import AlertsSpec, EmailChannel, WebhookChannel
from etl.runtime.records import RunSummary
from tests.unit.alerts.servers import RealRun

RUN = RunRef(
    dag_id="ingest__public_security__household_register",
    run_id="manual__2024-06-01T00:00:00+00:00",
    logical_date="2024-06-01",
    url=run_url(
        "http://airflow.example:8080/",
        "ingest__public_security__household_register",
        "manual__2024-06-01T00:00:00+00:00",
    ),
)


def typed(summary: dict[str, Any]) -> RunSummary:
    """The summary as the alerts get it: the record step's report, back to its type."""
    return RunSummary.model_validate(summary)


def every_rendering(alert: object) -> str:
    """Plain text, markdown, both bot payloads and the raw e-mail: what leaves the machine."""
    email = EmailChannel(kind="email", conn_id="smtp", to=["ops@example.gov.cn"])
    texts = [alert.plain(), alert.markdown()]  # type: ignore[attr-defined]
    for fmt in ("wecom", "dingtalk"):
        channel = WebhookChannel(kind="webhook", conn_id="hook", format=fmt)
        texts.append(json.dumps(payload(channel, alert), ensure_ascii=False))  # type: ignore[arg-type]
    message = build_message(email, "pubdata@example.gov.cn", alert)  # type: ignore[arg-type]
    texts.append(message.as_string())
    texts.append(message.get_content())
    return "\n".join(texts)


def test_run_url_quotes_the_run_id() -> None:
    assert RUN.url == (
        "http://airflow.example:8080/dags/ingest__public_security__household_register/runs/"
        "manual__2024-06-01T00%3A00%3A00%2B00%3A00"
    )
    assert run_url(None, "d", "r") is None


def test_failure_alert_names_dataset_run_and_what_to_do(real_run: RealRun) -> None:
    reason = "household_register failed at validate: expectation expect_table_row_count (table)"
    alert = failure_alert(real_run.dataset, RUN, "validate", reason)
    assert alert.kind == "failure" and alert.severity == "critical"
    text = alert.plain()
    for part in (
        "户籍人口登记 (household register) (household_register)",
        "市公安局 (public_security)",
        RUN.dag_id,
        RUN.run_id,
        "2024-06-01",
        RUN.url,
        reason,
        "`pubdata run household_register --date 2024-06-01`",
        "`pubdata quarantine household_register`",
    ):
        assert part in text, part
    assert f"[{RUN.run_id}]({RUN.url})" in alert.markdown()


def test_not_delivered_alert_says_who_should_deliver(real_run: RealRun) -> None:
    reason = (
        "source not delivered: public_security/household_register/2024-06-01.csv (waited 60 min)"
    )
    alert = failure_alert(real_run.dataset, RUN, "wait_for_source", reason, not_delivered=True)
    assert alert.kind == "not_delivered"
    text = alert.plain()
    assert "数据未按时报送" in alert.title and reason in text
    assert "ask 市公安局 (public_security) to deliver the file for 2024-06-01" in text


def test_deadline_alert(real_run: RealRun) -> None:
    alert = deadline_alert(real_run.dataset, RUN, 90)
    assert alert.kind == "not_delivered" and "90 min after it was queued" in alert.plain()


def test_quality_alert_above_threshold_lists_checks_and_reason_codes(real_run: RealRun) -> None:
    summary = real_run.summary
    assert (summary["rows_in"], summary["rows_quarantined"]) == (1500, 5)
    alert = quality_alert(real_run.dataset, RUN, typed(summary), real_run.folder, threshold=0.001)
    assert alert is not None and alert.kind == "quality"
    text = alert.plain()
    assert "5 of 1500 rows (0.33%) went to quarantine" in text
    assert "1500 in, 1495 loaded, 5 quarantined" in text
    assert "0.33% (threshold 0.10%)" in text
    assert "expect_column_values_to_match_regex(gmsfhm): 3 rows" in text
    assert "expect_column_values_to_not_be_null(xm): 2 rows" in text
    assert "`pubdata quarantine household_register --date 2024-06-01`" in text
    # the fix commands run as shown, the pages' and the CLI's own
    assert (
        "`PUBDATA_CLEARANCE=restricted pubdata quarantine household_register --date 2024-06-01 "
        "--export household_register_2024-06-01_quarantine.csv`" in text
    )
    # at or below the threshold: no alert
    assert quality_alert(real_run.dataset, RUN, typed(summary), real_run.folder, 0.05) is None
    assert quality_alert(real_run.dataset, RUN, typed(summary), real_run.folder, 5 / 1500) is None


def test_failed_warn_check_beyond_the_threshold_is_a_quality_warning(
    real_run: RealRun, tmp_path: Path
) -> None:
    # the real results, with the ID-number check declared `warn` (it then quarantines nothing)
    folder = tmp_path / "staging"
    shutil.copytree(real_run.folder, folder)
    path = folder / "validation.json"
    validation = json.loads(path.read_text(encoding="utf-8"))
    [check] = [
        r
        for r in validation["results"]
        if r["reason"].startswith("expect_column_values_to_match_regex(gmsfhm")
    ]
    check["severity"] = "warn"
    path.write_text(json.dumps(validation), encoding="utf-8")
    summary = {**real_run.summary, "rows_quarantined": 0, "rows_loaded": 1500}
    share = check["unexpected_percent"] / 100
    assert share > 0
    alert = quality_alert(real_run.dataset, RUN, typed(summary), folder, threshold=share / 2)
    assert alert is not None
    assert "1 warning check(s) failed beyond" in alert.headline
    assert "expect_column_values_to_match_regex(gmsfhm): 3 rows (warn)" in alert.plain()
    assert quality_alert(real_run.dataset, RUN, typed(summary), folder, threshold=share) is None


def test_drift_alert_names_columns_and_the_registry_fix(real_run: RealRun) -> None:
    held = [
        Drift(column="lxdh", previous="phone/L3", current="none/L1").message,
        Drift(column="bz", previous=None, current="phone/L3").message,
    ]
    alert = drift_alert(real_run.dataset, RUN, typed({**real_run.summary, "held": held}))
    assert alert is not None and alert.kind == "drift"
    text = alert.plain()
    assert "column 'lxdh' changed from phone/L3 to none/L1" in text
    assert (
        "`pubdata review confirm household_register lxdh --category none --grade L1 "
        '--reason "…"`' in text
    )
    assert "classification.columns in datasets/public_security/household_register.yaml" in text
    assert "`pubdata run household_register --date 2024-06-01`" in text
    assert drift_alert(real_run.dataset, RUN, typed(real_run.summary)) is None


def test_drift_alert_fires_on_withheld_columns_with_the_confirm_command(
    real_run: RealRun,
) -> None:
    withheld = [
        {"column": "hh", "category": "mobile_phone", "grade": "L3", "values": 40, "checked": 50}
    ]
    alert = drift_alert(real_run.dataset, RUN, typed({**real_run.summary, "withheld": withheld}))
    assert alert is not None and alert.kind == "drift"
    assert "1 column(s) withheld from shared/open" in alert.headline
    text = every_rendering(alert)
    assert "hh: looks like mobile_phone (40 of 50 values checked)" in text
    assert (
        "`pubdata review confirm household_register hh --category mobile_phone --grade L3 "
        '--reason "…"`' in text
    )
    assert "--category none --grade L1" in text
    assert "`pubdata review --dataset household_register`" in text
    leaked = sorted(v for v in real_run.personal if v in text)
    assert leaked == []
    assert drift_alert(real_run.dataset, RUN, typed({**real_run.summary, "withheld": []})) is None


def imp_staging(real_run: RealRun, tmp_path: Path) -> tuple[dict, Path]:
    """The real run as if R5 had fired: its classification with the engine's own R5 text."""
    folder = tmp_path / "staging"
    shutil.copytree(real_run.folder, folder)
    rule = scale_rule(PersonCount("gmsfhm", 1500, 391), RuleSettings(persons_important=1000))
    assert rule is not None
    path = folder / "classification.json"
    classification = json.loads(path.read_text(encoding="utf-8"))
    classification["rules"].append(rule.to_dict())
    classification["flags"] = ["IMP"]
    path.write_text(json.dumps(classification, ensure_ascii=False), encoding="utf-8")
    return {**real_run.summary, "flags": ["IMP"]}, folder


def test_important_alert(real_run: RealRun, tmp_path: Path) -> None:
    assert important_alert(real_run.dataset, RUN, typed(real_run.summary), real_run.folder) is None
    summary, folder = imp_staging(real_run, tmp_path)
    alert = important_alert(real_run.dataset, RUN, typed(summary), folder)
    assert alert is not None and alert.kind == "important"
    text = alert.plain()
    assert "重要数据 (IMP) candidate; loaded to the restricted zone only" in text
    assert "R5 scale: 1,500 distinct persons ≥ 1,000 (by 'gmsfhm')" in text
    assert "classification.important: true" in text
    assert "classification.rules.persons_important" in text
    # declared important in the registry: decided, no alert on every run
    declared = real_run.dataset.model_copy(
        update={
            "classification": real_run.dataset.classification.model_copy(update={"important": True})
        }
    )
    assert important_alert(declared, RUN, typed(summary), folder) is None


def test_run_alerts_follow_the_spec(real_run: RealRun, tmp_path: Path) -> None:
    summary, folder = imp_staging(real_run, tmp_path)
    summary["held"] = [Drift(column="lxdh", previous="phone/L3", current="none/L1").message]
    everything = AlertsSpec(channels=["ops"], quality_threshold=0.0)
    kinds = [a.kind for a in run_alerts(real_run.dataset, everything, RUN, typed(summary), folder)]
    assert kinds == ["quality", "drift", "important"]
    only_drift = AlertsSpec(channels=["ops"], on=["failure", "drift"], quality_threshold=0.0)
    kinds = [a.kind for a in run_alerts(real_run.dataset, only_drift, RUN, typed(summary), folder)]
    assert kinds == ["drift"]
    default = AlertsSpec(channels=["ops"])  # 5% threshold, a clean run: nothing to say
    assert (
        run_alerts(real_run.dataset, default, RUN, typed(real_run.summary), real_run.folder) == []
    )


def test_no_personal_value_in_any_alert(real_run: RealRun, tmp_path: Path) -> None:
    summary, folder = imp_staging(real_run, tmp_path)
    summary["held"] = [Drift(column="lxdh", previous="phone/L3", current="none/L1").message]
    spec = AlertsSpec(channels=["ops"], quality_threshold=0.0)
    alerts = run_alerts(real_run.dataset, spec, RUN, typed(summary), folder)
    alerts.append(failure_alert(real_run.dataset, RUN, "validate", "too many rows quarantined"))
    assert len(alerts) == 4
    assert len(real_run.personal) > 1000  # names, ID numbers, phones, addresses of the sample
    for alert in alerts:
        text = every_rendering(alert)
        leaked = sorted(v for v in real_run.personal if v in text)
        assert leaked == [], f"{alert.kind} alert carries personal values: {len(leaked)}"
