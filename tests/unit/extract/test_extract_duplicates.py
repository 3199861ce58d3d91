from __future__ import annotations

from datetime import date

from etl.extract import PreviousDelivery, SourceFingerprint, duplicate_deliveries
from etl.extract.duplicates import find_duplicate

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)


def _fp(rel: str, sha: str, kind: str = "file") -> SourceFingerprint:
    return SourceFingerprint(f"file:///l/{rel}", rel, sha, 10, "utf-8", "csv", 1, kind=kind)


PREVIOUS = [
    PreviousDelivery("aaa", "ingest__x__y/run-1", D1, "y/2024-06-01.csv"),
    PreviousDelivery("bbb", "ingest__x__y/run-0", date(2024, 5, 31), "y/2024-05-31.csv"),
]


def test_same_file_for_another_date_is_a_duplicate() -> None:
    match = find_duplicate("aaa", logical_date=D2, previous=PREVIOUS)
    assert match is not None and match.lineage_run_id == "ingest__x__y/run-1"
    [dup] = duplicate_deliveries(
        [_fp("y/2024-06-02.csv", "aaa")], logical_date=D2, previous=PREVIOUS
    )
    assert dup.message == (
        "y/2024-06-02.csv is a duplicate of the delivery loaded by run ingest__x__y/run-1"
        " for 2024-06-01 (y/2024-06-01.csv)"
    )


def test_rerun_of_the_same_date_is_not_a_duplicate() -> None:
    assert find_duplicate("aaa", logical_date=D1, previous=PREVIOUS) is None
    assert (
        duplicate_deliveries([_fp("y/2024-06-01.csv", "aaa")], logical_date=D1, previous=PREVIOUS)
        == []
    )


def test_identical_files_in_one_delivery_and_non_file_sources() -> None:
    fps = [_fp("y/a.csv", "ccc"), _fp("y/b.csv", "ccc"), _fp("db:t", "aaa", kind="sql")]
    [dup] = duplicate_deliveries(fps, logical_date=D2, previous=PREVIOUS)
    assert dup.relative_path == "y/b.csv"
    assert dup.message == "y/b.csv duplicates y/a.csv in this delivery (same sha256)"


def test_from_meta_rows() -> None:
    rows = [
        {"sha256": "aaa", "lineage_run_id": "r", "logical_date": "2024-06-01", "role": "delivery"},
        {"sha256": "zzz", "lineage_run_id": "r", "logical_date": D1, "role": "resubmission"},
    ]
    parsed = [PreviousDelivery.from_row(row) for row in rows]
    assert parsed[0] == PreviousDelivery("aaa", "r", D1, None)
    assert parsed[1] is None
