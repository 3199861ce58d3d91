"""Hostile suite files: deep JSON, huge files and catastrophic regexes are refused at load.

Each is one ConfigError naming the file (and the expectation), raised within a second, so a run
that uses the suite ends at validate with one line instead of a RecursionError or a worker
that backtracks for hours.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.pipeline.local import local_context, run_local
from etl.registry import Dataset
from etl.validate import load_suite
from etl.validate.check import check_suite_file
from etl.validate.regex_guard import regex_problem
from etl.validate.suite import MAX_SUITE_DEPTH
from tests.conftest import make_settings

DEEP = 100_000
ROW_COUNT = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}


def suite_file(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def regex_suite(*patterns: str, key: str = "regex") -> dict[str, object]:
    expectation_type = (
        "expect_column_values_to_match_regex_list"
        if key == "regex_list"
        else "expect_column_values_to_match_regex"
    )
    value: object = list(patterns) if key == "regex_list" else patterns[0]
    return {
        "name": "s",
        "expectations": [
            ROW_COUNT,
            {"type": expectation_type, "kwargs": {"column": "c", key: value}},
        ],
    }


def test_deep_suite_json_is_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"name": "s", "meta": {"x": ' + "[" * DEEP + "]" * DEEP + "}}")
    started = time.monotonic()
    with pytest.raises(ConfigError) as raised:
        load_suite(path)
    assert raised.value.message == f"{path}: line 1: nested deeper than {MAX_SUITE_DEPTH} levels"
    [problem] = check_suite_file(path)
    assert str(problem) == f"{path}: line 1: nested deeper than {MAX_SUITE_DEPTH} levels"
    assert time.monotonic() - started < 1.0


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    note = "[" * 100 + '\\"{' * 100
    path = tmp_path / "s.json"
    path.write_text('{"name": "s", "expectations": [], "meta": {"note": "' + note + '"}}')
    assert load_suite(path).meta == {"note": "[" * 100 + '"{' * 100}


def test_oversized_suite_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"name": "s", "expectations": [], "meta": {"x": "' + "x" * 17 * 2**20 + '"}}')
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"big\.json: suite file is over 16 MiB"):
        load_suite(path)
    assert time.monotonic() - started < 1.0


CATASTROPHIC = [
    r"(a+)+$",
    r"^(\w+\s?)+$",
    r"(a|aa)+$",
    r"(\d|\d\d)*!",
    r"(.*,){20}x",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"((ab)+c?)+$",
]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_catastrophic_regex_is_refused_naming_expectation_and_kwarg(
    tmp_path: Path, pattern: str
) -> None:
    path = suite_file(tmp_path, regex_suite(pattern))
    with pytest.raises(ConfigError) as raised:
        load_suite(path)
    message = raised.value.message
    assert message.startswith(
        f"{path}: expectation #1 (expect_column_values_to_match_regex): kwargs.regex: "
    )
    assert "catastrophically" in message
    [problem] = check_suite_file(path)
    assert "expectation #1" in str(problem) and "catastrophically" in str(problem)


def test_regex_list_entries_are_checked_one_by_one(tmp_path: Path) -> None:
    path = suite_file(tmp_path, regex_suite(r"^\d+$", r"(x+x+)+y", key="regex_list"))
    with pytest.raises(ConfigError, match=r"kwargs\.regex_list\[1\]: a quantifier inside"):
        load_suite(path)


def test_invalid_regex_is_refused_at_load(tmp_path: Path) -> None:
    path = suite_file(tmp_path, regex_suite("([0-9]"))
    with pytest.raises(ConfigError, match=r"kwargs\.regex: not a valid regular expression"):
        load_suite(path)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^\d{17}[\dXx]$",
        r"^\d{3}(\d{2}){0,2} \S+$",
        r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$",
        r"(\d{1,3}\.){3}\d{1,3}",
        r"^(?:ab|cd)+$",
        r"^[^@]+@[^@]+\.[a-z]+$",
        r"^([a-z]++\.)+[a-z]+$",
        r"^(?>\w+\s?)+$",
    ],
)
def test_ordinary_and_possessive_patterns_pass(pattern: str) -> None:
    assert regex_problem(pattern) is None
    # and they are fast on the values that make the refused shapes hang
    started = time.monotonic()
    re.search(pattern, "a" * 20_000 + "!")
    assert time.monotonic() - started < 1.0


def test_run_with_a_catastrophic_suite_ends_at_validate_within_seconds(tmp_path: Path) -> None:
    day = date(2024, 6, 1)
    landing = tmp_path / "landing"
    (landing / "d").mkdir(parents=True)
    # 40 'a' and a '!': (a+)+$ would try ~2^40 splits of each value
    (landing / "d" / "2024-06-01.csv").write_text("c\n" + ("a" * 40 + "!\n") * 3)
    expectations = tmp_path / "expectations"
    expectations.mkdir()
    (expectations / "hostile.json").write_text(json.dumps(regex_suite(r"^(a+)+$")))
    settings = make_settings(
        tmp_path / "home", PUBDATA_LANDING=str(landing), PUBDATA_EXPECTATIONS=str(expectations)
    )
    dataset = Dataset.model_validate(
        {
            "id": "hostile",
            "title": "t",
            "department": "d",
            "domain": "d",
            "source": {"kind": "file", "format": "csv", "path": "d/{ds}.csv"},
        }
    )
    started = time.monotonic()
    with pytest.raises(ConfigError) as raised:
        run_local(settings, dataset, local_context(dataset, day))
    assert time.monotonic() - started < 30
    assert raised.value.stage == "validate"
    assert "hostile.json: expectation #1" in raised.value.message
    assert "catastrophically" in raised.value.message
    assert not (Path(settings.lake) / "restricted" / "d" / "hostile").exists()
