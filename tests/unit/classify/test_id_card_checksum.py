"""The vectorized MOD 11-2 check gives python-stdnum's answer, and ``check_id_card`` its old one.

``check_id_card`` used to run ``stdnum.iso7064.mod_11_2.is_valid`` per candidate in Python and
to check birth dates with Arrow's strptime and strftime; both are numpy over the digits now
(:func:`~etl.classify.detectors.id_card.mod_11_2_valid`). Each is compared here with what it
replaced on large seeded samples of valid and invalid numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from stdnum.iso7064 import mod_11_2

from etl.classify.detectors.base import confirm
from etl.classify.detectors.id_card import (
    MIN_YEAR,
    RE_15,
    RE_18,
    RE_MOD_11_2,
    check_id_card,
    mod_11_2_valid,
)
from etl.text.strings import compact, regex_mask

CHECKS = "0123456789X"


def _random_digits(rng: np.random.Generator, n: int, width: int) -> list[str]:
    return ["".join(map(str, row)) for row in rng.integers(0, 10, size=(n, width))]


def _with_check(bodies: list[str]) -> list[str]:
    return [body + mod_11_2.calc_check_digit(body) for body in bodies]


def _sample(seed: int) -> list[str | None]:
    """Valid numbers, random check characters (mostly wrong), one-digit typos, odd shapes."""
    rng = np.random.default_rng(seed)
    valid = _with_check(_random_digits(rng, 40_000, 17))
    random_check = [
        body + CHECKS[i]
        for body, i in zip(
            _random_digits(rng, 60_000, 17), rng.integers(0, 11, 60_000), strict=True
        )
    ]
    typos = []
    for number, position, shift in zip(
        valid[:20_000], rng.integers(0, 17, 20_000), rng.integers(1, 10, 20_000), strict=True
    ):
        digit = (int(number[position]) + int(shift)) % 10
        typos.append(number[:position] + str(digit) + number[position + 1 :])
    odd: list[str | None] = [
        None,
        "",
        "X" * 18,
        valid[0][:17] + "x",  # lower-case x: stdnum's int('x') fails, so invalid
        valid[1][:5] + "X" + valid[1][6:],  # X inside the body
        valid[2][:17],  # 17 characters
        valid[3] + "0",  # 19 characters
        valid[4].translate(str.maketrans("0123456789", "０１２３４５６７８９")),  # full width
        valid[5].translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")),  # Arabic-Indic
        " " + valid[6],
        valid[7][:6] + "-" + valid[7][6:],
    ]
    return [*valid, *random_check, *typos, *odd]


def _stdnum(value: str | None) -> bool:
    """What the old per-value check answered (``confirm`` counts an exception as False)."""
    if value is None:
        return False
    try:
        return bool(mod_11_2.is_valid(value))
    except (ValueError, KeyError, TypeError, IndexError):
        return False


@pytest.mark.parametrize("seed", [1, 2])
def test_mod_11_2_valid_is_stdnum_on_every_18_character_number(seed: int) -> None:
    values = _sample(seed)
    got = mod_11_2_valid(pa.array(values, pa.string())).to_pylist()
    shaped = regex_mask(pa.array(values, pa.string()), RE_MOD_11_2).to_pylist()
    expected = [in_domain and _stdnum(v) for v, in_domain in zip(values, shaped, strict=True)]
    assert got == expected
    # the sample holds both answers in numbers: a check that always said yes or no fails
    assert 40_000 <= sum(got) < 60_000
    # inside its domain (17 ASCII digits and a check character) it is stdnum's answer itself
    inside = [v for v, in_domain in zip(values, shaped, strict=True) if in_domain]
    assert len(inside) >= 120_000
    assert mod_11_2_valid(pa.array(inside)).to_pylist() == [mod_11_2.is_valid(v) for v in inside]


def test_mod_11_2_valid_reads_sliced_and_chunked_arrays() -> None:
    values = _sample(3)[:5000]
    expected = mod_11_2_valid(pa.array(values, pa.string())).to_pylist()
    sliced = pa.array([None, *values, "0"], pa.string()).slice(1, len(values))
    chunked = pa.chunked_array([values[:1234], values[1234:]], pa.string())
    assert mod_11_2_valid(sliced).to_pylist() == expected
    assert mod_11_2_valid(chunked).to_pylist() == expected


def _old_birth_ok(numbers: Any, is_18: Any) -> Any:
    """The birth-date check as it was: Arrow's strptime and strftime over every value."""
    birth = pc.if_else(
        is_18,
        pc.utf8_slice_codeunits(numbers, 6, 14),
        pc.binary_join_element_wise("19", pc.utf8_slice_codeunits(numbers, 6, 12), ""),
    )
    parsed = pc.strptime(birth, format="%Y%m%d", unit="s", error_is_null=True)
    same = pc.equal(pc.strftime(parsed, format="%Y%m%d"), birth)
    low = pa.scalar(dt.datetime(MIN_YEAR, 1, 1), pa.timestamp("s"))
    high = pa.scalar(dt.datetime.combine(dt.date.today(), dt.time()), pa.timestamp("s"))
    in_range = pc.and_(pc.greater_equal(parsed, low), pc.less_equal(parsed, high))
    return pc.fill_null(pc.and_(same, in_range), False)


