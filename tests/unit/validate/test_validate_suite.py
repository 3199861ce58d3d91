from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from etl.errors import ConfigError
from etl.validate import baseline_suite, load_suite, suite_from_dict


def _write(tmp_path: Path, doc: Any, name: str = "suite.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _suite(*expectations: dict[str, Any]) -> dict[str, Any]:
    return {"name": "people", "expectations": list(expectations), "meta": {}}


def test_loads_a_suite_serialized_by_gx_itself(tmp_path: Path) -> None:
    import great_expectations as gx

    gx.get_context(mode="ephemeral")
    suite = gx.ExpectationSuite(name="people", meta={"owner": "公安局"})
    suite.add_expectation(gx.expectations.ExpectTableRowCountToBeBetween(min_value=1))
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToNotBeNull(column="xm", meta={"reason": "xm_missing"})
    )
    suite.add_expectation(
        gx.expectations.ExpectColumnValuesToBeInSet(column="xb", value_set=["男", "女"])
    )
    path = _write(tmp_path, suite.to_json_dict())

    spec = load_suite(path)

    assert spec.name == "people"
    assert spec.source == str(path)
    assert spec.meta["owner"] == "公安局"
    assert [e.type for e in spec.expectations] == [
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
    ]
    assert [e.level for e in spec.expectations] == ["table", "row", "row"]
    assert spec.expectations[1].reason == "xm_missing"
    assert spec.expectations[2].reason == "expect_column_values_to_be_in_set(xb)"
    assert spec.expectations[2].kwargs == {"column": "xb", "value_set": ["男", "女"]}


def test_default_levels_and_overrides() -> None:
    spec = suite_from_dict(
        _suite(
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
            {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "n", "min_value": 0}},
            {"type": "expect_column_to_exist", "kwargs": {"column": "id"}},
            {
                "type": "expect_compound_columns_to_be_unique",
                "kwargs": {"column_list": ["a", "b"]},
            },
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "id"},
                "meta": {"level": "table"},
            },
        )
    )
    assert [e.level for e in spec.expectations] == ["row", "table", "table", "row", "table"]
    assert spec.expectations[3].column == "a,b"
    assert spec.expectations[3].reason == "expect_compound_columns_to_be_unique(a,b)"


@pytest.mark.parametrize(
    ("expectation", "needle"),
    [
        ({"type": "expect_column_values_to_be_shiny", "kwargs": {"column": "a"}}, "unknown"),
        ({"type": "expect_column_values_to_not_be_null"}, "missing 'kwargs'"),
        ({"type": "expect_column_values_to_not_be_null", "kwargs": {}}, "missing kwarg 'column'"),
        (
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "a"}},
            "missing kwarg 'value_set'",
        ),
        (
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a", "x": 1}},
            "unknown kwarg 'x'",
        ),
        (
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a"}},
            "min_value and max_value cannot both be None",
        ),
        (
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "x": 1},
            "unknown keys ['x']",
        ),
        (
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a", "result_format": "COMPLETE"},
            },
            "set by the pipeline",
        ),
        (
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a"},
                "meta": {"level": "sometimes"},
            },
            "meta.level",
        ),
        (
            {
                "type": "expect_column_max_to_be_between",
                "kwargs": {"column": "a", "max_value": 1},
                "meta": {"level": "row"},
            },
            "needs a column-map expectation",
        ),
        (
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "a"},
                "meta": {"reason": "bad reason; with separator"},
            },
            "meta.reason",
        ),
    ],
)
def test_bad_expectation_names_file_index_and_type(
    tmp_path: Path, expectation: dict[str, Any], needle: str
) -> None:
    good = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1}}
    path = _write(tmp_path, _suite(good, expectation), name="bad_suite.json")

    with pytest.raises(ConfigError) as info:
        load_suite(path)

    message = str(info.value)
    assert str(path) in message
    assert "expectation #1" in message
    assert f"({expectation['type']})" in message
    assert needle in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"name": "x", "expectations": [}', "not valid JSON (line 1"),
        ("[]", "must be a JSON object"),
        ('{"expectations": []}', "'name'"),
        ('{"name": "x"}', "'expectations' must be a list"),
        ('{"name": "x", "expectations": [], "extra": 1}', "unknown suite keys ['extra']"),
        ('{"name": "x", "expectations": [42]}', "expectation #0: must be a JSON object"),
        ('{"name": "x", "expectations": [{"kwargs": {}}]}', "expectation #0: 'type'"),
    ],
)
def test_bad_suite_file_names_the_file(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_suite(path)
    assert str(info.value).startswith(f"{path}: ")
    assert needle in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read suite file"):
        load_suite(tmp_path / "nope.json")


def test_baseline_suite_is_structural() -> None:
    spec = baseline_suite(["xm", "sfzh"])
    assert spec.name == "baseline"
    assert [(e.type, dict(e.kwargs), e.level) for e in spec.expectations] == [
        ("expect_table_row_count_to_be_between", {"min_value": 1}, "table"),
        ("expect_column_to_exist", {"column": "xm"}, "table"),
        ("expect_column_to_exist", {"column": "sfzh"}, "table"),
    ]


def test_importing_and_baseline_do_not_import_gx_or_pandas() -> None:
    code = (
        "import sys; import etl.validate as v; v.baseline_suite(['a']); "
        "bad = [m for m in ('great_expectations', 'pandas', 'airflow') if m in sys.modules]; "
        "sys.exit(', '.join(bad) or None)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
