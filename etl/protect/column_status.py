"""What a shared or open table says about each of its columns (``etl.lake.dictionary``).

A zone projection keeps every delivered column: what it publishes carries a status
(``published``, ``masked``, ``tokenized``, ``generalized``) and what it keeps out is a column of
nulls (``withheld``, ``removed``, ``not_delivered``) whose reason says why, from the grade,
category and rule that decided it. Reasons name grades, categories and rules, never a value.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from etl.classify import ColumnClassification
from etl.classify.category import Shared
from etl.lake.dictionary import ColumnStatus, status_metadata
from etl.protect.transformations import TRANSFORMATIONS
from etl.zones import Zone

WITHHELD_REASON = (
    "the publication guard found values that look personal; held from shared and open until "
    "a person confirms the column (pubdata review)"
)
NOT_DELIVERED_REASON = "the date's delivery has no such column"


def _grade(column: ColumnClassification) -> str:
    if column.lifted_by is None:
        return f"grade {column.grade}"
    return f"grade {column.grade} (lifted from {column.own_grade} by {column.lifted_by})"


def _removed(column: ColumnClassification, zone: Zone, treatment: Shared) -> str:
    if treatment is Shared.RESTRICTED:
        return f"category {column.category} stays in the restricted zone"
    if zone == Zone.OPEN:
        return f"{_grade(column)}: the open zone publishes L1 columns only"
    if column.grade == "L3" and treatment is Shared.DROPPED:
        return f"category {column.category} is not shared"
    return f"{_grade(column)}: no L4 column leaves the restricted zone"


def reason(column: ColumnClassification, zone: Zone, transformation: str, treatment: Shared) -> str:
    """Why ``zone`` holds what it holds of ``column`` (no data value).

    Args:
        column: the column's classification for the run.
        zone: a published zone (shared or open).
        transformation: what the projection did (``etl.protect.transformations.TRANSFORMATIONS``).
        treatment: what the shared zone does with an L3 column of its category.

    Returns:
        One line.
    """
    if transformation == "withheld":
        return WITHHELD_REASON
    if transformation == "dropped":
        return _removed(column, zone, treatment)
    return f"{_grade(column)}, category {column.category}"


def column_field(
    name: str, kind: pa.DataType, transformation: str, why: str, day: date | None
) -> pa.Field:
    """The field of a projected column, with its status, reason and date as metadata."""
    return pa.field(
        name, kind, metadata=status_metadata(TRANSFORMATIONS[transformation].status, why, day)
    )


def not_delivered(field: pa.Field, day: date | None) -> pa.Field:
    """A column of the zone table that the date's delivery lacks: its type, all null."""
    meta = status_metadata(ColumnStatus.NOT_DELIVERED, NOT_DELIVERED_REASON, day)
    return pa.field(field.name, field.type, metadata=meta)
