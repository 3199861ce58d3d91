"""Classification inside the pipeline: drift holds publishing; R4 judged at the logical date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.classify.model import DatasetClassification
from etl.lineage import read_meta
from etl.lineage.reviews import pending_reviews
from etl.pipeline import steps_ingest as ingest
from etl.pipeline import steps_publish as publish
from etl.pipeline import steps_record as record
from etl.registry import Dataset
from etl.runtime.context import RunContext
from etl.settings import Settings
from tests.conftest import make_settings

IDS = ["11010519491231002X", "440524188001010014", "420102199003074578"]


def deliver(landing: Path, day: date, notes: list[str]) -> None:
    folder = landing / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["ajbh,bz"] + [f"A{i:04d},{note}" for i, note in enumerate(notes)]
    (folder / f"{day.isoformat()}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def env(tmp_path: Path) -> tuple[Settings, Dataset]:
    settings = make_settings(tmp_path / "home", PUBDATA_LANDING=str(tmp_path / "landing"))
    dataset = Dataset.model_validate(
        {
            "id": "cases",
            "title": "案件",
            "department": "public_security",
            "domain": "cases",
            "source": {"kind": "file", "format": "csv", "path": "cases/{ds}.csv"},
        }
    )
    return settings, dataset


def run(settings: Settings, dataset: Dataset, day: date) -> dict:
    ctx = RunContext("cases", "ingest__public_security__cases", f"r-{day}", day)
    ingest.extract(settings, dataset, ctx)
    ingest.validate(settings, dataset, ctx)
    publish.classify(settings, dataset, ctx)
    publish.load(settings, dataset, ctx)
    return record.record(settings, dataset, ctx).to_dict()


def test_identifiers_appearing_in_free_text_hold_publishing(
    env: tuple[Settings, Dataset],
) -> None:
    settings, dataset = env
    day1, day2, day3 = date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 3)
    deliver(settings.landing, day1, ["现场已处理完毕", "无异常情况"] * 20)
    first = run(settings, dataset, day1)
    assert set(first["tables"]) == {"restricted", "shared"}

    deliver(settings.landing, day2, [f"当事人身份证号{i}，已核实" for i in IDS] * 10)
    second = run(settings, dataset, day2)
    assert set(second["tables"]) == {"restricted"}  # shared is held
    [message] = second["held"]
    assert "'bz' changed from none/" in message and "id_card" in message
    assert not any(i in message for i in IDS)

    # a held run is not the new baseline: the drift stays until the registry confirms it
    deliver(settings.landing, day3, [f"联系人证件{i}" for i in IDS] * 10)
    third = run(settings, dataset, day3)
    assert third["held"] and set(third["tables"]) == {"restricted"}
    runs = read_meta(settings.lake, "lineage_runs").to_pylist()
    assert any("DRIFT" in (r["flags"] or "") for r in runs)
    reviews = pending_reviews(settings.lake, "cases")
    assert [r["kind"] for r in reviews] == ["classification_drift"] * 2
    assert {r["subject"] for r in reviews} == {"bz"}

    spec = dataset.model_dump()
    spec["classification"]["columns"] = {"bz": {"category": "id_card", "grade": "L3"}}
    confirmed = Dataset.model_validate(spec)
    fourth = run(settings, confirmed, day3)
    assert fourth["held"] == [] and "shared" in fourth["tables"]


def people(**extra: object) -> Dataset:
    """A person register delivered as ``people/{ds}.csv``."""
    return Dataset.model_validate(
        {
            "id": "people",
            "title": "人口",
            "department": "public_security",
            "domain": "population",
            "source": {"kind": "file", "format": "csv", "path": "people/{ds}.csv"},
            **extra,
        }
    )


def test_scale_threshold_from_the_registry_makes_the_dataset_important(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home", PUBDATA_LANDING=str(tmp_path / "landing"))
    folder = settings.landing / "people"
    folder.mkdir(parents=True)
    rows = ["xm,sfzh"] + [f"张伟,{i}" for i in IDS] * 20
    (folder / "2024-06-01.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    dataset = people(classification={"rules": {"persons_important": 3}})
    ctx = RunContext("people", "ingest__public_security__people", "r1", date(2024, 6, 1))
    ingest.extract(settings, dataset, ctx)
    ingest.validate(settings, dataset, ctx)
    summary = publish.classify(settings, dataset, ctx)
    assert "IMP" in summary.flags
    loaded = publish.load(settings, dataset, ctx)
    assert set(loaded.tables) == {"restricted", "quarantine"}
    record.record(settings, dataset, ctx)
    [review] = pending_reviews(settings.lake, "people")
    assert review["kind"] == "important_data" and review["detail"].startswith("R5")


def test_unknown_rule_threshold_is_a_registry_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="persons_importnat"):
        Dataset.model_validate(
            {
                "id": "x",
                "title": "x",
                "department": "d",
                "domain": "d",
                "source": {"kind": "file", "format": "csv", "path": "x.csv"},
                "classification": {"rules": {"persons_importnat": 3}},
            }
        )


def _register(folder: Path, minors_at: set[int], rows: int) -> None:
    from stdnum.cn import ric

    lines = ["xm,sfzh,csrq"]
    for i in range(rows):
        born = date(2015, 3, 1) if i in minors_at else date(1960 + i % 30, 1 + i % 12, 1 + i % 28)
        body = f"110105{born:%Y%m%d}{i % 1000:03d}"
        lines.append(f"张伟,{body}{ric.calc_check_digit(body + '0')},{born.isoformat()}")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "2024-06-01.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_minors_outside_the_sample_still_lift_the_batched_run_like_the_whole_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    dataset = people(columns={"csrq": "date"})
    ctx = RunContext("people", "ingest__public_security__people", "r1", date(2024, 6, 1))
    outcomes = []
    for batch_rows in ("1000000", "50"):
        settings = make_settings(
            tmp_path / batch_rows,
            PUBDATA_LANDING=str(tmp_path / "landing"),
            PUBDATA_BATCH_ROWS=batch_rows,
        )
        _register(settings.landing / "people", {333, 590}, 600)
        monkeypatch.setattr(publish, "SAMPLE_ROWS", 40)  # the two minors are not in it
        ingest.extract(settings, dataset, ctx)
        ingest.validate(settings, dataset, ctx)
        with caplog.at_level("INFO", logger="etl.pipeline.steps_publish"):
            outcomes.append(publish.classify(settings, dataset, ctx))
    whole, batched = outcomes
    assert "minors found outside the classification sample" in caplog.text

    def verdict(result: DatasetClassification) -> tuple[object, ...]:
        # what the step reported before it returned its record: grade, flags, column labels
        return (
            result.dataset_grade,
            result.flags,
            [(c.name, c.category, c.grade) for c in result.columns],
        )

    assert verdict(batched) == verdict(whole)
    assert {c.name: c.grade for c in batched.columns}["sfzh"] == "L4"


@pytest.mark.parametrize("batch_rows", ["1000000", "5"])
def test_scale_counts_persons_over_every_loaded_date(tmp_path: Path, batch_rows: str) -> None:
    settings = make_settings(
        tmp_path / "home", PUBDATA_LANDING=str(tmp_path / "landing"), PUBDATA_BATCH_ROWS=batch_rows
    )
    dataset = people(classification={"rules": {"persons_important": 3}})
    folder = settings.landing / "people"
    folder.mkdir(parents=True)
    flags = []
    for day, ids in ((date(2024, 6, 1), IDS[:2]), (date(2024, 6, 2), IDS[1:])):
        rows = ["xm,sfzh"] + [f"张伟,{i}" for i in ids] * 10
        (folder / f"{day.isoformat()}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        ctx = RunContext("people", "ingest__public_security__people", f"r-{day}", day)
        ingest.extract(settings, dataset, ctx)
        ingest.validate(settings, dataset, ctx)
        flags.append(list(publish.classify(settings, dataset, ctx).flags))
        publish.load(settings, dataset, ctx)
        record.record(settings, dataset, ctx)
    # two persons on each day, three in the dataset: only the second day sees all three
    assert flags == [[], ["IMP"]]
