"""The shape of a release: row filters, the columns kept, and the aggregation into cells.

Filters are structured (column, operator, value) and become Arrow expressions; nothing is ever
parsed as SQL. A value that does not fit its column's type is a configuration error naming the
product, the filter and the column (never the value).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError
from etl.registry.product import Filter, Product

__all__ = ["CELL_ROWS", "aggregate", "apply_filters"]

#: The working column that counts each cell's rows (never released unless a measure counts rows).
CELL_ROWS = "_cell_rows"
_FUNCTIONS = {"count": "count", "sum": "sum", "avg": "mean"}
_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, TypeError)


def _fitted(product: Product, index: int, item: Filter, kind: pa.DataType) -> Any:
    try:
        if isinstance(item.value, list):
            return pa.array(item.value).cast(kind)
        return pa.scalar(item.value).cast(kind)
    except _ARROW_ERRORS:
        raise ConfigError(
            f"product {product.id}: filters.{index} on column {item.column!r}: the value does "
            f"not fit the column's type {kind}"
        ) from None


def _expression(item: Filter, value: Any) -> Any:
    field = pc.field(item.column)
    if item.op == "in":
        return field.isin(value)
    return {
        "=": field == value,
        "!=": field != value,
        "<": field < value,
        "<=": field <= value,
        ">": field > value,
        ">=": field >= value,
    }[item.op]


def apply_filters(product: Product, table: pa.Table) -> pa.Table:
    """The rows every filter of the product keeps (a null never passes a comparison)."""
    condition = None
    for index, item in enumerate(product.filters):
        value = _fitted(product, index, item, table.schema.field(item.column).type)
        expression = _expression(item, value)
        condition = expression if condition is None else condition & expression
    return table if condition is None else table.filter(condition)


def aggregate(product: Product, table: pa.Table) -> tuple[pa.Table, pa.Array]:
    """One row per cell: the group-by columns and the measures, with each cell's row count.

    Args:
        product: an aggregated product.
        table: the filtered rows.

    Returns:
        The cells (group-by columns, then each measure under its name), and the number of rows
        each cell counts (for suppression).
    """
    spec = product.aggregation
    if spec is None:
        raise ValueError(f"product {product.id} has no aggregation")
    keys = list(spec.group_by)
    work = table.select(keys).append_column(
        CELL_ROWS, pa.repeat(pa.scalar(1, pa.int64()), table.num_rows)
    )
    aggregations: list[tuple[str, str]] = [(CELL_ROWS, "sum")]
    for name, measure in spec.measures.items():
        source = f"_m_{name}"
        column = table[measure.column] if measure.column else work[CELL_ROWS]
        work = work.append_column(source, column)
        function = "sum" if measure.column is None else _FUNCTIONS[measure.function]
        aggregations.append((source, function))
    grouped = work.group_by(keys, use_threads=False).aggregate(aggregations)
    counts = grouped[f"{CELL_ROWS}_sum"]
    columns = {key: grouped[key] for key in keys}
    for (source, function), name in zip(aggregations[1:], spec.measures, strict=True):
        columns[name] = grouped[f"{source}_{function}"]
    cells = pa.table(columns)
    order = pc.sort_indices(cells, sort_keys=[(key, "ascending") for key in keys])
    return cells.take(order), counts.take(order)
