"""居民身份证号 (id_card): 18 digits with ISO 7064 MOD 11-2, legacy 15 digits; province, birth date.

Covers resident IDs, 港澳台居民居住证 (81/82/83) and the 2023 foreign permanent residence
ID (9 + province digit). ``stdnum.cn.ric`` is deliberately not used (see classification.md §3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.text.canonical import to_18
from etl.text.strings import compact, compact_one, regex_mask

#: First two digits: province, 71 Taiwan, 81-83 HK/Macao/TW residence permit, 9x foreigners.
PROVINCE = r"(?:1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[1-3]|9[1-6])"
RE_18 = rf"^{PROVINCE}[0-9]{{15}}[0-9X]$"
RE_15 = rf"^{PROVINCE}[0-9]{{13}}$"

#: An 18-character ID number inside a longer code: letters before or after it, no digit run
#: around it (``G420106199003071234``, social-security card numbers built on the ID number).
EMBEDDED_ID = (
    rf"^(?:[A-Za-z]{{1,3}}(?P<before>{PROVINCE}[0-9]{{15}}[0-9Xx])[A-Za-z]{{0,3}}"
    rf"|(?P<after>{PROVINCE}[0-9]{{15}}[0-9Xx])[A-Za-z]{{1,3}})$"
)


def embedded_numbers(values: Any) -> Any:
    """The ID number inside each value matching :data:`EMBEDDED_ID` (null elsewhere)."""
    parts = pc.extract_regex(values, EMBEDDED_ID)
    before, after = pc.struct_field(parts, [0]), pc.struct_field(parts, [1])
    return pc.if_else(pc.equal(before, ""), after, before)


#: ISO 7064 MOD 11-2 weights of the 17 body digits (2 ** (17 - i) mod 11); the check
#: character weighs 1 and ``X`` is worth 10. A number is valid when the weighted sum is 1 mod 11.
MOD_11_2_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
#: The numbers :func:`mod_11_2_valid` computes: 17 ASCII digits and a check character.
RE_MOD_11_2 = r"^[0-9]{17}[0-9X]$"
_X = ord("X")
_ZERO = ord("0")


def mod_11_2_valid(values: Any) -> Any:
    """Vectorized ``stdnum.iso7064.mod_11_2.is_valid`` of 18-character numbers.

    stdnum in Python per value cost 3-4 s per million ID numbers; this computes the weighted
    sum over the 18 bytes of every number at once with numpy.

    Args:
        values: string array.

    Returns:
        Boolean array: True where a value is 17 ASCII digits and a check character (a digit, or
        ``X``) that python-stdnum accepts; False for every other value (null included).
    """
    picked = pc.indices_nonzero(regex_mask(values, RE_MOD_11_2))
    out = np.zeros(len(values), dtype=bool)
    if len(picked):
        raw = _byte_matrix(values.take(picked), 18)
        body = (raw[:, :17] - _ZERO) @ MOD_11_2_WEIGHTS
        last = raw[:, 17]
        check = np.where(last == _X, 10, last - _ZERO)
        out[picked.to_numpy()] = (body + check) % 11 == 1
    return pa.array(out, pa.bool_())


def _byte_matrix(values: Any, width: int) -> Any:
    """Strings of exactly ``width`` ASCII characters as an n x ``width`` int64 matrix of bytes."""
    fixed = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    fixed = fixed.cast(pa.binary(width))
    raw = np.frombuffer(fixed.buffers()[1], dtype=np.uint8)
    raw = raw[fixed.offset * width : (fixed.offset + len(fixed)) * width]
    return raw.reshape(-1, width).astype(np.int64)


#: Earliest birth year accepted (public test vectors include 1880).
MIN_YEAR = 1850


def normalize_one(value: str) -> str:
    """Canonical form of one ID number: separators removed, ``x`` upper-cased, 15 → 18 digits.

    Values that are not 15 digits are returned compacted but otherwise unchanged.
    """
    number = compact_one(value)
    if len(number) == 15 and number.isascii() and number.isdigit():
        return to_18(number)
    return number


#: Days per month of a common year.
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_DIGIT_PLACES = np.array([10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1], np.int64)


def _birth_ok(numbers: Any, is_18: Any, candidates: Any) -> Any:
    """Vectorized: the candidates whose birth date is a real date between 1850 and today.

    Args:
        numbers: string array of compacted numbers.
        is_18: which numbers are 18 characters (the date at 6-14; else ``19`` + 6-12).
        candidates: the numbers to check, each with ASCII digits where its date is.

    Returns:
        Boolean array: a candidate with a valid birth date; False elsewhere.
    """
    picked = pc.indices_nonzero(pc.fill_null(candidates, False))
    out = np.zeros(len(numbers), dtype=bool)
    if len(picked):
        chosen = numbers.take(picked)
        birth = pc.if_else(
            is_18.take(picked),
            pc.utf8_slice_codeunits(chosen, 6, 14),
            pc.binary_join_element_wise("19", pc.utf8_slice_codeunits(chosen, 6, 12), ""),
        )
        day = (_byte_matrix(birth, 8) - _ZERO) @ _DIGIT_PLACES  # YYYYMMDD as a number
        year, month, mday = day // 10_000, day // 100 % 100, day % 100
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        days = _MONTH_DAYS[np.clip(month, 0, 12)] + ((month == 2) & leap)
        today = dt.date.today()
        real = (month >= 1) & (month <= 12) & (mday >= 1) & (mday <= days)
        in_range = (day >= MIN_YEAR * 10_000 + 101) & (
            day <= today.year * 10_000 + today.month * 100 + today.day
        )
        out[picked.to_numpy()] = real & in_range
    return pa.array(out, pa.bool_())


def check_id_card(values: Any) -> Any:
    """Mask of values that are valid ID numbers (18-digit with check character, or 15-digit).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    numbers = compact(values)
    is_18 = regex_mask(numbers, RE_18)
    is_15 = regex_mask(numbers, RE_15)
    shaped = _birth_ok(numbers, is_18, pc.or_(is_18, is_15))
    checked = pc.and_(pc.and_(shaped, is_18), mod_11_2_valid(numbers))
    return pc.or_(checked, pc.and_(shaped, is_15))
