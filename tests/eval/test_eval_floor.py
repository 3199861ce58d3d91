"""Floors on the classifier's accuracy over the dev part of the corpus (classification.md §5)."""

from __future__ import annotations

import pytest

from etl.classify import DEFAULT_GRADES, GRADES
from tests.eval import corpus
from tests.eval.evaluate import Report, evaluate
from tests.eval.generate import build

#: Column-level micro F1 over the sensitive categories.
F1_FLOOR = 0.97
#: Share of tables whose dataset grade is right.
GRADE_FLOOR = 0.95


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(part="dev")


def test_column_f1_floor(report: Report) -> None:
    assert report.f1() >= F1_FLOOR, report.mistakes()


def test_no_distractor_is_a_false_positive(report: Report) -> None:
    assert report.distractor_hits == []


def test_dataset_grade_accuracy_floor(report: Report) -> None:
    assert report.grade_accuracy() >= GRADE_FLOOR, report.mistakes()


def test_every_category_and_grade_is_covered(report: Report) -> None:
    assert {c.truth for c in report.columns} == set(DEFAULT_GRADES)
    assert {t.truth for t in report.tables} == set(GRADES)


def test_corpus_is_small_and_generated_deterministically() -> None:
    assert corpus.CORPUS.stat().st_size < 2_000_000
    assert corpus.dump(build()) == corpus.CORPUS.read_text(encoding="utf-8")
