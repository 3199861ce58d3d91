"""The vectorized source choice is the model's freshness rule; comparisons ignore spelling only."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.integrate import Attribute
from etl.integrate.choice import comparable, pick, winners

RUN = date(2024, 6, 1)
SOURCES = ["relief", "register", "clinic"]


@pytest.mark.parametrize("max_age_days", [None, 30, 365])
def test_winners_agree_with_attribute_choose(max_age_days: int | None) -> None:
    attribute = Attribute(title="联系电话", sources=SOURCES, max_age_days=max_age_days)
    rng = random.Random(7)
    ages = [None, 0, 29, 30, 31, 364, 365, 366, 1000]  # None: the source has no value
    cases = list(itertools.product(ages, repeat=len(SOURCES)))
    rng.shuffle(cases)
    present = [pa.array([c[i] is not None for c in cases]) for i in range(len(SOURCES))]
    dates = [
        pa.array(
            [RUN - timedelta(days=c[i]) if c[i] is not None else None for c in cases], pa.date32()
        )
        for i in range(len(SOURCES))
    ]
    choice = winners(attribute, present, dates, RUN).to_pylist()
    for case, index in zip(cases, choice, strict=True):
        available = {
            s: RUN - timedelta(days=a) for s, a in zip(SOURCES, case, strict=True) if a is not None
        }
        expected = attribute.choose(available, RUN)
        assert (SOURCES[index] if index is not None else None) == expected, case


def test_a_value_without_a_date_is_never_fresh() -> None:
    attribute = Attribute(title="电话", sources=["a", "b"], max_age_days=10)
    present = [pa.array([True]), pa.array([True])]
    dates = [pa.array([None], pa.date32()), pa.array([RUN], pa.date32())]
    assert winners(attribute, present, dates, RUN).to_pylist() == [1]


def test_pick_takes_each_entitys_chosen_value() -> None:
    arrays = [pa.array(["a0", None, "a2"]), pa.array(["b0", "b1", "b2"])]
    choice = pa.array([1, 0, None], pa.int8())
    assert pick(arrays, choice, pa.string()).to_pylist() == ["b0", None, None]


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("张三", " 张三　", True),  # ends stripped, ideographic space too
        ("ＡＢＣ公司", "ABC公司", True),  # full-width letters
        ("13800138000", "138 0013 8000", True),
        ("13800138000", "+86-138-0013-8000", True),
        ("１３８００１３８０００", "13800138000", True),
        ("13800138000", "13800138001", False),
        ("张三", "张叁", False),
        ("洪山路1号", "洪山路 1 号", False),  # only the ends are stripped
        ("027-87654321", "02787654321", False),  # landlines are text
    ],
)
def test_comparable_forms(one: str, other: str, same: bool) -> None:
    forms = comparable(pa.array([one, other]))
    assert (forms[0].as_py() == forms[1].as_py()) is same


def test_comparable_leaves_other_types_as_they_are() -> None:
    days = pa.array([RUN, None], pa.date32())
    assert comparable(days).equals(days)
    assert pc.equal(comparable(pa.array([1.5])), pa.array([1.5]))[0].as_py()
