"""居民身份证号 (id_card): 18 digits with ISO 7064 MOD 11-2, legacy 15 digits; province, birth date.

Covers resident IDs, 港澳台居民居住证 (81/82/83) and the 2023 foreign permanent residence
ID (9 + province digit). ``stdnum.cn.ric`` is deliberately not used (see classification.md §3).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from stdnum.iso7064 import mod_11_2

from etl.classify.detectors.base import confirm
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


def _birth_ok(numbers: Any, is_18: Any) -> Any:
    """Vectorized: the birth date inside each number is a real date between 1850 and today."""
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
    shaped = pc.and_(pc.or_(is_18, is_15), _birth_ok(numbers, is_18))
    checked = confirm(numbers, pc.and_(shaped, is_18), mod_11_2.is_valid)
    return pc.or_(checked, pc.and_(shaped, is_15))
