"""The registry's ``alerts:`` section and ``alerts.yaml``: closed, cross-checked, loud."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from etl.registry import AlertsSpec, load_registry

DATASET = (
    "id: {id}\ntitle: t\ndepartment: dept\ndomain: d\n"
    "source: {{kind: file, format: csv, path: 'x/{{ds}}.csv'}}\n"
)
CHANNELS = """
channels:
  email_ops: {kind: email, conn_id: ops_smtp, to: [ops@example.gov.cn]}
  wecom_ops: {kind: webhook, conn_id: ops_wecom, format: wecom}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_alerts_section_with_a_bare_on_key(tmp_path: Path) -> None:
    write(tmp_path, "alerts.yaml", CHANNELS)
    write(
        tmp_path,
        "dept/a.yaml",
        DATASET.format(id="a")
        + "alerts:\n  channels: [email_ops, wecom_ops]\n  on: [failure, quality]\n"
        "  quality_threshold: 0.1\n  deadline_minutes: 90\n",
    )
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    spec = registry.get("a").alerts
    assert spec is not None
    assert spec.on == ["failure", "quality"]  # YAML's `on` (a boolean to PyYAML) means the word
    assert (spec.quality_threshold, spec.deadline_minutes) == (0.1, 90)
    assert set(registry.alerts.channels) == {"email_ops", "wecom_ops"}
    assert "alerts" not in registry.datasets  # alerts.yaml is not a dataset


def test_defaults_and_absent_section(tmp_path: Path) -> None:
    spec = AlertsSpec(channels=["x"])
    assert spec.on == ["failure", "not_delivered", "quality", "drift", "important"]
    assert spec.quality_threshold == 0.05 and spec.deadline_minutes is None
    write(tmp_path, "dept/b.yaml", DATASET.format(id="b"))
    registry = load_registry(tmp_path)
    assert registry.problems == () and registry.get("b").alerts is None
    assert registry.alerts.channels == {}


def test_unknown_channel_is_a_problem_naming_file_and_field(tmp_path: Path) -> None:
    write(tmp_path, "alerts.yaml", CHANNELS)
    path = write(
        tmp_path, "dept/c.yaml", DATASET.format(id="c") + "alerts: {channels: [email_ops, sms]}\n"
    )
    registry = load_registry(tmp_path)
    [problem] = registry.problems
    assert (problem.path, problem.field) == (path, "alerts.channels.1")
    assert "unknown channel 'sms'" in problem.message and "email_ops, wecom_ops" in problem.message
    assert "c" in registry.datasets  # the dataset keeps its DAG; its alerts skip the channel


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("channels: {x: {kind: sms, conn_id: c}}", "channels.x", "tag 'sms'"),
        ("channels: {x: {kind: email, conn_id: c, to: [nobody]}}", "channels.x.to.0", ""),
        (
            "channels: {x: {kind: webhook, conn_id: c, format: slack}}",
            "channels.x.format",
            "",
        ),
        (
            "channels: {x: {kind: webhook, conn_id: c, url: 'http://h'}}",
            "channels.x.url",
            "unknown key",
        ),
        ("airflow_url: ftp://x", "airflow_url", ""),
        ("[not, a, mapping]", None, "mapping"),
    ],
)
def test_broken_alerts_yaml_is_named(
    tmp_path: Path, text: str, field: str | None, words: str
) -> None:
    path = write(tmp_path, "alerts.yaml", text)
    registry = load_registry(tmp_path)
    assert registry.problems, text
    problem = registry.problems[0]
    assert problem.path == path
    assert problem.field == field
    assert words in problem.message


@pytest.mark.parametrize(
    "section",
    [
        {"channels": []},
        {"channels": ["x"], "on": ["failure", "paged"]},
        {"channels": ["x"], "quality_threshold": 1.5},
        {"channels": ["x"], "deadline_minutes": 0},
        {"channels": ["x"], "extra": 1},
        {"channels": ["Bad-Name"]},
    ],
)
def test_alerts_section_is_closed_and_checked(section: dict) -> None:
    with pytest.raises(ValidationError):
        AlertsSpec.model_validate(section)


def test_repository_samples_use_defined_channels() -> None:
    root = Path(__file__).resolve().parents[3] / "datasets"
    registry = load_registry(root)
    assert registry.problems == ()
    with_alerts = {d.id for d in registry.datasets.values() if d.alerts is not None}
    assert {"household_register", "clinic_visits"} <= with_alerts
