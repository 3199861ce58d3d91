"""The detector registry: one detector per category record, in the table's precedence order.

Registration order breaks exact ties between categories (earlier wins).
"""

from __future__ import annotations

from collections.abc import Iterable

from etl.classify.categories import CATEGORIES
from etl.classify.category import Category
from etl.classify.detectors.base import Detector


def register(detector: Detector) -> Detector:
    """Add ``detector`` to the registry (one per category).

    Args:
        detector: the detector.

    Returns:
        The same detector.

    Raises:
        ValueError: if its category already has a detector.
    """
    if detector.category in _REGISTRY:
        raise ValueError(f"a detector for {detector.category!r} is already registered")
    _REGISTRY[detector.category] = detector
    return detector


def detector_table(categories: Iterable[Category]) -> dict[str, Detector]:
    """The detectors of ``categories``, keyed by category id, in their order.

    Raises:
        ValueError: if two records share an id.
    """
    table: dict[str, Detector] = {}
    for category in categories:
        if category.id in table:
            raise ValueError(f"a detector for {category.id!r} is already registered")
        table[category.id] = category.detector
    return table


_REGISTRY: dict[str, Detector] = detector_table(CATEGORIES)


def detectors() -> tuple[Detector, ...]:
    """All registered detectors, in registration order (earlier wins exact ties)."""
    return tuple(_REGISTRY.values())


def get_detector(category: str) -> Detector:
    """The detector of ``category``.

    Raises:
        KeyError: if no detector is registered for it.
    """
    return _REGISTRY[category]
