"""The steps' staging records: written and read back whole, refused loudly when they do not fit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.classify.model import ColumnClassification, DatasetClassification
from etl.errors import PubdataError, StagingRecordError
from etl.runtime.records import (
    Delivery,
    DriftHold,
    ExtractResult,
    Fingerprint,
    LoadResult,
    RuleHit,
    RunStart,
    RunSummary,
    SchemaChangeRecord,
    Withheld,
    fired,
    maybe_record,
    read_record,
    read_record_at,
    write_record,
    write_record_at,
)

PART = Fingerprint(
    uri="file:///landing/ps/a.csv",
    relative_path="ps/a.csv",
    sha256="ab" * 32,
    bytes=120,
    encoding="utf-8",
    format="csv",
    rows=3,
)
SOURCE = ExtractResult(
    delivery=Delivery.model_validate(PART.to_dict()),
    label="ps/a.csv",
    files=(PART,),
    column_comments={"xm": "姓名"},
    rows_in=3,
    schema_change=SchemaChangeRecord(added=("bz",), warnings=("column 'bz' is new",)),
)
LOADED = LoadResult(
    tables={"restricted": "file:///lake/r", "quarantine": "file:///lake/q"},
    versions={"restricted": 0, "quarantine": 0},
    rows_loaded=2,
    rows_quarantined=1,
    generation=7,
    withheld=(Withheld(column="bz", category="mobile_phone", grade="L3", values=2, checked=3),),
)


@pytest.mark.parametrize(
    "record",
    [
        SOURCE,
        LOADED,
        DriftHold(held=("column 'bz' changed",)),
        RunStart(started_at=datetime.now(UTC)),
    ],
)
def test_a_record_reads_back_as_it_was_written(tmp_path: Path, record: object) -> None:
    write_record(tmp_path, record)  # type: ignore[arg-type]
    assert read_record(tmp_path, type(record)) == record  # type: ignore[type-var]


def test_the_classification_is_its_own_record_with_typed_rules(tmp_path: Path) -> None:
    column = ColumnClassification("xm", "person_name", "L3", 1.0, "name hint", "detector")
    hit = RuleHit(id="R5", text="R5 scale: 12,000 distinct persons ≥ 10,000")
    classification = DatasetClassification((column,), "L4", ("IMP",), (hit,))
    write_record(tmp_path, classification)
    back = read_record(tmp_path, DatasetClassification)
    assert back == classification
    assert fired(back.rules, "R5") == [hit] and fired(back.rules, "R4") == []


def test_the_summary_round_trips_through_its_json_form(tmp_path: Path) -> None:
    summary = RunSummary(status="success", dataset="people", logical_date=date(2024, 6, 1))
    assert RunSummary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary
    assert read_record_at(write_record_at(tmp_path / "x.json", summary), RunSummary) == summary


def test_another_version_fails_the_run_naming_the_file(tmp_path: Path) -> None:
    path = write_record(tmp_path, LOADED)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | {"version": 0}), encoding="utf-8")
    with pytest.raises(StagingRecordError, match=r"load\.json is version 0") as caught:
        read_record(tmp_path, LoadResult)
    assert isinstance(caught.value, PubdataError) and not caught.value.retriable
    assert "\n" not in str(caught.value)


def test_an_untyped_file_of_an_older_extract_is_refused_not_guessed(tmp_path: Path) -> None:
    old = {"uri": PART.uri, "relative_path": PART.relative_path, "sha256": PART.sha256, "rows": 3}
    (tmp_path / ExtractResult.FILE).write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(StagingRecordError, match=r"source\.json is version None"):
        read_record(tmp_path, ExtractResult)


def test_an_unknown_field_is_refused_by_name_without_its_value(tmp_path: Path) -> None:
    path = write_record(tmp_path, LOADED)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | {"secret": "13812345678"}), encoding="utf-8")
    with pytest.raises(StagingRecordError, match=r"load\.json does not fit LoadResult: secret"):
        read_record(tmp_path, LoadResult)
    try:
        read_record(tmp_path, LoadResult)
    except StagingRecordError as exc:
        assert "13812345678" not in str(exc)
    with pytest.raises(ValueError, match="Extra inputs"):
        DriftHold.model_validate({"held": [], "hold": []})


def test_an_unknown_classification_field_is_refused(tmp_path: Path) -> None:
    classification = DatasetClassification((), "L1", (), ())
    path = write_record(tmp_path, classification)
    data = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(data | {"grade": "L1"}), encoding="utf-8")
    with pytest.raises(PubdataError, match="unknown field"):
        read_record(tmp_path, DatasetClassification)


def test_a_record_a_step_did_not_write_is_none(tmp_path: Path) -> None:
    assert maybe_record(tmp_path, LoadResult) is None
    with pytest.raises(FileNotFoundError):
        read_record(tmp_path, LoadResult)


def test_records_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        LOADED.rows_loaded = 3  # type: ignore[misc]


def test_a_stored_rule_text_gives_its_id() -> None:
    stored = ["R1 max column grade: L3 from xm", "R50 a rule that does not exist yet"]
    assert [RuleHit.from_stored(t).id for t in stored] == ["R1", "R50"]
    assert RuleHit.from_stored(stored[0]).text == stored[0]


def test_what_a_step_reports_leaves_out_what_stays_in_staging() -> None:
    assert "column_lineage" not in LOADED.reported() and LOADED.reported()["rows_loaded"] == 2
    assert "column_comments" not in SOURCE.reported()
