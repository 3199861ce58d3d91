"""Canonical forms tokens are computed over, vectorized and for one value (the two must agree).

- id_card, social_security: separators removed, ASCII upper case, 15 digits → 18 digits.
- mobile_phone: separators removed; a Chinese mobile number becomes E.164 ``+861xxxxxxxxxx``.
- bank_card: digits only (the compacted value if it has no digit).
- passport, license_plate: separators and middle dots removed, ASCII upper case.
- anything else: leading/trailing whitespace stripped.

An empty canonical form has nothing to protect and becomes null.
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.base import WHITESPACE, compact, compact_one, regex_mask, strip
from etl.classify.detectors.id_card import to_18

_RE_MOBILE = r"^(?:\+86|0086|86)?(1[0-9]{10})$"
_PY_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")
_PY_NON_DIGIT = re.compile(r"[^0-9]")
_PLATE_MARKS = r"[\x{b7}\x{2022}.]"
_PY_PLATE_MARKS = re.compile("[\u00b7\u2022.]")

ID_LIKE = frozenset({"id_card", "social_security"})
PLATE_LIKE = frozenset({"passport", "license_plate"})


def _all(values: Any, pattern: str) -> bool:
    """Whether every non-null value fully matches ``pattern`` (an empty array: False)."""
    if len(values) == 0 or values.null_count == len(values):
        return False
    return bool(pc.all(pc.match_substring_regex(values, pattern)).as_py())


def canonical(values: Any, category: str) -> Any:
    """Canonical forms of a string array for ``category``; nulls and empty forms become null.

    Args:
        values: pyarrow string array.
        category: category id of the column.

    Returns:
        String array of the same length.
    """
    if category in ID_LIKE:
        done = regex_mask(values, r"^[0-9]{17}[0-9X]$")  # the usual case: already canonical
        if pc.all(pc.or_(done, pc.is_null(values))).as_py():
            return values
        odd = pc.and_(pc.invert(done), pc.is_valid(values))
        rest = compact(values.filter(odd))  # only the other values take the slow path
        legacy = regex_mask(rest, r"^[0-9]{15}$")
        if pc.any(legacy).as_py():
            converted = [to_18(v) for v in rest.filter(legacy).to_pylist()]
            rest = pc.replace_with_mask(rest, legacy, pa.array(converted, pa.string()))
        out = pc.replace_with_mask(values, odd, rest)
    elif category == "mobile_phone":
        if _all(values, r"^1[0-9]{10}$"):  # the usual case: eleven bare digits
            return pc.binary_join_element_wise("+86", values, "")
        out = pc.replace_substring_regex(compact(values), _RE_MOBILE, r"+86\1")
    elif category == "bank_card":
        packed = compact(values)
        digits = pc.replace_substring_regex(packed, "[^0-9]+", "")
        out = pc.if_else(pc.equal(digits, ""), packed, digits)
    elif category in PLATE_LIKE:
        out = pc.replace_substring_regex(compact(values), f"{_PLATE_MARKS}+", "")
    else:
        out = strip(values)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def canonical_one(value: str, category: str) -> str | None:
    """Python twin of :func:`canonical` for one value.

    Args:
        value: the raw value.
        category: category id of the column.

    Returns:
        The canonical form, or None if it is empty.
    """
    if category in ID_LIKE:
        out = compact_one(value)
        if len(out) == 15 and out.isascii() and out.isdigit():
            out = to_18(out)
    elif category == "mobile_phone":
        out = compact_one(value)
        match = _PY_MOBILE.fullmatch(out)
        if match and match.group(1).isascii():
            out = "+86" + match.group(1)
    elif category == "bank_card":
        packed = compact_one(value)
        out = _PY_NON_DIGIT.sub("", packed) or packed
    elif category in PLATE_LIKE:
        out = _PY_PLATE_MARKS.sub("", compact_one(value))
    else:
        out = value.strip(WHITESPACE)
    return out or None
