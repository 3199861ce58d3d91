"""Grades L1 < L2 < L3 < L4 and the default grade of each category (classification.md §1, §3)."""

from __future__ import annotations

from collections.abc import Iterable

from etl.errors import ConfigError

#: The four grades of ordinary data, lowest first.
GRADES: tuple[str, ...] = ("L1", "L2", "L3", "L4")

#: Dataset flags the registry may set.
FLAGS: tuple[str, ...] = ("IMP", "CORE")

#: Grade of a column that no detector claimed: non-personal operational data.
NONE_GRADE = "L2"

#: Default grade of every category id of the spec (§3), plus ``none``.
DEFAULT_GRADES: dict[str, str] = {
    "none": NONE_GRADE,
    "id_card": "L3",
    "uscc": "L1",
    "org_code": "L1",
    "mobile_phone": "L3",
    "landline_phone": "L3",
    "bank_card": "L4",
    "passport": "L3",
    "license_plate": "L3",
    "email": "L3",
    "ip_address": "L3",
    "geo_coordinate": "L3",
    "address": "L3",
    "person_name": "L3",
    "birth_date": "L3",
    "gender": "L2",
    "ethnicity": "L3",
    "religion": "L4",
    "health": "L4",
    "biometric": "L4",
    "property_cert": "L4",
    "social_security": "L3",
    "credential": "L4",
    "criminal_record": "L4",
    # GB/T 35273 个人财产信息: a person's wages, contribution base, loans, deposits, payments
    # received. Sensitive personal information (L4); only ever decided in a table about persons.
    "personal_finance": "L4",
}

#: Categories that identify a person on their own (used by rules R2 and R3).
DIRECT_IDENTIFIERS: frozenset[str] = frozenset(
    {
        "id_card",
        "mobile_phone",
        "landline_phone",
        "passport",
        "license_plate",
        "email",
        "person_name",
        "social_security",
    }
)


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
