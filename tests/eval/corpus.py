"""The labelled evaluation corpus: tables of columns with their true category and grades.

Two parts, each generated deterministically and committed as JSON; every column records where its
values came from:

* **dev** (``tests/eval/corpus.json``, ``python -m tests.eval.generate``): written alongside the
  detectors; it may be tuned on.
* **frozen** (``tests/eval/frozen/corpus.json``, ``python -m tests.eval.frozen.generate``): headers
  and values from published sources the detectors were not written against. Nobody tunes on it,
  and the bench prints only its aggregate numbers.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa

from etl.classify import DEFAULT_GRADES

CORPUS = Path(__file__).with_name("corpus.json")
FROZEN = Path(__file__).with_name("frozen") / "corpus.json"
Part = Literal["dev", "frozen"]
PARTS: tuple[Part, ...] = ("dev", "frozen")
#: The logical date the corpus is graded at (rule R4).
LOGICAL_DATE = "2024-06-01"


@dataclass(frozen=True)
class LabelledColumn:
    """One column and its true category.

    Attributes:
        name: column name as a department would deliver it.
        category: the true category id (``none`` for non-sensitive and distractor columns).
        source: where the values come from (``stdnum``, ``hutool``, ``libphonenumber``,
            ``faker``, ``synthetic``).
        distractor: True for columns built to look sensitive while they are not.
        values: the values (strings or null).
        grade: the true column grade where it is not the category's default: L1 for a
            facility's coordinates or an enterprise's legal representative, L4 for the personal
            columns of a table with children (R4) or a location series; None = the default.
    """

    name: str
    category: str
    source: str
    values: list[str | None]
    distractor: bool = False
    grade: str | None = None

    @property
    def true_grade(self) -> str:
        """The grade the column should get: :attr:`grade`, or the category's default."""
        return self.grade or DEFAULT_GRADES[self.category]


@dataclass(frozen=True)
class LabelledTable:
    """A table with its true dataset grade.

    Attributes:
        name: table name.
        grade: the true dataset grade at :data:`LOGICAL_DATE`.
        note: why that grade.
        columns: the labelled columns (all the same length).
    """

    name: str
    grade: str
    note: str
    columns: list[LabelledColumn]

    def to_arrow(self) -> pa.Table:
        """The table as Arrow strings."""
        return pa.table({c.name: pa.array(c.values, pa.string()) for c in self.columns})


def _column(column: LabelledColumn) -> dict[str, object]:
    body = asdict(column)
    if column.grade is None:  # the category's default: not written, as in the older files
        del body["grade"]
    return body


def dump(tables: list[LabelledTable]) -> str:
    """The corpus as JSON text (stable key order, one table per line block)."""
    body = {
        "logical_date": LOGICAL_DATE,
        "tables": [
            {
                "name": t.name,
                "grade": t.grade,
                "note": t.note,
                "columns": list(map(_column, t.columns)),
            }
            for t in tables
        ],
    }
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def path_of(part: Part) -> Path:
    """Where the committed JSON of ``part`` lives."""
    return CORPUS if part == "dev" else FROZEN


def load(path: Path = CORPUS) -> list[LabelledTable]:
    """Read a committed corpus part (default: the dev part)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        LabelledTable(t["name"], t["grade"], t["note"], [LabelledColumn(**c) for c in t["columns"]])
        for t in data["tables"]
    ]


def load_part(part: Part) -> list[LabelledTable]:
    """Read the committed tables of ``part`` (``dev`` or ``frozen``)."""
    return load(path_of(part))
