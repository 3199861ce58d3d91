"""What an expectation or a quarantine reason code checks, in words, without a data value.

The pages and the CLI show these beside the codes (``expect_column_values_to_match_regex(sfzh)``,
``bad_id``, ``cast:amount:float64``), in Chinese with English alongside as the pages do. A text
is built from the expectation's type, its column and its parameters as :func:`public_kwargs`
publishes them: bounds, patterns and ``mostly`` are shown; a value set is only counted (a suite
author may have listed real values there). Types without a text of their own read as GX names
them (``expect_column_mean_to_be_between`` → "column mean must be between 1 and 5").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from etl.extract.parts import RAGGED_PREFIX
from etl.validate.causes import CAST_PREFIX
from etl.validate.scrub import public_kwargs

_COUNTED = re.compile(r"^<(\d+) values>$")


def _range(kwargs: Mapping[str, Any]) -> tuple[str, str]:
    """The bounds in words, ``(中文, English)``.

    Both: ``在 0 至 220 之间``/``between 0 and 220``; one side: ``不小于 1``/``at least 1``.
    """
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    if low is not None and high is not None:
        return f"在 {low} 至 {high} 之间", f"between {low} and {high}"
    if low is not None:
        return f"不小于 {low}", f"at least {low}"
    if high is not None:
        return f"不大于 {high}", f"at most {high}"
    return "不限", "unbounded"


def _count(value: Any) -> str:
    """How many values a set parameter lists (published as ``<N values>``), never the values."""
    found = _COUNTED.match(str(value))
    return found.group(1) if found else "?"


def _columns(kwargs: Mapping[str, Any]) -> str:
    listed = kwargs.get("column_set") or kwargs.get("column_list") or []
    return str(len(listed)) if isinstance(listed, list) else "?"


#: Expectation type → its text from the published parameters (``中文 · English``).
_TEXTS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "expect_column_values_to_not_be_null": lambda k: "不得为空 · values must not be empty",
    "expect_column_values_to_be_null": lambda k: "须为空 · values must be empty",
    "expect_column_values_to_match_regex": lambda k: (
        f"须匹配正则 {k.get('regex')} · values must match the pattern {k.get('regex')}"
    ),
    "expect_column_values_to_not_match_regex": lambda k: (
        f"不得匹配正则 {k.get('regex')} · values must not match the pattern {k.get('regex')}"
    ),
    "expect_column_values_to_be_between": lambda k: (
        f"取值须{_range(k)[0]} · values must be {_range(k)[1]}"
    ),
    "expect_column_value_lengths_to_be_between": lambda k: (
        f"长度须{_range(k)[0]} · value lengths must be {_range(k)[1]}"
    ),
    "expect_column_value_lengths_to_equal": lambda k: (
        f"长度须为 {k.get('value')} · values must be {k.get('value')} characters long"
    ),
    "expect_column_values_to_be_in_set": lambda k: (
        f"须为 {_count(k.get('value_set'))} 个允许值之一 · values must be one of "
        f"{_count(k.get('value_set'))} allowed values"
    ),
    "expect_column_values_to_not_be_in_set": lambda k: (
        f"不得为 {_count(k.get('value_set'))} 个禁用值之一 · values must not be one of "
        f"{_count(k.get('value_set'))} refused values"
    ),
    "expect_column_values_to_be_unique": lambda k: "不得重复 · values must be unique",
    "expect_compound_columns_to_be_unique": lambda k: (
        "列组合不得重复 · each combination of these columns must be unique"
    ),
    "expect_select_column_values_to_be_unique_within_record": lambda k: (
        "同一行内取值不得重复 · these columns must differ within a row"
    ),
    "expect_column_values_to_match_strftime_format": lambda k: (
        f"须符合日期格式 {k.get('strftime_format')} · values must have the date format "
        f"{k.get('strftime_format')}"
    ),
    "expect_column_to_exist": lambda k: "列须存在 · the column must exist",
    "expect_table_row_count_to_be_between": lambda k: (
        f"行数须{_range(k)[0]} · the row count must be {_range(k)[1]}"
    ),
    "expect_table_row_count_to_equal": lambda k: (
        f"行数须为 {k.get('value')} · the table must have {k.get('value')} rows"
    ),
    "expect_table_column_count_to_be_between": lambda k: (
        f"列数须{_range(k)[0]} · the column count must be {_range(k)[1]}"
    ),
    "expect_table_column_count_to_equal": lambda k: (
        f"列数须为 {k.get('value')} · the table must have {k.get('value')} columns"
    ),
    "expect_table_columns_to_match_set": lambda k: (
        f"须有登记的 {_columns(k)} 列 · the table must have its {_columns(k)} registered columns"
    ),
    "expect_table_columns_to_match_ordered_list": lambda k: (
        f"须按顺序有登记的 {_columns(k)} 列 · the table must have its {_columns(k)} registered "
        "columns in order"
    ),
}
#: Types :data:`_TEXTS` describes in words of their own.
DESCRIBED = frozenset(_TEXTS)


def _generic(expectation_type: str, kwargs: Mapping[str, Any]) -> str:
    text = expectation_type.removeprefix("expect_").replace("_", " ")
    if "min_value" in kwargs or "max_value" in kwargs:
        return f"{text.removesuffix(' to be between')} must be {_range(kwargs)[1]}"
    return text


def describe_expectation(
    expectation_type: str, column: str | None, kwargs: Mapping[str, Any]
) -> str:
    """What one expectation checks, e.g. ``xm: 不得为空 · values must not be empty``.

    Args:
        expectation_type: the GX type.
        column: its column(s) (``"a"`` or ``"a,b"``), None for a table expectation.
        kwargs: its parameters (as the suite has them, or as recorded: they are published
            through :func:`public_kwargs` either way).

    Returns:
        One line, value-free.
    """
    published = public_kwargs(kwargs)
    build = _TEXTS.get(expectation_type)
    text = build(published) if build else _generic(expectation_type, published)
    mostly = published.get("mostly")
    if isinstance(mostly, int | float) and not isinstance(mostly, bool) and mostly < 1:
        text += f"（至少 {mostly:.0%} 的行 · at least {mostly:.0%} of rows）"
    return f"{column}: {text}" if column else text


def describe_reason(reason: str) -> str | None:
    """What a reason code the pipeline itself writes means: a failed cast or a ragged row.

    Args:
        reason: ``cast:<column>:<type>`` or ``ragged:<fields>/<expected>``; an expectation's
            reason is described by :func:`describe_expectation` instead.

    Returns:
        One line, or None for a code this module does not write.
    """
    if reason.startswith(CAST_PREFIX):
        column, _, type_name = reason[len(CAST_PREFIX) :].rpartition(":")
        return (
            f"{column}: 取值无法按登记的类型 {type_name} 解析 · values do not parse as the "
            f"declared type {type_name}"
        )
    if reason.startswith(RAGGED_PREFIX):
        found, _, expected = reason[len(RAGGED_PREFIX) :].partition("/")
        return (
            f"该行有 {found} 个字段，表头有 {expected} 个 · the row has {found} fields, the "
            f"header {expected}: fix the file and deliver it again"
        )
    return None
