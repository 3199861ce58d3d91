"""Keys pubdata writes into a Delta table's field (column) metadata, and their values.

A shared or open table keeps every column it ever had, whatever one date's data decides: a
column that a date's rows keep out (a grade lifted by R4, the publication guard, a grade above
the zone) is written as a typed column of nulls, and its field metadata says why. The metadata
is the latest commit's; what each date did to the column is in ``_meta.column_lineage``.

Delta keeps field metadata in the table's schema (the log), so ``DeltaTable(uri).schema()``,
``etl.lake.delta.schema`` and the tables :func:`etl.read.read` returns carry it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Final

#: What the zone holds of the column (a :class:`ColumnStatus` value).
STATUS: Final = "pubdata.status"
#: Why, in words without a data value (grade, category, rule, guard).
REASON: Final = "pubdata.reason"
#: The logical date (ISO) of the commit the status describes: the table's latest commit.
STATUS_DATE: Final = "pubdata.status_date"
#: Where the status of every date is recorded (the value is :data:`HISTORY_TABLES`).
STATUS_HISTORY: Final = "pubdata.status_history"
#: Where a column's status per date and zone is, and why it was graded so.
HISTORY_TABLES: Final = (
    "_meta.column_lineage (transformation per run, logical_date, zone and source_column); "
    "_meta.classifications (grade, category and rules per run and column)"
)


class ColumnStatus(StrEnum):
    """What one zone table holds of a delivered column for the date of its latest commit."""

    PUBLISHED = "published"  # the values as delivered
    MASKED = "masked"  # a display mask of each value
    TOKENIZED = "tokenized"  # a keyed HMAC token of each value
    GENERALIZED = "generalized"  # a coarser value (year, district, /16 network, 2 decimals)
    WITHHELD = "withheld"  # all null: the publication guard held it for a person's review
    REMOVED = "removed"  # all null: its grade or category keeps it out of this zone
    NOT_DELIVERED = "not_delivered"  # all null: the date's delivery had no such column


#: Statuses whose column holds only nulls for the date.
EMPTY: Final = frozenset({ColumnStatus.WITHHELD, ColumnStatus.REMOVED, ColumnStatus.NOT_DELIVERED})


def status_metadata(status: ColumnStatus, reason: str, day: date | None) -> dict[str, str]:
    """The field metadata of a column of a shared or open table.

    Args:
        status: what the zone holds of it.
        reason: why, without a data value.
        day: the logical date written (None: not known to the caller; the key is left out).

    Returns:
        Metadata keys to values, all strings (Delta field metadata).
    """
    meta = {STATUS: str(status), REASON: reason, STATUS_HISTORY: HISTORY_TABLES}
    if day is not None:
        meta[STATUS_DATE] = day.isoformat()
    return meta
