"""手机号 (mobile_phone) and 固定电话 (landline_phone): libphonenumber, region CN.

A regular expression in Arrow picks candidates; libphonenumber confirms them.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from etl.classify.detectors.base import confirm
from etl.text.strings import compact, regex_mask

#: Prefilter after removing separators: optional +86 / 0086 / 86, then 1[3-9] and 9 digits.
RE_MOBILE = r"^(?:\+86|0086|86)?1[3-9][0-9]{9}$"
#: Trunk 0 + area code (2-3 digits) + 7-8 digit subscriber number, or +86 without the trunk 0.
RE_LANDLINE = r"^(?:(?:\+86|0086)0?|0)[1-9][0-9]{8,10}$"

_FIXED = frozenset(
    {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def _parse(number: str) -> phonenumbers.PhoneNumber | None:
    if number.startswith("0086"):
        number = "+" + number[2:]
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return None
    return parsed if parsed.country_code == 86 else None


def is_mobile(number: str) -> bool:
    """Whether libphonenumber says ``number`` is a Chinese mobile number.

    Args:
        number: the number with separators removed.

    Returns:
        True for a valid number of type MOBILE in region CN.
    """
    parsed = _parse(number)
    return bool(
        parsed is not None
        and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    )


def is_landline(number: str) -> bool:
    """Whether libphonenumber says ``number`` is a valid Chinese fixed-line number.

    Args:
        number: the number with separators removed, with trunk 0 (or +86).

    Returns:
        True for a valid number of type FIXED_LINE in region CN.
    """
    parsed = _parse(number)
    return bool(
        parsed is not None
        and phonenumbers.is_valid_number(parsed)
        and phonenumbers.number_type(parsed) in _FIXED
    )


def check_mobile_phone(values: Any) -> Any:
    """Mask of values that are Chinese mobile numbers (``+86``, spaces and dashes accepted).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    numbers = compact(values)
    return confirm(numbers, regex_mask(numbers, RE_MOBILE), is_mobile)


def check_landline_phone(values: Any) -> Any:
    """Mask of values that are Chinese fixed-line numbers (``027-87654321``, ``(010)12345678``).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    numbers = compact(values)
    return confirm(numbers, regex_mask(numbers, RE_LANDLINE), is_landline)
