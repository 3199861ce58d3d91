"""Floors on the frozen test part: how the classifier generalises to schemas it was not tuned on.

Assertion messages carry aggregate numbers only: the frozen part's table and column names stay
out of anything the lead engineer reads while tuning.
"""

from __future__ import annotations

import hashlib

import pytest

from etl.classify import GRADES
from tests.eval import corpus
from tests.eval.corpus import load_part
from tests.eval.evaluate import Report, evaluate
from tests.eval.frozen.generate import build
from tests.eval.frozen.sources import SOURCES
from tests.eval.leaks import LeakReport, count_leaks

#: Column-level micro F1 over the sensitive categories.
F1_FLOOR = 0.95
#: Share of tables whose dataset grade is right.
GRADE_FLOOR = 0.90
PERSON_KEYS = {"id_card", "person_name", "social_security", "passport"}


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(part="frozen")


@pytest.fixture(scope="module")
def leaks() -> LeakReport:
    return count_leaks(load_part("frozen"))


def test_frozen_column_f1_floor(report: Report) -> None:
    assert report.f1() >= F1_FLOOR, f"column F1 {report.f1():.3f}"


def test_frozen_no_distractor_is_a_false_positive(report: Report) -> None:
    assert not report.distractor_hits, f"{len(report.distractor_hits)} distractor false positives"


def test_frozen_dataset_grade_accuracy_floor(report: Report) -> None:
    assert report.grade_accuracy() >= GRADE_FLOOR, f"dataset grades {report.grade_accuracy():.1%}"


@pytest.mark.slow  # runs the frozen part through the pipeline
def test_frozen_no_personal_value_is_published_raw(leaks: LeakReport) -> None:
    assert leaks.leaks == 0 and not leaks.failed, leaks.summary()


def test_frozen_part_has_the_shapes_the_issue_names() -> None:
    tables = load_part("frozen")
    persons = [
        t for t in tables if any(c.category in PERSON_KEYS and not c.grade for c in t.columns)
    ]
    without_person = [t for t in tables if not any(c.category == "person_name" for c in t.columns)]
    assert 30 <= len(tables) <= 40
    assert len(persons) >= 8
    assert len(without_person) >= 6
    assert {t.grade for t in tables} == set(GRADES)
    assert any(c.category == "personal_finance" for t in tables for c in t.columns)
    assert sum(c.distractor for t in tables for c in t.columns) >= 20


def test_frozen_columns_name_their_published_source() -> None:
    for table in load_part("frozen"):
        for column in table.columns:
            assert set(column.source.split("+")) <= set(SOURCES), column.source


def test_frozen_part_shares_no_table_with_the_dev_part() -> None:
    frozen = {t.name for t in load_part("frozen")}
    assert not frozen & {t.name for t in load_part("dev")}


def test_frozen_part_is_small_and_generated_deterministically() -> None:
    # digests, not the texts: a failing comparison would print the frozen tables
    built = hashlib.sha256(corpus.dump(build()).encode()).hexdigest()
    committed = hashlib.sha256(corpus.FROZEN.read_bytes()).hexdigest()
    assert corpus.FROZEN.stat().st_size < 2_000_000
    assert built == committed, "regenerate with python -m tests.eval.frozen.generate"
