"""The category table: one :class:`~etl.classify.category.Category` per category of the spec (§3).

To add a category, add its record to the family module it belongs to (or a new family here)
and its value check to :mod:`etl.classify.detectors`; detection, default grades, name hints,
free-text scan, canonical form, zone projection and suite formats follow from the record.

The order of :data:`CATEGORIES` is precedence: when two detectors score exactly alike, the
earlier category wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from etl.classify.categories import contact, documents, numbers, person, sensitive
from etl.classify.category import Category

#: The category id of a column no category claimed.
NONE = "none"

#: Every category, in precedence order.
CATEGORIES: tuple[Category, ...] = (
    *numbers.CATEGORIES,
    *contact.CATEGORIES,
    *documents.CATEGORIES,
    *person.CATEGORIES,
    *sensitive.CATEGORIES,
)


def by_id(categories: Iterable[Category]) -> dict[str, Category]:
    """The categories keyed by id, in their order.

    Args:
        categories: category records.

    Returns:
        id → record.

    Raises:
        ValueError: if two records share an id, or one uses the reserved id ``none``.
    """
    out: dict[str, Category] = {}
    for category in categories:
        if category.id in out or category.id == NONE:
            raise ValueError(f"category id {category.id!r} is defined twice or reserved")
        out[category.id] = category
    return out


_BY_ID: Mapping[str, Category] = by_id(CATEGORIES)


def find_category(category_id: str) -> Category | None:
    """The record of ``category_id``, or None for ``none`` and ids no record has."""
    return _BY_ID.get(category_id)


def get_category(category_id: str) -> Category:
    """The record of ``category_id``.

    Raises:
        KeyError: if no record has that id (``none`` has none).
    """
    return _BY_ID[category_id]


__all__ = ["CATEGORIES", "NONE", "Category", "by_id", "find_category", "get_category"]
