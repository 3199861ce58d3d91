"""Draft a suite from a delivered file, for a person to review: never a personal value in it.

What the draft may contain, and why nothing in it identifies anyone:

* structure: ``expect_table_columns_to_match_set`` (column names) and a row-count range from
  1 to the row count rounded up to ten times its order of magnitude;
* ``expect_column_values_to_not_be_null`` where the file has no nulls;
* formats of classified columns from a fixed table of patterns per category (the patterns
  are written on the category records, not learned from the data), where at least 95 % of
  values match;
* only for columns the classifier finds not sensitive (category ``none``, grade L1/L2): value
  sets when a column has at most 20 distinct values *and each occurs at least 5 times* (no rare
  value that could single someone out), ranges rounded outward to one significant digit
  (numbers) or to whole years (dates), and uniqueness when every value is distinct.

Classified columns (any category other than ``none``, or grade L3/L4) get no value set, no
range and no uniqueness hint: only not-null and their category's format. Every suggested
expectation is ``meta.severity: "warn"`` except the structural ones, and carries
``meta.suggested`` saying why; the suite's ``meta.pubdata_draft`` names the file it came from.

The draft passes ``pubdata registry check`` as it is: when the dataset declares ``columns:``,
the check accepts expectations only on declared columns, so the draft names no other column.
Nothing is left out silently: ``meta.pubdata_draft.notes`` (printed by the command) names the
undeclared columns and every declared column whose values do not parse as declared, with the
count and shape of those values, so the person fixes the registry and suggests again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.categories import CATEGORIES

#: Formats by category (classification.md §3): each record's ``suite_format``; only these
#: patterns ever appear in a draft.
CATEGORY_FORMATS: dict[str, str] = {
    c.id: c.suite_format for c in CATEGORIES if c.suite_format is not None
}
MAX_SET = 20
MIN_COUNT = 5
FORMAT_SHARE = 0.95


def _exp(kind: str, kwargs: dict[str, Any], why: str, severity: str = "warn") -> dict[str, Any]:
    return {"type": kind, "kwargs": kwargs, "meta": {"severity": severity, "suggested": why}}


def _round_out(value: float, up: bool) -> float | int:
    if value == 0:
        return 0
    magnitude = 10 ** math.floor(math.log10(abs(value)))
    step = (math.ceil if up else math.floor)(value / magnitude) * magnitude
    return int(step) if float(step).is_integer() else float(step)


def _classified(category: str | None, grade: str | None) -> bool:
    return (category or "none") != "none" or grade in ("L3", "L4")


def suggest_suite(
    table: pa.Table,
    name: str,
    classes: Mapping[str, tuple[str, str]],
    source: Mapping[str, Any],
    declared: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> dict[str, Any]:
    """Draft a GX 1.x suite (the ``expectations/<id>.json`` format) from a typed table.

    Args:
        table: the delivered file with the declared types applied (no pipeline columns).
        name: the suite name (the dataset id).
        classes: ``column → (category, grade)`` from classification; a column missing here is
            treated as classified.
        source: the file's fingerprint (relative path, sha256, rows) for the draft's meta.
        declared: the dataset's ``columns:``; when not empty, only these columns are named.
        notes: what the person must know about the draft (e.g. columns that did not parse).

    Returns:
        The suite document (JSON-safe).
    """
    rows = table.num_rows
    top = 10 ** (math.floor(math.log10(max(rows, 1))) + 1)
    named = [c for c in table.column_names if not declared or c in declared]
    left_out = [c for c in table.column_names if c not in named]
    if left_out:
        notes = [*notes, _undeclared_note(left_out)]
    expectations = [
        _exp(
            "expect_table_columns_to_match_set",
            {"column_set": named, "exact_match": False},
            "the delivered columns",
            "error",
        ),
        _exp(
            "expect_table_row_count_to_be_between",
            {"min_value": 1, "max_value": max(top, 10)},
            "an empty delivery or one ten times the usual size is suspicious",
            "error",
        ),
    ]
    for column_name in named:
        category, grade = classes.get(column_name, ("unknown", "L4"))
        expectations.extend(_column(column_name, table.column(column_name), category, grade))
    return {
        "name": name,
        "id": None,
        "expectations": expectations,
        "meta": {
            "pubdata_draft": {
                "source": source.get("relative_path"),
                "sha256": source.get("sha256"),
                "rows": rows,
                "notes": list(notes),
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "review": (
                    "a draft: check every expectation, raise severities to error where a "
                    f"failure must quarantine, then save as {name}.json"
                ),
            }
        },
        "notes": None,
    }


def _undeclared_note(names: Sequence[str]) -> str:
    listed = ", ".join(names)
    return (
        f"no expectations on {listed}: not declared in columns:, and `pubdata registry check` "
        f"accepts expectations only on declared columns; declare them (e.g. {names[0]}: "
        "string) and suggest again to draft theirs"
    )


def _column(name: str, column: Any, category: str, grade: str) -> list[dict[str, Any]]:
    out = []
    values = column.drop_null()
    if len(values) and column.null_count == 0:
        out.append(
            _exp("expect_column_values_to_not_be_null", {"column": name}, "no nulls in the file")
        )
    if not len(values):
        return out
    if _classified(category, grade):
        return out + _format(name, values, category)
    return out + _observed(name, values)


def _format(name: str, values: Any, category: str) -> list[dict[str, Any]]:
    """A classified column: its category's fixed format, when most values match it."""
    pattern = CATEGORY_FORMATS.get(category)
    if not pattern or not pa.types.is_string(values.type):
        return []
    share = pc.mean(pc.cast(pc.match_substring_regex(values, pattern), pa.int8())).as_py()
    if share is None or share < FORMAT_SHARE:
        return []
    kwargs: dict[str, Any] = {"column": name, "regex": pattern}
    if share < 1:
        kwargs["mostly"] = math.floor(share * 100) / 100
    return [
        _exp(
            "expect_column_values_to_match_regex",
            kwargs,
            f"format of {category} (a fixed pattern, not learned from values)",
        )
    ]


