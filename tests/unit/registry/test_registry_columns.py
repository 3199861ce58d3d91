"""``columns:`` holds a type alone or a documented column; both are one ColumnSpec."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from etl.registry import load_registry
from etl.registry.model import ColumnSpec, Dataset
from etl.registry.schema import registry_schema
from tests.unit.registry.test_registry_problems import HEAD, problems_of

BASE = {
    "id": "a",
    "title": "社保缴费",
    "department": "hrss",
    "domain": "social_security",
    "source": {"kind": "file", "format": "csv", "path": "a.csv"},
}


def dataset(**changes: object) -> Dataset:
    return Dataset.model_validate(BASE | changes)


def test_a_type_alone_and_a_documented_column_are_one_spec(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD.format(id="a")
        + "columns:\n"
        + "  xm: string\n"
        + "  jfjs:\n    type: decimal( 12, 2 )\n    title: 缴费基数\n"
        + "    description: |-\n      当月社保缴费基数（元）\n      按年度核定\n"
        + "  gmsfhm: {title: 公民身份号码}\n",
        encoding="utf-8",
    )
    ds = load_registry(tmp_path).get("a")
    assert ds.columns == {
        "xm": ColumnSpec(type="string"),
        "jfjs": ColumnSpec(
            type="decimal(12,2)", title="缴费基数", description="当月社保缴费基数（元）\n按年度核定"
        ),
        "gmsfhm": ColumnSpec(type="string", title="公民身份号码"),
    }
    # a documented column without a type is a declared string column
    assert ds.column_types == {"xm": "string", "jfjs": "decimal(12,2)", "gmsfhm": "string"}


def test_a_title_defaults_to_the_delivered_header() -> None:
    ds = dataset(
        columns={"xm": "string", "jfjs": {"title": "缴费基数"}, "dwbh": "string"},
        normalize={"rename": {"姓名": "xm", "DWBH": "dwbh"}},
    )
    assert ds.column("jfjs").title == "缴费基数"  # the registry's title wins
    assert ds.column("jfjs", comment="基数").title == "缴费基数"
    assert ds.column("xm").title == "姓名"  # the Chinese header renamed to it
    assert ds.column("dwbh").title == "DWBH"  # a Latin one too
    assert ds.column("yhkh", comment="银行卡号").title == "银行卡号"  # a database's comment
    assert ds.column("yhkh").title == "yhkh"  # an undeclared column: its header
    assert ds.column("yhkh") == ColumnSpec(type="string", title="yhkh")


def test_a_chinese_header_comes_before_a_comment_and_a_latin_one_after() -> None:
    ds = dataset(normalize={"rename": {"XM": "xm"}})
    assert ds.column("xm", comment="姓名").title == "姓名"
    assert ds.column("xm").title == "XM"
    assert dataset(normalize={"rename": {"姓名": "xm"}}).column("xm", comment="名").title == "姓名"


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        (
            "  xm: {type: string, titel: 姓名}",
            "line 10: columns.xm.titel: unknown key; did you mean 'title'?",
        ),
        (
            "  xm: strng",
            "line 10: columns.xm: unknown column type 'strng'; expected one of string, int64,"
            " float64, bool, date, timestamp, decimal(p,s); did you mean 'string'?",
        ),
        (
            "  xm:\n    title: 姓名\n    type: dat",
            "line 12: columns.xm.type: unknown column type 'dat'; expected one of string, int64,"
            " float64, bool, date, timestamp, decimal(p,s); did you mean 'date'?",
        ),
        (
            "  xm: 3",
            "line 10: columns.xm: expected a type (string, int64, ...) or a mapping of type,"
            " title and description",
        ),
        ("  xm: {title: ''}", "line 10: columns.xm.title: String should have at least 1 character"),
        (
            '  xm: {title: "姓\\n名"}',
            "line 10: columns.xm.title: contains a control character U+000A at position 1;"
            " registry values must be printable text",
        ),
    ],
)
def test_a_bad_column_names_its_line_and_field(tmp_path: Path, columns: str, problem: str) -> None:
    text = HEAD.format(id="a") + "columns:\n" + columns + "\n"
    assert problems_of(tmp_path, "a.yaml", text) == [problem]


def test_the_schema_offers_both_forms_and_refuses_unknown_keys() -> None:
    validator = jsonschema.Draft202012Validator(registry_schema())
    good = BASE | {
        "columns": {"xm": "string", "jfjs": {"type": "decimal(12,2)", "title": "缴费基数"}}
    }
    validator.validate(good)
    bad = BASE | {"columns": {"xm": {"titel": "姓名"}}}
    messages = []
    errors = list(validator.iter_errors(bad))
    while errors:  # a union's error holds each member's errors in its context
        error = errors.pop()
        messages.append(error.message)
        errors.extend(error.context or ())
    assert any("'titel' was unexpected" in m for m in messages), messages
