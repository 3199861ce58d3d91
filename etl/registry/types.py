"""Declared column types: the names ``columns:`` accepts and what a ``decimal(p,s)`` holds.

Money must stay exact (a float64 ``缴费基数`` averages to 9449.29296875), so besides the simple
types a column may be declared ``decimal(p,s)``: at most ``p`` digits, ``s`` of them after the
point, stored as Arrow ``decimal128(p, s)``. This module is the one definition of the
vocabulary; it imports nothing heavy because the DAG file parses the registry.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: Types declared by name alone.
SIMPLE_TYPES = ("string", "int64", "float64", "bool", "date", "timestamp")
#: Arrow's decimal128 holds at most 38 digits.
MAX_DECIMAL_PRECISION = 38
#: How a decimal type is written (spaces allowed inside the parentheses).
DECIMAL_PATTERN = r"^decimal\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$"
_DECIMAL = re.compile(DECIMAL_PATTERN)
#: Every spelling named in messages, in this order.
TYPE_NAMES = (*SIMPLE_TYPES, "decimal(p,s)")


@dataclass(frozen=True)
class DecimalType:
    """A declared ``decimal(precision, scale)``."""

    precision: int
    scale: int

    @property
    def name(self) -> str:
        """The canonical spelling, e.g. ``decimal(12,2)``: the one cast reasons carry."""
        return f"decimal({self.precision},{self.scale})"


def parse_decimal(type_name: str) -> DecimalType | None:
    """The decimal a type name declares, or None when it is not written ``decimal(p,s)``.

    A name of that shape with an impossible precision or scale is still returned; see
    :func:`column_type_problem`.
    """
    match = _DECIMAL.match(type_name)
    if match is None:
        return None
    return DecimalType(int(match.group(1)), int(match.group(2)))


def column_type_problem(type_name: str) -> str | None:
    """Why ``type_name`` is not a column type, or None when it is one."""
    if type_name in SIMPLE_TYPES:
        return None
    decimal = parse_decimal(type_name)
    if decimal is None:
        expected = ", ".join(TYPE_NAMES)
        close = difflib.get_close_matches(type_name.lower(), [*SIMPLE_TYPES, "decimal"], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown column type {type_name!r}; expected one of {expected}{hint}"
    if not 1 <= decimal.precision <= MAX_DECIMAL_PRECISION:
        return f"{type_name}: precision must be 1 to {MAX_DECIMAL_PRECISION}"
    if decimal.scale > decimal.precision:
        return f"{type_name}: scale must not exceed precision"
    return None


def canonical_type(type_name: str) -> str:
    """The spelling a valid type is stored under (``decimal( 12, 2)`` → ``decimal(12,2)``)."""
    decimal = parse_decimal(type_name)
    return decimal.name if decimal is not None else type_name
