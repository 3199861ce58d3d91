"""Classification drift between runs, and the previous run rebuilt from _meta rows."""

from __future__ import annotations

import json

from etl.classify import (
    ColumnClassification,
    DatasetClassification,
    classification_from_meta,
    detect_drift,
)
from etl.runtime.records import RuleHit


def col(
    name: str,
    category: str,
    grade: str,
    by: str = "detector",
    base: str | None = None,
    lifted: str | None = None,
) -> ColumnClassification:
    evidence = f"test; {lifted}: lifted from {base} to L4" if lifted else "test"
    return ColumnClassification(name, category, grade, 1.0, evidence, by, base, lifted)


def ds(*columns: ColumnClassification) -> DatasetClassification:
    return DatasetClassification(tuple(columns), "L3", (), ())


def test_first_run_has_no_drift() -> None:
    assert detect_drift(None, ds(col("bz", "id_card", "L3"))) == []


def test_category_change_is_drift_with_a_clear_message() -> None:
    before = ds(col("bz", "none", "L2"), col("xm", "person_name", "L3"))
    after = ds(col("bz", "id_card", "L3"), col("xm", "person_name", "L3"))
    (drift,) = detect_drift(before, after, set())
    assert drift.column == "bz"
    assert drift.message == "column 'bz' changed from none/L2 to id_card/L3"


def test_confirmed_and_registry_columns_are_not_drift() -> None:
    before = ds(col("bz", "none", "L2"), col("zd", "none", "L2"))
    after = ds(col("bz", "id_card", "L3"), col("zd", "health", "L4", by="registry"))
    assert detect_drift(before, after, {"bz"}) == []


def test_rule_lifts_are_not_drift_but_own_grade_changes_are() -> None:
    before = ds(col("xm", "person_name", "L3"), col("jd", "geo_coordinate", "L3"))
    after = ds(
        col("xm", "person_name", "L4", base="L3", lifted="R4"),
        col("jd", "geo_coordinate", "L4", base="L3", lifted="TRACK"),
    )
    assert detect_drift(before, after) == []
    assert [d.column for d in detect_drift(after, ds(col("xm", "person_name", "L1")))] == ["xm"]


def test_new_columns() -> None:
    before = ds(col("a", "none", "L2"))
    after = ds(col("a", "none", "L2"), col("b", "none", "L2"), col("c", "email", "L3"))
    (drift,) = detect_drift(before, after)
    assert drift.message == "column 'c' appeared as email/L3"


def test_previous_run_from_meta_rows() -> None:
    def row(run: str, at: str, name: str, category: str, grade: str, evidence: str) -> dict:
        return {
            "lineage_run_id": run,
            "recorded_at": at,
            "logical_date": "2024-06-01",
            "column": name,
            "category": category,
            "grade": grade,
            "confidence": 1.0,
            "evidence": evidence,
            "decided_by": "detector",
            "dataset_grade": "L4",
            "flags": "IMP",
            "rules": json.dumps(["R1 x"]),
        }

    rows = [
        row("r1", "2024-06-01T00:00", "xm", "person_name", "L3", "old"),
        row("r2", "2024-06-02T00:00", "xm", "person_name", "L4", "e; R4: lifted from L3 to L4"),
        row("r2", "2024-06-02T00:00", "bz", "none", "L2", "e"),
    ]
    previous = classification_from_meta(rows)
    assert previous is not None
    assert [c.name for c in previous.columns] == ["xm", "bz"]
    assert previous.column("xm").own_grade == "L3" and previous.column("xm").lifted_by == "R4"
    assert previous.flags == ("IMP",) and previous.rules == (RuleHit(id="R1", text="R1 x"),)
    now = ds(col("xm", "person_name", "L3"), col("bz", "mobile_phone", "L3"))
    assert [d.column for d in detect_drift(previous, now)] == ["bz"]
    assert classification_from_meta([]) is None
