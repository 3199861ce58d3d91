"""Filters and aggregation: structured filters as Arrow expressions, cells with their row counts."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from etl.errors import ConfigError
from etl.products import Authorisation, Consumer, Product, Source
from etl.products.shape import aggregate, apply_filters

ROWS = pa.table(
    {
        "district": ["洪山区", "洪山区", "江岸区", None],
        "kind": ["城市低保", "农村低保", "城市低保", "城市低保"],
        "amount": [100.0, 300.0, 50.0, 70.0],
        "day": [date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 2), date(2024, 6, 3)],
    }
)


def product(**changes: object) -> Product:
    fields: dict[str, object] = {
        "id": "study",
        "title": "研究",
        "consumer": Consumer(name="某研究院", uscc="91420100MA4K00001U"),
        "purpose": "评估",
        "authorisation": Authorisation(
            document="1号", approved_by="市数据局", date=date(2024, 5, 1)
        ),
        "sources": [Source(dataset="payments")],
        "columns": ["district", "kind", "amount", "day"],
        "grade_ceiling": "L3",
        "expires": date(2025, 1, 1),
    }
    fields.update(changes)
    return Product.model_validate(fields)


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ([{"column": "kind", "op": "=", "value": "城市低保"}], 3),
        ([{"column": "kind", "op": "!=", "value": "城市低保"}], 1),
        ([{"column": "amount", "op": ">=", "value": 100}], 2),
        ([{"column": "day", "op": "<", "value": date(2024, 6, 2)}], 1),
        ([{"column": "district", "op": "in", "value": ["洪山区", "江岸区"]}], 3),  # null never
        (
            [
                {"column": "kind", "op": "=", "value": "城市低保"},
                {"column": "amount", "op": "<=", "value": 70},
            ],
            2,
        ),
    ],
)
def test_filters_keep_the_rows_every_one_accepts(filters: list[object], kept: int) -> None:
    assert apply_filters(product(filters=filters), ROWS).num_rows == kept


def test_a_value_that_does_not_fit_its_column_is_named_without_the_value() -> None:
    bad = product(filters=[{"column": "amount", "op": "=", "value": "一百元"}])
    with pytest.raises(ConfigError) as refused:
        apply_filters(bad, ROWS)
    assert str(refused.value) == (
        "product study: filters.0 on column 'amount': the value does not fit the column's "
        "type double"
    )


def test_aggregation_gives_cells_and_their_row_counts() -> None:
    spec = {
        "group_by": ["district"],
        "measures": {
            "n": {"function": "count"},
            "total": {"function": "sum", "column": "amount"},
            "mean": {"function": "avg", "column": "amount"},
        },
    }
    cells, counts = aggregate(product(aggregation=spec), ROWS)
    assert cells.column_names == ["district", "n", "total", "mean"]
    found = {r["district"]: r for r in cells.to_pylist()}
    assert found["洪山区"] == {"district": "洪山区", "n": 2, "total": 400.0, "mean": 200.0}
    assert found[None]["n"] == 1
    assert sorted(counts.to_pylist()) == [1, 1, 2]
