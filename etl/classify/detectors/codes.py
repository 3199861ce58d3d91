"""Structured codes with check characters: 统一社会信用代码, 组织机构代码, 银行卡号.

All three are checksum-backed, so they are accepted on content alone at a high share.
"""

from __future__ import annotations

from typing import Any

from stdnum import luhn
from stdnum.cn import uscc

from etl.classify.detectors.base import confirm
from etl.text.strings import compact, regex_mask

#: GB 32100 alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0-9A-HJ-NPQRTUWXY"
RE_USCC = rf"^[{USCC_ALPHABET}]{{18}}$"
RE_BANK_CARD = r"^[0-9]{13,19}$"
#: GB 11714: eight digits or capital letters, then the check character (a separator is removed).
RE_ORG_CODE = r"^[0-9A-Z]{8}[0-9X]$"

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _uscc_ok(code: str) -> bool:
    # stdnum's validate() rejects letter department codes (A/N/Y...); the check character does not.
    return bool(uscc.calc_check_digit(code[:17]) == code[17])


def org_code_check_char(body: str) -> str:
    """GB 11714 check character of an eight-character organisation-code body.

    Args:
        body: eight characters of ``0-9A-Z``.

    Returns:
        ``"0"``-``"9"`` or ``"X"``.

    Raises:
        ValueError: if ``body`` is not eight such characters.
    """
    if len(body) != 8 or not body.isascii() or not body.isalnum() or body != body.upper():
        raise ValueError("an organisation-code body has eight characters of 0-9A-Z")
    total = sum(w * int(ch, 36) for w, ch in zip(_ORG_WEIGHTS, body, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def _org_code_ok(code: str) -> bool:
    return org_code_check_char(code[:8]) == code[8]


def check_uscc(values: Any) -> Any:
    """Mask of values that are USCCs: 18 characters of the GB 32100 alphabet with a valid check.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    codes = compact(values)
    return confirm(codes, regex_mask(codes, RE_USCC), _uscc_ok)


def check_org_code(values: Any) -> Any:
    """Mask of values that are organisation codes (``12345678-9``): GB 11714 check character.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    codes = compact(values)
    return confirm(codes, regex_mask(codes, RE_ORG_CODE), _org_code_ok)


def check_bank_card(values: Any) -> Any:
    """Mask of values that are 13-19 digits (after removing separators) passing Luhn.

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    digits = compact(values)
    return confirm(digits, regex_mask(digits, RE_BANK_CARD), luhn.is_valid)
