"""手机号 (mobile_phone): libphonenumber, region CN, type MOBILE."""

from __future__ import annotations

from typing import Any

import phonenumbers

from etl.classify.detectors.base import Detector, compact, confirm, regex_mask

#: Prefilter after removing separators: optional +86 / 0086 / 86, then 1[3-9] and 9 digits.
RE_MOBILE = r"^(?:\+86|0086|86)?1[3-9][0-9]{9}$"


def is_mobile(number: str) -> bool:
    """Whether libphonenumber says ``number`` is a Chinese mobile number.

    Args:
        number: the number with separators removed.

    Returns:
        True for a valid number of type MOBILE in region CN.
    """
    if number.startswith("0086"):
        number = "+" + number[2:]
    try:
        parsed = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return False
    return bool(
        parsed.country_code == 86
        and phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
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


DETECTOR = Detector(
    category="mobile_phone",
    default_grade="L3",
    strong=False,
    check=check_mobile_phone,
    description="手机号: phonenumbers region CN, type MOBILE",
)
