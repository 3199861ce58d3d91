"""Column classifications round-trip through JSON, with and without the review fields."""

from __future__ import annotations

from datetime import date

import pytest

from etl.classify.model import ColumnClassification
from etl.errors import DataError


def test_review_fields_round_trip() -> None:
    column = ColumnClassification(
        "bz",
        "none",
        "L2",
        1.0,
        "registry override: none L2",
        "registry",
        reviewer="王五",
        reviewed=date(2024, 6, 3),
    )
    data = column.to_dict()
    assert data["reviewer"] == "王五" and data["reviewed"] == "2024-06-03"
    assert ColumnClassification.from_dict(data) == column


def test_older_dicts_without_review_fields_still_load() -> None:
    old = {
        "name": "xm",
        "category": "person_name",
        "grade": "L3",
        "confidence": 0.98,
        "evidence": "name hint",
        "decided_by": "detector",
    }
    column = ColumnClassification.from_dict(old)
    assert column.reviewer is None and column.reviewed is None
    assert column.to_dict() == old


def test_a_bad_review_date_is_a_data_error() -> None:
    data = ColumnClassification("a", "none", "L2", 1.0, "e", "registry").to_dict()
    with pytest.raises(DataError, match="reviewed"):
        ColumnClassification.from_dict(data | {"reviewed": "yesterday"})
