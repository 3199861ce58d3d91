"""One column under a dataset's ``columns:``: its declared type and its data-dictionary entry.

A column is written either as its type alone (``xm: string``), as registry files always could,
or as a mapping that also documents it for the people who read the tables::

    columns:
      xm: {title: 姓名}                       # no type: a string column
      jfjs:
        type: decimal(12,2)
        title: 缴费基数
        description: 当月社保缴费基数（元）

Both forms become one :class:`ColumnSpec`, the definition everything else derives from: the
types the extract step casts to, the titles and descriptions written into the Delta tables'
schemas, the catalog, the pages and the inventory. A column listed without a type is declared
``string`` (so it must be delivered and is trimmed like any declared string column); columns not
listed at all stay strings as delivered. This module imports nothing heavy: DAG files parse the
registry.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from etl.registry.closed import Closed
from etl.registry.types import DECIMAL_PATTERN, SIMPLE_TYPES, canonical_type, column_type_problem

#: Han characters (CJK unified ideographs, extension A, compatibility): a Chinese header.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _column_type(value: str) -> str:
    problem = column_type_problem(value)
    if problem:
        raise ValueError(problem)
    return canonical_type(value)


#: A declared column type (:mod:`etl.registry.types`); editors see the same choices.
ColumnType = Annotated[
    str,
    AfterValidator(_column_type),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": list(SIMPLE_TYPES)},
                {"type": "string", "pattern": DECIMAL_PATTERN, "description": "decimal(p,s)"},
            ]
        }
    ),
]


class ColumnSpec(Closed):
    """A declared column: its type, and its title and description in the data dictionary.

    Readers see the title beside the column name: in the Delta field comment, the pages, the
    catalog and the inventory. Without one the column is titled by its delivered header.
    """

    type: ColumnType = Field(default="string", description="the declared type (default string)")
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="the column's Chinese title (字段中文名); default: the delivered header",
    )
    description: str | None = Field(
        default=None, min_length=1, description="what the column holds, for the data dictionary"
    )


def _from_type_name(value: Any) -> Any:
    """A column written as its type alone (``xm: int64``) is the mapping ``{type: int64}``.

    A bad type name is refused here, so the problem names the column (``columns.xm``) as it
    is written, not a ``type`` key the file does not have.
    """
    if isinstance(value, str):
        problem = column_type_problem(value.strip())
        if problem:
            raise ValueError(problem)
        return {"type": value}
    if not isinstance(value, dict | ColumnSpec):
        raise ValueError(
            "expected a type (string, int64, ...) or a mapping of type, title and description"
        )
    return value


#: How ``columns:`` holds a column: a type name or a :class:`ColumnSpec` mapping.
DeclaredColumn = Annotated[
    ColumnSpec, BeforeValidator(_from_type_name, json_schema_input_type=ColumnType | ColumnSpec)
]


def default_title(name: str, delivered: str | None, comment: str | None = None) -> str:
    """A column's title when the registry gives none.

    Args:
        name: the column's (canonical) name.
        delivered: the delivered header ``normalize.rename`` maps to it, if any.
        comment: the source's comment on the column (databases), if any.

    Returns:
        A Chinese delivered header, else the source's comment, else the delivered header (the
        renamed one, or the name itself).
    """
    if delivered is not None and _HAN.search(delivered):
        return delivered
    return comment or delivered or name
