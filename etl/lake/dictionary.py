"""The data dictionary inside a Delta table: the metadata keys, in one place.

A downstream reader who opens a table with deltalake, pyarrow, Spark or DuckDB finds the
registry's words in it:

- the table's Delta ``metaData.name`` and ``metaData.description`` (``DeltaTable.metadata()``);
- on every field, Delta ``StructField.metadata`` = Arrow field metadata (also in each Parquet
  file's footer), under the keys below. ``comment`` is the key Spark and Delta show as a
  column's comment (``DESCRIBE TABLE``); the ``pubdata.*`` keys hold the parts separately.

Values are words from the registry and fixed notes, never a data value. Keys other writers add
to a field (a column's status in a zone, say) belong here too, so readers find them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

#: The field comment Spark and Delta show: title, description and the zone's note in one text.
COMMENT = "comment"
#: The column's title (字段中文名): the registry's, else its delivered header.
TITLE = "pubdata.title"
#: The registry's description of the column (absent when it gives none).
DESCRIPTION = "pubdata.description"
#: What the zone did to the source column (``etl.protect.zones.TRANSFORMATIONS``: identity,
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
