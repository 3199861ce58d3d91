"""Suite checks for `pubdata registry check`: every problem, file and expectation named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.cli.main import main
from etl.registry import load_registry
from etl.validate.check import check_registry_suites, check_suite_file
from tests.conftest import REPO, make_settings

BAD = {
    "name": "x",
    "extra": 1,
    "expectations": [
        {"type": "expect_column_values_to_be_unicorns", "kwargs": {"column": "a"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "zz", "min_value": 1}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_valu": 1}},
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["a", "q"]}},
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "a"},
            "meta": {"severity": "loud"},
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
    ],
}


def test_every_problem_is_reported_with_file_and_expectation(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(BAD), encoding="utf-8")
    problems = [str(p) for p in check_suite_file(path, {"a", "b"})]
    assert problems == [
        f"{path}: unknown suite keys ['extra']",
        f"{path}: expectation #0 (expect_column_values_to_be_unicorns): unknown expectation type",
        f"{path}: expectation #1 (expect_column_values_to_be_between): column 'zz' is not "
        "declared in the dataset's columns:",
        f"{path}: expectation #2 (expect_column_values_to_be_between): unknown kwarg 'min_valu'; "
        "min_value and max_value cannot both be None",
        f"{path}: expectation #3 (expect_table_columns_to_match_set): column 'q' is not "
        "declared in the dataset's columns:",
        f"{path}: expectation #4 (expect_column_values_to_not_be_null): meta.severity must be "
        "'error' or 'warn'",
    ]
    # without declared columns, only the columns go unchecked
    assert len(check_suite_file(path, ())) == 4


@pytest.mark.parametrize(
    ("text", "needle"),
    [("{", "not valid JSON"), ("[]", "must be a JSON object"), ('{"name": "x"}', "must be a list")],
)
def test_unreadable_suites(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    assert needle in str(check_suite_file(path)[-1])


def test_repository_suites_are_clean() -> None:
    settings = make_settings(REPO / ".unused")
    checked, problems = check_registry_suites(settings, load_registry(settings.registry))
    assert len(checked) == 9 and problems == []


def test_registry_check_command_reports_suite_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry, expectations = tmp_path / "registry", tmp_path / "expectations"
    registry.mkdir()
    expectations.mkdir()
    (registry / "a.yaml").write_text(
        "id: a\ntitle: A\ndepartment: d\ndomain: x\nexpectations: a_suite\ncolumns: {a: string}\n"
        "source: {kind: file, format: csv, path: a.csv}\n",
        encoding="utf-8",
    )
    (registry / "b.yaml").write_text(
        "id: b\ntitle: B\ndepartment: d\ndomain: x\nexpectations: missing\n"
        "source: {kind: file, format: csv, path: b.csv}\n",
        encoding="utf-8",
    )
    (expectations / "a_suite.json").write_text(json.dumps(BAD), encoding="utf-8")
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    monkeypatch.setenv("PUBDATA_EXPECTATIONS", str(expectations))
    assert main(["registry", "check"]) == 1
    captured = capsys.readouterr()
    assert "a_suite.json: expectation #1 (expect_column_values_to_be_between)" in captured.err
    assert "b.yaml: expectations: suite file missing.json does not exist" in captured.err
    assert "2 dataset(s)" in captured.out and "1 suite(s): 7 problem(s)" in captured.out
    assert main(["registry", "check", "--registry-only"]) == 0
