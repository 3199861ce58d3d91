"""The gate: each outcome of the ceiling, approval and k-anonymity checks, and suppression."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from etl.errors import PolicyError
from etl.products import Aggregation, Approval, Authorisation, Consumer, Measure, Product, Source
from etl.products.columns import ColumnFacts, SourceFacts
from etl.products.gate import (
    approval_check,
    ceiling_check,
    enforce,
    k_anonymity_check,
    quasi_identifiers,
    smallest_class,
    suppress_cells,
)

SECRET_DISTRICT = "湖北省武汉市江夏区"


def product(**changes: object) -> Product:
    fields: dict[str, object] = {
        "id": "study",
        "title": "研究",
        "consumer": Consumer(name="某研究院", uscc="91420100MA4K00001U"),
        "purpose": "评估",
        "authorisation": Authorisation(
            document="武数授1号", approved_by="市数据局", date=date(2024, 5, 1)
        ),
        "sources": [Source(dataset="payments")],
        "columns": ["token", "district", "kind"],
        "grade_ceiling": "L3",
        "expires": date(2025, 1, 1),
    }
    fields.update(changes)
    return Product.model_validate(fields)


def facts(flags: tuple[str, ...] = (), district_grade: str = "L3") -> SourceFacts:
    return SourceFacts(
        "payments",
        "payments",
        flags,
        {
            "token": ColumnFacts("token", "L3", "id_card", None, True),
            "district": ColumnFacts("district", district_grade, "address", "address", False),
            "kind": ColumnFacts("kind", "L2", "none", None, False),
            "fee": ColumnFacts("fee", "L4", "personal_finance", "personal_finance", False),
        },
    )


def test_columns_within_the_ceiling_pass() -> None:
    check = ceiling_check(product(), facts())
    assert check.passed
    assert check.detail == "columns graded up to L3, within the ceiling L3"


def test_a_column_above_the_ceiling_is_refused_by_name() -> None:
    check = ceiling_check(product(grade_ceiling="L2"), facts())
    assert not check.passed
    assert check.detail == (
        "product study: column payments.token is graded L3, above the product's ceiling L2 "
        "(and 1 more column(s))"
    )


def test_a_filter_column_counts_against_the_ceiling() -> None:
    filtered = product(filters=[{"column": "fee", "op": ">", "value": 100}])
    check = ceiling_check(filtered, facts())
    assert not check.passed
    assert "column payments.fee is graded L4" in check.detail


def test_a_column_no_run_classified_is_taken_as_l4() -> None:
    check = ceiling_check(product(columns=["kind", "unheard_of"]), facts())
    assert "column payments.unheard_of is graded L4" in check.detail


@pytest.mark.parametrize(
    ("flags", "named"), [(("IMP",), "IMP (重要数据)"), (("CORE",), "CORE (核心数据)")]
)
def test_an_imp_or_core_dataset_without_approval_is_refused(
    flags: tuple[str, ...], named: str
) -> None:
    check = approval_check(product(), facts(flags))
    assert not check.passed
    assert check.detail == (
        f"product study: dataset payments is {named}; the product file records no approval "
        "for it (approvals: dataset, document, approved_by, date)"
    )


def test_a_recorded_approval_lets_an_imp_dataset_through() -> None:
    approval = Approval(
        dataset="payments",
        document="武数批〔2024〕3号",
        approved_by="市政府",
        date=date(2024, 5, 2),
    )
    check = approval_check(product(approvals=[approval]), facts(("IMP",)))
    assert check.passed
    assert check.detail == "IMP (重要数据): approved by 市政府 (武数批〔2024〕3号, 2024-05-02)"
    assert approval_check(product(), facts()).passed


def rows(districts: list[str]) -> pa.Table:
    n = len(districts)
    return pa.table(
        {"token": [f"t{i}" for i in range(n)], "district": districts, "kind": ["城市低保"] * n}
    )


def test_a_row_level_release_that_is_k_anonymous_passes() -> None:
    table = rows(["洪山区"] * 10 + ["江岸区"] * 12)
    combination = quasi_identifiers(product(), facts(), table.column_names)
    assert combination == ["district"]  # the classification's quasi-identifier, not the token
    check = k_anonymity_check(product(), "payments", table, combination)
    assert check.passed
    assert check.detail == "10-anonymous over (district): smallest class 10 row(s)"


def test_a_small_class_is_refused_naming_the_combination_and_its_size_never_a_value() -> None:
    table = rows(["洪山区"] * 20 + [SECRET_DISTRICT] * 3)
    chosen = product(quasi_identifiers=["district", "kind"])
    combination = quasi_identifiers(chosen, facts(), table.column_names)
    check = k_anonymity_check(chosen, "payments", table, combination)
    assert not check.passed
    assert check.detail == (
        "product study: payments is not 10-anonymous over the quasi-identifier combination "
        "(district, kind): its smallest class has 3 row(s)"
    )
    assert SECRET_DISTRICT not in check.detail
    with pytest.raises(PolicyError) as refused:
        enforce([ceiling_check(chosen, facts()), check])
    assert str(refused.value) == check.detail


def test_nulls_form_a_class_of_their_own() -> None:
    assert smallest_class(rows(["洪山区"] * 12 + [None] * 2), ["district"]) == 2  # type: ignore[list-item]


def test_k_is_configurable() -> None:
    table = rows(["洪山区"] * 5 + ["江岸区"] * 6)
    assert k_anonymity_check(product(k=5), "payments", table, ["district"]).passed
    assert not k_anonymity_check(product(k=7), "payments", table, ["district"]).passed


def test_aggregate_cells_under_k_are_suppressed_and_counted() -> None:
    aggregated = product(
        columns=["district", "kind"],
        aggregation=Aggregation(group_by=["district"], measures={"n": Measure(function="count")}),
    )
    cells = pa.table({"district": ["洪山区", "江岸区", SECRET_DISTRICT], "n": [30, 10, 4]})
    kept, check, suppressed = suppress_cells(aggregated, "payments", cells, cells["n"])
    assert kept["district"].to_pylist() == ["洪山区", "江岸区"]
    assert suppressed == 1
    assert check.passed
    assert check.detail == "1 of 3 cell(s) under k=10 suppressed"
