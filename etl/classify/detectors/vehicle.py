"""车牌号 (license_plate): province character, authority letter, 5 (new energy: 6) characters.

Letters I and O are never used.

- ordinary: ``鄂A12345``, ``鄂A3C7B1``, with an optional suffix 挂/学/警/港/澳/领;
- new-energy (8 characters): small cars ``鄂AD12345`` (D/F then 5), large ``鄂A12345D``.

Separators (``·``, spaces, dashes) are removed and ASCII letters upper-cased first.
"""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.text.strings import compact

#: The 31 provincial abbreviations on plates.
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_P = f"[{PLATE_PROVINCES}]"
_L = "[A-HJ-NP-Z]"
_AN = "[A-HJ-NP-Z0-9]"
RE_PLATE = (
    rf"^{_P}{_L}(?:{_AN}{{4}}[A-HJ-NP-Z0-9挂学警港澳领]"
    rf"|[DF]{_AN}[0-9]{{4}}|[0-9]{{5}}[DF])$"
)
_MARKS = r"[\x{b7}\x{2022}\x{30fb}.]+"


def normalize_plates(values: Any) -> Any:
    """Plates without separators or middle dots, ASCII upper case (vectorized)."""
    return pc.replace_substring_regex(compact(values), _MARKS, "")


def check_license_plate(values: Any) -> Any:
    """Mask of values that are Chinese vehicle plates (7 characters, or 8 for new energy).

    Args:
        values: string array.

    Returns:
        Boolean array, null → False.
    """
    plates = normalize_plates(values)
    ordinary = pc.match_substring_regex(plates, RE_PLATE)
    # A 7-character plate needs at least one digit; six letters are a word, not a plate.
    has_digit = pc.match_substring_regex(plates, "[0-9]")
    return pc.fill_null(pc.and_(ordinary, has_digit), False)
