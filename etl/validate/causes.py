"""Why rows failed validation, in words a data engineer can act on, without quoting a value.

A run that quarantines too many rows stops; its message must say which column and check failed,
how often, and what the offending values look like. Values are described by their *shape*
(digits become ``9``, Latin letters ``A``, Han characters ``字``; punctuation stays), so
``2024-05`` is ``9999-99``, which reads as "a year and month" without naming any value: shapes
are as safe as counts in logs, summaries, alerts and the pages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

#: Prefix of the reason code of a value that did not parse as its declared type.
CAST_PREFIX = "cast:"
#: Longest shape kept (a long text's shape says nothing more).
SHAPE_LENGTH = 24
#: Causes named in a message, most frequent first.
TOP_CAUSES = 3

#: Shapes of dates that are not whole dates, and what a person should know about them.
_DATE_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"^9999(?:[-/.]99?|99|年99?月)$"),
        "looks like YYYY-MM, a month rather than a date: declare the column string, or ask for "
        "whole dates",
    ),
    (re.compile(r"^9999年?$"), "looks like YYYY, a year alone: declare the column int64 or string"),
    (
        re.compile(r"^99?[-/.]99?[-/.]9999$"),
        "looks like DD/MM/YYYY or MM/DD/YYYY (year last): the order is ambiguous, so it is not "
        "read; ask for YYYY-MM-DD or declare the column string",
    ),
    (
        re.compile(r"^99999(?:\.9+)?$"),
        "looks like an Excel serial day number: set normalize.dates.excel_serial: true",
    ),
)
_UNIT = re.compile(r"^[-+]?[9,]+(?:\.9+)?(?:字+|%|A+)$")


@dataclass(frozen=True)
class Cause:
    """One reason rows failed, with its count and, for a type, the commonest value shape."""

    reason: str
    rows: int
    shape: str | None = None
    shape_rows: int = 0

    def describe(self) -> str:
        """``jfyf (declared date): 2,000 rows do not parse; 2,000 look like "9999-99" ...``."""
        if not self.reason.startswith(CAST_PREFIX):
            return f"{self.reason}: {self.rows:,} rows"
        column, _, type_name = self.reason[len(CAST_PREFIX) :].rpartition(":")
        text = f"{column} (declared {type_name}): {self.rows:,} values do not parse"
        if self.shape is None:
            return text
        return (
            f'{text}; {self.shape_rows:,} look like "{self.shape}"{_advice(self.shape, type_name)}'
        )


def _advice(shape: str, type_name: str) -> str:
    if type_name in ("date", "timestamp"):
        for pattern, advice in _DATE_SHAPES:
            if pattern.match(shape):
                return f" ({advice})"
    if type_name in ("int64", "float64") and _UNIT.match(shape):
        return " (a number with a unit: declare it under normalize.numbers)"
    if type_name == "int64" and re.fullmatch(r"[-+]?9+\.9+", shape):
        return " (decimals in an int64 column: declare it decimal(p,s) for money, else float64)"
    return ""


def shapes(values: pa.Array) -> pa.Array:
    """The value-free shape of each value (null stays null)."""
    text = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(values), 0, SHAPE_LENGTH)
    text = pc.replace_substring_regex(text, r"[0-9]", "9")
    text = pc.replace_substring_regex(text, r"[A-Za-z]", "A")
    return pc.replace_substring_regex(text, r"\p{Han}", "字")


@dataclass
class FailureCauses:
    """Reason codes of failed rows and the shapes of values that did not parse, over batches."""

    reasons: Counter[str] = field(default_factory=Counter)
    cast_shapes: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, reasons: pa.Array, raw: pa.Table | None = None) -> None:
        """Count one batch's failed rows.

        Args:
            reasons: per failed row, the ``;``-joined reason codes.
            raw: the same rows as delivered (strings), to take the shapes of cast failures.
        """
        if len(reasons) == 0:
            return
        counted = pc.value_counts(reasons)
        for joined, count in zip(
            counted.field("values").to_pylist(), counted.field("counts").to_pylist(), strict=True
        ):
            for reason in (joined or "").split(";"):
                if reason:
                    self.reasons[reason] += count
        if raw is None:
            return
        for reason in {r for r in self.reasons if r.startswith(CAST_PREFIX)}:
            column = reason[len(CAST_PREFIX) :].rpartition(":")[0]
            if column not in raw.column_names:
                continue
            hit = pc.fill_null(pc.match_substring(reasons, reason), False)
            values = raw.column(column).filter(hit)
            if len(values) == 0:
                continue
            found = pc.value_counts(shapes(values.combine_chunks().cast(pa.string())))
            tally = self.cast_shapes.setdefault(reason, Counter())
            for shape, count in zip(
                found.field("values").to_pylist(), found.field("counts").to_pylist(), strict=True
            ):
                tally[shape if shape is not None else "(empty)"] += count

    def top(self, n: int = TOP_CAUSES) -> list[Cause]:
        """The ``n`` most frequent causes, each with its commonest shape where it is a cast."""
        out: list[Cause] = []
        for reason, rows in self.reasons.most_common(n):
            tally = self.cast_shapes.get(reason)
            if tally:
                shape, shape_rows = tally.most_common(1)[0]
                out.append(Cause(reason, rows, shape, shape_rows))
            else:
                out.append(Cause(reason, rows))
        return out

    def describe(self, n: int = TOP_CAUSES) -> str:
        """One line: the most frequent causes, ``; ``-joined (empty when nothing failed)."""
        return "; ".join(c.describe() for c in self.top(n))