def _old_check_id_card(values: Any) -> Any:
    """``check_id_card`` as it was: Arrow's date parsing, stdnum per candidate."""
    numbers = compact(values)
    is_18 = regex_mask(numbers, RE_18)
    is_15 = regex_mask(numbers, RE_15)
    shaped = pc.and_(pc.or_(is_18, is_15), _old_birth_ok(numbers, is_18))
    checked = confirm(numbers, pc.and_(shaped, is_18), mod_11_2.is_valid)
    return pc.or_(checked, pc.and_(shaped, is_15))


def _id_numbers(seed: int, n: int) -> list[str | None]:
    """Realistic ID numbers (province, birth date), a third with a random check character."""
    rng = np.random.default_rng(seed)
    first = dt.date(1930, 1, 1).toordinal()
    births = [
        dt.date.fromordinal(first + int(d)).strftime("%Y%m%d") for d in rng.integers(0, 30_000, n)
    ]
    # a fifth with any year 1800-2199, month 00-13 and day 00-32: Feb 29 of common and leap
    # years (1900 and 2000), the 31st of short months, dates before 1850 and after today
    for i in np.flatnonzero(rng.random(n) < 0.2):
        year, month, day = rng.integers(1800, 2200), rng.integers(0, 14), rng.integers(0, 33)
        births[i] = f"{year:04d}{month:02d}{day:02d}"
    births[:4] = ["19000229", "20000229", "18491231", "18500101"]
    provinces = rng.choice(["11", "31", "42", "44", "65", "81", "91", "00", "99"], n)
    bodies = [
        f"{p}{a:04d}{b}{s:03d}"
        for p, a, b, s in zip(
            provinces, rng.integers(0, 10_000, n), births, rng.integers(0, 1000, n), strict=True
        )
    ]
    numbers = _with_check(bodies)
    wrong = rng.random(n) < 1 / 3
    checks = rng.integers(0, 11, n)
    out: list[str | None] = [
        body + CHECKS[c] if w else number
        for body, number, w, c in zip(bodies, numbers, wrong, checks, strict=True)
    ]
    legacy = [number[:6] + number[8:17] for number in numbers[: n // 10]]
    spaced = [f"{number[:6]} {number[6:14]} {number[14:].lower()}" for number in numbers[: n // 10]]
    return [*out, *legacy, *spaced, *_sample(seed)[-11:]]


def test_check_id_card_gives_the_answer_it_gave_with_stdnum() -> None:
    values = pa.array(_id_numbers(4, 100_000), pa.string())
    got = check_id_card(values)
    assert got.equals(_old_check_id_card(values))
    assert 40_000 < pc.sum(got).as_py() < 90_000  # valid and invalid ones both
