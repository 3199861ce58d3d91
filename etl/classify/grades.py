"""Grades L1 < L2 < L3 < L4 and the default grade of each category (classification.md §1, §3).

A category's default grade is on its record (:mod:`etl.classify.categories`); the tables here
are derived from the records.
"""

from __future__ import annotations

from collections.abc import Iterable

from etl.classify.categories import CATEGORIES, NONE
from etl.classify.category import Category
from etl.errors import ConfigError

#: The four grades of ordinary data, lowest first.
GRADES: tuple[str, ...] = ("L1", "L2", "L3", "L4")

#: Dataset flags the registry may set.
FLAGS: tuple[str, ...] = ("IMP", "CORE")

#: Grade of a column that no detector claimed: non-personal operational data.
NONE_GRADE = "L2"


def default_grades(categories: Iterable[Category]) -> dict[str, str]:
    """Default grade of ``none`` and of every category, in the categories' order.

    Args:
        categories: category records.

    Returns:
        category id → grade.

    Raises:
        ConfigError: if a record's grade is not a grade.
    """
    return {NONE: NONE_GRADE, **{c.id: check_grade(c.grade) for c in categories}}


def direct_identifiers(categories: Iterable[Category]) -> frozenset[str]:
    """Ids of the categories that identify a person on their own (rules R2 and R3)."""
    return frozenset(c.id for c in categories if c.identifies_person)


def check_grade(grade: str) -> str:
    """Return ``grade`` if it is one of :data:`GRADES`.

    Args:
        grade: a grade string such as ``"L3"``.

    Returns:
        The same string.

    Raises:
        ConfigError: if it is not a grade.
    """
    if grade not in GRADES:
        raise ConfigError(f"unknown grade {grade!r}; expected one of {', '.join(GRADES)}")
    return grade


def check_category(category: str) -> str:
    """Return ``category`` if it is a category id of the spec or ``none``.

    Args:
        category: a category id such as ``"id_card"``.

    Returns:
        The same string.

    Raises:
        ConfigError: if the id is unknown.
    """
    if category not in DEFAULT_GRADES:
        raise ConfigError(f"unknown category {category!r} (see classification.md §3)")
    return category


def grade_rank(grade: str) -> int:
    """Position of ``grade`` in :data:`GRADES` (L1 → 0).

    Args:
        grade: a grade string.

    Returns:
        Its rank, 0 to 3.
    """
    return GRADES.index(check_grade(grade))


def max_grade(*grades: str | Iterable[str]) -> str:
    """Highest of the grades given (就高从严).

    Accepts grades as separate arguments, iterables of grades, or both:
    ``max_grade("L2", "L3")``, ``max_grade(["L1", "L4"])``.

    Args:
        *grades: grade strings or iterables of grade strings.

    Returns:
        The highest grade.

    Raises:
        ValueError: if no grade is given.
        ConfigError: if a value is not a grade.
    """
    flat: list[str] = []
    for item in grades:
        if isinstance(item, str):
            flat.append(item)
        else:
            flat.extend(item)
    if not flat:
        raise ValueError("max_grade() needs at least one grade")
    return max(flat, key=grade_rank)


#: Default grade of every category id of the spec (§3), plus ``none``.
DEFAULT_GRADES: dict[str, str] = default_grades(CATEGORIES)

#: Categories that identify a person on their own (used by rules R2 and R3).
DIRECT_IDENTIFIERS: frozenset[str] = direct_identifiers(CATEGORIES)
