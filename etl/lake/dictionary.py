"""The data dictionary inside a Delta table: the metadata keys, in one place.

A downstream reader who opens a table with deltalake, pyarrow, Spark or DuckDB finds the
registry's words in it:

- the table's Delta ``metaData.name`` and ``metaData.description`` (``DeltaTable.metadata()``);
- on every field, Delta ``StructField.metadata`` = Arrow field metadata (also in each Parquet
  file's footer), under the keys below. ``comment`` is the key Spark and Delta show as a
  column's comment (``DESCRIBE TABLE``); the ``pubdata.*`` keys hold the parts separately.

Values are words from the registry and fixed notes, never a data value.

A shared or open table also says, per column, what the zone holds of it (``pubdata.status`` and
its reason): it keeps every column it ever had, whatever one date's data decides, and a column a
date's rows keep out (a grade lifted by R4, the publication guard, a grade above the zone) is
written as a typed column of nulls whose status says why. That metadata is the latest commit's;
what each date did to the column is in ``_meta.column_lineage``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

import pyarrow as pa

#: The field comment Spark and Delta show: title, description and the zone's note in one text.
COMMENT = "comment"
#: The column's title (字段中文名): the registry's, else its delivered header.
TITLE = "pubdata.title"
#: The registry's description of the column (absent when it gives none).
DESCRIPTION = "pubdata.description"
#: What the zone did to the source column (``etl.protect.transformations``: identity,
#: tokenized, masked, generalized, ...); absent on pipeline columns.
TRANSFORMATION = "pubdata.transformation"
#: The source column of a field the zone renamed (absent when the names are the same).
SOURCE_COLUMN = "pubdata.source_column"
#: Every key this module writes on a field.
FIELD_KEYS = (COMMENT, TITLE, DESCRIPTION, TRANSFORMATION, SOURCE_COLUMN)


@dataclass(frozen=True)
class FieldDoc:
    """What a table says about one of its columns.

    Attributes:
        title: the column's title.
        description: the registry's description, if any.
        transformation: what the zone did to the source column (None: a pipeline column).
        note: that transformation in words, for the comment (None: nothing to say).
        source_column: the source column, when the zone renamed it.
    """

    title: str
    description: str | None = None
    transformation: str | None = None
    note: str | None = None
    source_column: str | None = None

    @property
    def comment(self) -> str:
        """``title：description（note）``, the parts present."""
        text = f"{self.title}：{self.description}" if self.description else self.title
        return f"{text}（{self.note}）" if self.note else text

    def metadata(self) -> dict[str, str]:
        """The field metadata (string keys and values, as Arrow and Delta keep them)."""
        found = {
            COMMENT: self.comment,
            TITLE: self.title,
            DESCRIPTION: self.description,
            TRANSFORMATION: self.transformation,
            SOURCE_COLUMN: self.source_column,
        }
        return {key: value for key, value in found.items() if value is not None}


@dataclass(frozen=True)
class TableDoc:
    """What a table says about itself and its columns.

    Attributes:
        name: the Delta table name (the dataset's title).
        description: the Delta table description.
        fields: per column name, its :class:`FieldDoc` (columns not listed carry none).
    """

    name: str
    description: str | None = None
    fields: Mapping[str, FieldDoc] | None = None

    def annotate(self, schema: pa.Schema) -> pa.Schema:
        """``schema`` with the field metadata of every documented column (others as they are).

        A field's other metadata keys are kept; this module's keys are replaced.
        """
        docs = self.fields or {}
        annotated = []
        for field in schema:
            doc = docs.get(field.name)
            if doc is not None:
                kept = {
                    key: value
                    for key, value in (field.metadata or {}).items()
                    if key.decode() not in FIELD_KEYS
                }
                field = field.with_metadata({**kept, **doc.metadata()})
            annotated.append(field)
        return pa.schema(annotated, metadata=schema.metadata)


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
