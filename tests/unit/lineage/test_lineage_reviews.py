"""Review rows, how holds fold and close, and the record step's use of the LOAD JSON."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from etl.classify.model import DatasetClassification
from etl.errors import StagingRecordError
from etl.lineage import read_meta
from etl.lineage.reviews import fold_holds, review_rows
from etl.runtime.records import LoadResult, RuleHit, Withheld, read_record
from tests.unit.cli.review_lake import SECRETS, make_review_lake

T0 = datetime(2024, 6, 1, 8, tzinfo=UTC)
DAY = date(2024, 6, 1)


def _row(kind: str, subject: str | None, status: str, hours: int, **extra: Any) -> dict[str, Any]:
    return {
        "lineage_run_id": f"dag/r{hours}",
        "dataset": "people",
        "logical_date": DAY + timedelta(days=hours),
        "kind": kind,
        "subject": subject,
        "detail": f"{kind} {subject}",
        "status": status,
        "recorded_at": T0 + timedelta(hours=hours),
        "category": extra.get("category"),
        "grade": extra.get("grade"),
        "reviewer": extra.get("reviewer"),
    }


def test_pending_rows_of_one_column_fold_into_one_hold() -> None:
    rows = [
        _row("withheld_column", "bz", "pending", 0, category="mobile_phone", grade="L3"),
        _row("withheld_column", "bz", "pending", 1, category="mobile_phone", grade="L3"),
        _row("classification_drift", "hh", "pending", 2, category="id_card", grade="L3"),
    ]
    holds = fold_holds(rows)
    assert [(h.kind, h.subject, h.runs) for h in holds] == [
        ("classification_drift", "hh", 1),
        ("withheld_column", "bz", 2),
    ]
    assert holds[1].dates == (DAY, DAY + timedelta(days=1))
    assert holds[1].command == (
        'pubdata review confirm people bz --category mobile_phone --grade L3 --reason "…"'
    )


def test_a_confirmation_closes_earlier_column_holds_only() -> None:
    rows = [
        _row("withheld_column", "bz", "pending", 0),
        _row("classification_drift", "bz", "pending", 1),
        _row("classification_drift", "hh", "pending", 1),
        _row("column_confirmed", "bz", "confirmed", 2, reviewer="王五"),
    ]
    assert [(h.kind, h.subject) for h in fold_holds(rows)] == [("classification_drift", "hh")]
    # a run after the confirmation that holds the column again opens a new hold of one run
    rows.append(_row("withheld_column", "bz", "pending", 3))
    reopened = [h for h in fold_holds(rows) if h.subject == "bz"]
    assert [(h.kind, h.runs) for h in reopened] == [("withheld_column", 1)]


def test_imp_holds_close_when_the_registry_decides_or_r5_stops_firing() -> None:
    text = "R5 scale: 12,000 distinct persons ≥ 10 (by 'sfzh')"
    r5 = DatasetClassification((), "L4", ("IMP",), (RuleHit(id="R5", text=text),))
    common = {"lineage_run_id": "dag/r1", "dataset": "people", "held": [], "now": T0}
    candidate = review_rows(**common, logical_date=DAY, classification=r5, registry_important=False)
    assert [(r["kind"], r["status"]) for r in candidate] == [("important_data", "pending")]
    decided = review_rows(
        **common | {"now": T0 + timedelta(hours=1)},
        logical_date=DAY,
        classification=r5,
        registry_important=True,
    )
    assert [(r["status"], r["reviewer"]) for r in decided] == [("confirmed", "registry")]
    assert fold_holds(candidate) and not fold_holds(candidate + decided)
    resolved = review_rows(
        **common | {"now": T0 + timedelta(hours=1)},
        logical_date=DAY,
        classification=DatasetClassification((), "L1", (), ()),
        registry_important=False,
        important_pending=True,
    )
    assert [r["status"] for r in resolved] == ["resolved"]
    assert not fold_holds(candidate + resolved)


def test_withheld_entries_are_checked(tmp_path: Path) -> None:
    good = {"column": "bz", "category": "mobile_phone", "grade": "L3", "values": 3, "checked": 9}
    load = {"version": 1, "tables": {}, "versions": {}, "rows_loaded": 0, "rows_quarantined": 0}
    load |= {"generation": 1}
    (tmp_path / LoadResult.FILE).write_text(json.dumps(load | {"withheld": [good]}))
    assert read_record(tmp_path, LoadResult).withheld == (
        Withheld(column="bz", category="mobile_phone", grade="L3", values=3, checked=9),
    )
    (tmp_path / LoadResult.FILE).write_text(json.dumps(load))
    assert read_record(tmp_path, LoadResult).withheld == ()
    (tmp_path / LoadResult.FILE).write_text(
        json.dumps(load | {"withheld": [good | {"values": "3"}]})
    )
    with pytest.raises(StagingRecordError, match="withheld"):
        read_record(tmp_path, LoadResult)


def test_record_turns_the_load_json_withheld_into_reviews_and_summary(tmp_path: Path) -> None:
    lake = make_review_lake(tmp_path)
    summary = lake.summaries[-1]
    assert summary["withheld"] == [
        {"column": "bz", "category": "mobile_phone", "grade": "L3", "values": 3, "checked": 3}
    ]
    assert "WITHHELD" in summary["flags"]
    rows = [r for r in read_meta(lake.settings.lake, "reviews").to_pylist()]
    assert [(r["kind"], r["subject"], r["status"]) for r in rows] == [
        ("withheld_column", "bz", "pending")
    ] * 2
    detail = rows[0]["detail"]
    assert "mobile_phone" in detail and "3 of 3 values checked" in detail
    assert "withheld from shared/open" in detail
    assert "pubdata review confirm people bz --category mobile_phone --grade L3" in detail
    texts = [str(v) for r in rows for v in r.values()] + [str(summary)]
    assert not [s for s in SECRETS if any(s in t for t in texts)]


def test_a_run_without_withheld_columns_records_none(tmp_path: Path) -> None:
    lake = make_review_lake(tmp_path, withheld=False)
    assert lake.summaries[-1]["withheld"] == []
    assert "WITHHELD" not in lake.summaries[-1]["flags"]
    assert read_meta(lake.settings.lake, "reviews").num_rows == 0
