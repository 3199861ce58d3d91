"""What a zone projection can do to a column, once: its name, its status, its note.

The name is what ``_meta.column_lineage`` records (``etl.protect.zones``); the status is what a
shared or open table's field metadata says (``etl.lake.dictionary.ColumnStatus``); the note is
what the field's comment adds to the column's title (``etl.pipeline.table_docs``). Notes say
how, never a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.lake.dictionary import ColumnStatus


@dataclass(frozen=True)
class Transformation:
    """One thing a zone does to a column.

    Attributes:
        status: what the zone's table then holds of it.
        note: the transformation in words, for the field comment (None: nothing to say).
    """

    status: ColumnStatus
    note: str | None


#: Every transformation, by the name lineage records.
TRANSFORMATIONS: dict[str, Transformation] = {
    "identity": Transformation(ColumnStatus.PUBLISHED, None),
    "masked": Transformation(ColumnStatus.MASKED, "已脱敏 masked: part of each value is hidden"),
    "tokenized": Transformation(
        ColumnStatus.TOKENIZED,
        "已令牌化 tokenized: the same value gives the same keyed token; not reversible",
    ),
    "generalized": Transformation(
        ColumnStatus.GENERALIZED,
        "已泛化 generalized: a coarser value (year, district, network, 2 decimals)",
    ),
    "dropped": Transformation(
        ColumnStatus.REMOVED, "不提供 dropped: this zone holds no values of the column"
    ),
    # kept out by the publication guard (etl.protect.guard) until a person confirms
    "withheld": Transformation(
        ColumnStatus.WITHHELD,
        "暂不提供 withheld: kept out until a person confirms the publication guard",
    ),
}
