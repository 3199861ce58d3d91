"""Registry of detectors keyed by category id: one detector for every category of the spec (§3).

Registration order breaks exact ties between categories (earlier wins).
"""

from __future__ import annotations

from etl.classify.detectors import (
    address,
    biometric,
    codes,
    contact,
    dates,
    documents,
    geo,
    health,
    id_card,
    person_name,
    phone,
    records,
    valuesets,
    vehicle,
)
from etl.classify.detectors.base import Detector

_REGISTRY: dict[str, Detector] = {}


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


def detectors() -> tuple[Detector, ...]:
    """All registered detectors, in registration order (earlier wins exact ties)."""
    return tuple(_REGISTRY.values())


def get_detector(category: str) -> Detector:
    """The detector of ``category``.

    Raises:
        KeyError: if no detector is registered for it.
    """
    return _REGISTRY[category]


for _detector in (
    id_card.DETECTOR,
    codes.USCC,
    codes.ORG_CODE,
    codes.BANK_CARD,
    phone.DETECTOR,
    phone.LANDLINE,
    contact.EMAIL,
    contact.IP_ADDRESS,
    vehicle.DETECTOR,
    documents.PASSPORT,
    documents.SOCIAL_SECURITY,
    documents.PROPERTY_CERT,
    person_name.DETECTOR,
    address.DETECTOR,
    dates.DETECTOR,
    geo.DETECTOR,
    valuesets.GENDER,
    valuesets.ETHNICITY,
    valuesets.RELIGION,
    health.DETECTOR,
    biometric.DETECTOR,
    records.CREDENTIAL,
    records.CRIMINAL_RECORD,
    records.PERSONAL_FINANCE,
):
    register(_detector)

__all__ = ["Detector", "detectors", "get_detector", "register"]