def _observed(name: str, values: Any) -> list[dict[str, Any]]:
    """An unclassified column: a value set, a range or uniqueness, as the values show."""
    out = []
    distinct = pc.count_distinct(values).as_py()
    if pa.types.is_string(values.type) and distinct <= MAX_SET:
        out.extend(_value_set(name, values, distinct))
    elif (
        pa.types.is_integer(values.type)
        or pa.types.is_floating(values.type)
        or (pa.types.is_decimal(values.type))
    ):
        # Bounds rounded to one significant digit need no exactness: floats keep JSON simple.
        low, high = float(pc.min(values).as_py()), float(pc.max(values).as_py())
        out.append(
            _exp(
                "expect_column_values_to_be_between",
                {
                    "column": name,
                    "min_value": 0 if low >= 0 else _round_out(low, up=False),
                    "max_value": _round_out(high, up=True),
                },
                "observed range rounded outward to one significant digit",
            )
        )
    elif pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        low, high = pc.min(values).as_py(), pc.max(values).as_py()
        out.append(
            _exp(
                "expect_column_values_to_be_between",
                {
                    "column": name,
                    "min_value": date(low.year, 1, 1).isoformat(),
                    "max_value": date(high.year + 1, 1, 1).isoformat(),
                },
                "observed range widened to whole years",
            )
        )
    if distinct == len(values) and len(values) >= MAX_SET and pa.types.is_string(values.type):
        out.append(
            _exp("expect_column_values_to_be_unique", {"column": name}, "every value distinct")
        )
    return out


def _value_set(name: str, values: Any, distinct: int) -> list[dict[str, Any]]:
    """A string column of few values, each seen often enough: the set of them."""
    counts = pc.value_counts(values)
    if pc.min(counts.field("counts")).as_py() < MIN_COUNT:
        return []
    value_set = sorted(counts.field("values").to_pylist())
    return [
        _exp(
            "expect_column_values_to_be_in_set",
            {"column": name, "value_set": value_set},
            f"{distinct} values, each at least {MIN_COUNT} times",
        )
    ]


def draft_from_delivery(settings: Any, dataset: Any, day: date) -> dict[str, Any]:
    """Profile the file delivered for ``day`` and draft a suite for it.

    The file is read like the extract step reads it (declared types applied; stored
    resubmissions are not applied) and classified like the classify step classifies it, with
    the registry's overrides.

    Args:
        settings: :class:`etl.settings.Settings`.
        dataset: the :class:`etl.registry.Dataset`.
        day: the logical date whose delivery to profile.

    Returns:
        The draft suite document.

    Raises:
        SourceNotReady: nothing was delivered for ``day``.
        PolicyError: the path escapes the landing zone.
        DataError: the file cannot be read as declared.
    """
    from etl.classify import classify_table
    from etl.classify.model import column_overrides
    from etl.extract import cast_columns, read_source, resolve_source_path
    from etl.validate.causes import FailureCauses

    path = resolve_source_path(settings.landing, dataset.source.path, day)
    raw, fingerprint = read_source(path, dataset.source, landing=settings.landing)
    cast = cast_columns(raw, dataset.column_types, source_name=fingerprint.relative_path)
    causes = FailureCauses()
    failed = pc.fill_null(cast.failed_rows, False)
    causes.add(cast.row_reasons.filter(failed), raw.filter(failed))
    notes = [
        f"{cause.describe()}; the draft checks only the values that parse: correct the "
        "declared type and suggest again"
        for cause in causes.top(len(dataset.columns))
    ]
    spec = dataset.classification
    overrides = column_overrides(spec.columns)
    result = classify_table(
        raw, overrides=overrides, floor=spec.floor, baseline=spec.baseline, logical_date=day
    )
    classes = {c.name: (c.category, c.grade) for c in result.columns}
    return suggest_suite(
        cast.table, dataset.id, classes, fingerprint.to_dict(), dataset.column_types, notes
    )
