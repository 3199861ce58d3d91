"""Canonical forms tokens and person counts are computed over, by category.

Each category's record names its form (``Category.canonical``; see :mod:`etl.text.canonical`
for the forms): id_card and social_security ``id_number``, mobile_phone ``mobile``, bank_card
``digits``, passport and license_plate ``plate``; ``none`` and every other category ``text``.
"""

from __future__ import annotations

from typing import Any

from etl.classify.categories import find_category
from etl.text.canonical import canonical_form, canonical_form_one


def form_of(category: str) -> str:
    """The canonical form of ``category`` (``text`` for ``none``)."""
    record = find_category(category)
    return record.canonical if record is not None else "text"


def canonical(values: Any, category: str) -> Any:
    """Canonical forms of a string array for ``category``; nulls and empty forms become null.

    Args:
        values: pyarrow string array.
        category: category id of the column.

    Returns:
        String array of the same length.
    """
    return canonical_form(values, form_of(category))


def canonical_one(value: str, category: str) -> str | None:
    """Python twin of :func:`canonical` for one value.

    Args:
        value: the raw value.
        category: category id of the column.

    Returns:
        The canonical form, or None if it is empty.
    """
    return canonical_form_one(value, form_of(category))
