"""Scoring and printing of an evaluation part: the numbers, and no name of the frozen part."""

from __future__ import annotations

import contextlib
import importlib.util
import io
from pathlib import Path

import pytest

from etl.classify import DEFAULT_GRADES
from tests.eval.corpus import LabelledColumn, LabelledTable, load_part
from tests.eval.evaluate import ColumnOutcome, Report, TableOutcome, evaluate, render

REPO = Path(__file__).resolve().parents[2]


def _outcome(
    truth: str, got: str, grade: str, got_grade: str, distractor: bool = False
) -> ColumnOutcome:
    return ColumnOutcome(
        "secret_table", f"secret_{truth}_{got}", truth, got, grade, got_grade, distractor
    )


@pytest.fixture
def report() -> Report:
    return Report(
        part="frozen",
        columns=[
            _outcome("person_name", "person_name", "L3", "L3"),
            _outcome("address", "none", "L1", "L2"),
            _outcome("none", "mobile_phone", "L2", "L3", distractor=True),
            _outcome("none", "none", "L2", "L2"),
        ],
        tables=[TableOutcome("secret_table", "L1", "L3"), TableOutcome("other_table", "L2", "L2")],
        seconds=1.0,
        values=100,
    )


def test_scores_count_misses_false_positives_and_grades(report: Report) -> None:
    assert report.f1() == pytest.approx(2 / 4)  # 1 hit, 1 false positive, 1 miss
    assert report.per_category()["address"] == (0, 0, 1)
    assert report.per_category()["mobile_phone"] == (0, 1, 0)
    assert report.column_grade_accuracy() == pytest.approx(2 / 4)
    assert [c.column for c in report.distractor_hits] == ["secret_none_mobile_phone"]
    assert report.grade_accuracy() == pytest.approx(1 / 2)
    assert report.confusion() == {("L1", "L3"): 1, ("L2", "L2"): 1}


def test_the_aggregate_print_and_summary_name_no_table_or_column(report: Report) -> None:
    assert "secret_" in render(report, names=True)
    assert "secret_" not in render(report, names=False)
    assert "secret_" not in str(report.summary())


def test_a_label_without_grade_means_the_category_default() -> None:
    table = LabelledTable(
        "t",
        "L1",
        "",
        [
            LabelledColumn("fddbr", "person_name", "s", ["张伟"] * 30, grade="L1"),
            LabelledColumn("tyshxydm", "uscc", "s", ["91110000600037341L"] * 30),
        ],
    )
    outcome = evaluate([table], part="dev")
    assert [c.true_grade for c in outcome.columns] == ["L1", DEFAULT_GRADES["uscc"]]


def test_the_bench_prints_the_frozen_part_without_its_names() -> None:
    spec = importlib.util.spec_from_file_location(
        "classify_eval", REPO / "bench" / "classify_eval.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench.main(["--part", "frozen", "--skip-leaks"])
    text = out.getvalue()
    assert "column-level micro F1" in text
    categories = " ".join(DEFAULT_GRADES)
    for table in load_part("frozen"):
        assert table.name not in text
        for column in table.columns:
            # short or category-like names ("xm", "address") cannot be told from the template
            if len(column.name) >= 4 and column.name not in categories:
                assert column.name not in text
