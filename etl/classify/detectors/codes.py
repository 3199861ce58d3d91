"""统一社会信用代码 (uscc) and 银行卡号 (bank_card): structured codes with check characters."""

from __future__ import annotations

from typing import Any

from stdnum import luhn
from stdnum.cn import uscc

from etl.classify.detectors.base import Detector, compact, confirm, regex_mask

#: GB 32100-2015 alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0-9A-HJ-NPQRTUWXY"
RE_USCC = rf"^[{USCC_ALPHABET}]{{18}}$"
RE_BANK_CARD = r"^[0-9]{13,19}$"


def _uscc_ok(code: str) -> bool:
    # stdnum's validate() rejects letter department codes (A/N/Y...); the check character does not.
    return bool(uscc.calc_check_digit(code[:17]) == code[17])


def check_uscc(values: Any) -> Any:
    """Mask of values that are USCCs: 18 characters of the GB 32100 alphabet with a valid check.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    codes = compact(values)
    return confirm(codes, regex_mask(codes, RE_USCC), _uscc_ok)


def check_bank_card(values: Any) -> Any:
    """Mask of values that are 13-19 digits (after removing separators) passing Luhn.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    digits = compact(values)
    return confirm(digits, regex_mask(digits, RE_BANK_CARD), luhn.is_valid)


USCC = Detector(
    category="uscc",
    default_grade="L1",
    strong=True,
    check=check_uscc,
    description="统一社会信用代码: 18 characters, check character (stdnum calc_check_digit)",
)

BANK_CARD = Detector(
    category="bank_card",
    default_grade="L4",
    strong=True,
    check=check_bank_card,
    description="银行卡号: 13-19 digits, Luhn",
)
