"""Product files: every problem named by file, line and field; valid products kept apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.integrate import load_domains
from etl.products import ProductRegistry, load_products
from etl.registry import load_registry
from etl.registry.loader import PRODUCTS_FOLDER
from tests.conftest import REPO

BASE = """\
id: by_district
title: 救助人数
consumer: {name: 某研究院, uscc: 91420100MA4K00001U}
purpose: 政策评估
authorisation: {document: 武数授〔2024〕12号, approved_by: 市数据局, date: 2024-05-20}
sources:
  - {dataset: relief_payments, zone: shared}
columns: [jzdz, jzlx]
filters:
  - {column: jzlx, op: in, value: [城市低保]}
aggregation:
  group_by: [jzdz]
  measures: {payments: {function: count}}
grade_ceiling: L3
expires: 2025-05-31
"""


def write(root: Path, text: str, name: str = "by_district.yaml") -> Path:
    path = root / PRODUCTS_FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def products(root: Path) -> ProductRegistry:
    registry = load_registry(root)
    return load_products(registry, load_domains(registry))


def problems_of(root: Path, text: str) -> list[str]:
    """The problems of one product file, without the path each starts with."""
    path = write(root, text)
    found = products(root)
    assert all(p.path == path for p in found.problems)
    assert found.problems == () or "by_district" not in found.products
    return [str(p).removeprefix(f"{path}: ") for p in found.problems]


def test_a_valid_file_loads_and_is_not_a_dataset(registry_root: Path) -> None:
    path = write(registry_root, BASE)
    found = products(registry_root)
    assert found.problems == ()
    assert found.sources == {"by_district": path}
    product = found.get("by_district")
    assert product.k == 10  # the default
    assert product.read_columns == ("jzdz", "jzlx")
    registry = load_registry(registry_root)
    assert registry.problems == ()  # the products folder holds no dataset files
    assert "by_district" not in registry.datasets


def test_the_samples_load() -> None:
    found = products(REPO / "datasets")
    assert found.problems == ()
    assert sorted(found.products) == [
        "air_quality_by_station",
        "relief_by_district",
        "relief_recipients",
    ]


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "uscc: 91420100MA4K00001U",
            "uscc: 91420100MA4K00001X",
            "line 3: consumer.uscc: not a 统一社会信用代码: check character does not match",
        ),
        (
            "{dataset: relief_payments, zone: shared}",
            "{dataset: relief_payment, zone: shared}",
            "line 7: sources.0.dataset: unknown dataset 'relief_payment'; "
            "did you mean 'relief_payments'?",
        ),
        (
            "{dataset: relief_payments, zone: shared}",
            "{dataset: relief_payments, zone: open}",
            "line 7: sources.0.zone: dataset relief_payments has no open table "
            "(it publishes to restricted, shared)",
        ),
        (
            "{dataset: relief_payments, zone: shared}",
            "{dataset: relief_payments, zone: restricted}",
            "line 7: sources.0.zone: Input should be 'shared' or 'open'",
        ),
        (
            "columns: [jzdz, jzlx]",
            "columns: [jzdz, jzlxx]",
            "line 8: columns.1: relief_payments declares no column 'jzlxx'; did you mean 'jzlx'?",
        ),
        (
            "group_by: [jzdz]",
            "group_by: [jzd]",
            "line 12: aggregation.group_by.0: 'jzd' is not among the product's columns; "
            "did you mean 'jzdz'?",
        ),
        (
            "op: in, value: [城市低保]",
            "op: in, value: 城市低保",
            "line 10: filters.0.value: operator 'in' takes a non-empty list of values",
        ),
        (
            "{function: count}",
            "{function: sum}",
            "line 13: aggregation.measures.payments.column: sum needs a column",
        ),
        (
            "grade_ceiling: L3",
            "grade_ceiling: L3\nwhere: jzlx = '城市低保'",
            "line 15: where: unknown key",
        ),
    ],
)
def test_each_problem_names_line_and_field(
    registry_root: Path, old: str, new: str, problem: str
) -> None:
    assert old in BASE
    found = problems_of(registry_root, BASE.replace(old, new))
    assert any(p.startswith(problem) for p in found), found


def test_an_approval_must_name_a_source(registry_root: Path) -> None:
    text = BASE + (
        "approvals:\n"
        "  - {dataset: budget_execution, document: 武数批〔2024〕3号, approved_by: 市数据局,"
        " date: 2024-05-01}\n"
    )
    found = problems_of(registry_root, text)
    assert found == [
        "line 17: approvals.0.dataset: 'budget_execution' is not a source of this product"
    ]


def test_a_duplicate_id_and_an_unknown_product_are_named(registry_root: Path) -> None:
    first = write(registry_root, BASE)
    second = write(registry_root, BASE, "again.yaml")  # read first: files are read sorted
    found = products(registry_root)
    assert [str(p) for p in found.problems] == [
        f"{first}: line 1: id: duplicate id 'by_district', also in {second}"
    ]
    with pytest.raises(ConfigError, match=r"unknown product 'by_distric' .*did you mean"):
        found.get("by_distric")
