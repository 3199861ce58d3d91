"""Canonical forms, vectorized and for one value (the two must agree).

A form is named by the category spec (``Category.canonical``); tokens are computed over it and
persons are counted by it, so two spellings of one number give one token.

- ``id_number``: separators removed, ASCII upper case, 15 digits → 18 digits.
- ``mobile``: separators removed; a Chinese mobile number becomes E.164 ``+861xxxxxxxxxx``.
- ``digits``: digits only (the compacted value if it has no digit).
- ``plate``: separators and middle dots removed, ASCII upper case.
- ``text``: leading/trailing whitespace stripped.

An empty canonical form has nothing to protect and becomes null.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.iso7064 import mod_11_2

from etl.text.strings import (
    WHITESPACE,
    ascii_digits,
    compact,
    compact_one,
    fixed_width,
    regex_mask,
    strip,
)

#: The canonical forms, by name.
FORMS: tuple[str, ...] = ("id_number", "mobile", "digits", "plate", "text")

_RE_MOBILE = r"^(?:\+86|0086|86)?(1[0-9]{10})$"
_PY_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[0-9]{10})")
_PY_NON_DIGIT = re.compile(r"[^0-9]")
_PLATE_MARKS = r"[\x{b7}\x{2022}.]"
_PY_PLATE_MARKS = re.compile("[\u00b7\u2022.]")


def to_18(number: str) -> str:
    """Convert a 15-digit ID number to its 18-digit form (century 19, MOD 11-2 check character).

    Args:
        number: 15 digits.

    Returns:
        The 18-character number.

    Raises:
        ValueError: if ``number`` is not 15 digits.
    """
    if len(number) != 15 or not number.isascii() or not number.isdigit():
        raise ValueError("a legacy ID number has 15 digits")
    body = number[:6] + "19" + number[6:]
    return body + str(mod_11_2.calc_check_digit(body))


def id_number_rows(ids: np.ndarray, *, lower_x: bool = False) -> np.ndarray:
    """Rows of an ID number matrix that are 17 ASCII digits and a digit or ``X``.

    ``ids`` is an ``(n, 18)`` byte matrix (:func:`etl.text.strings.fixed_width`); with
    ``lower_x`` a final ``x`` counts too. The usual test of a column of ID numbers, without a
    regex.
    """
    last = ids[:, 17]
    tail = ascii_digits(last) | (last == ord("X"))
    if lower_x:
        tail |= last == ord("x")
    # the largest byte less "0" per row (below "0" wraps around): a digit is at most 9
    digits: np.ndarray = (ids[:, :17] - np.uint8(0x30)).max(axis=1) < 10
    return np.asarray(np.logical_and(digits, tail), dtype=bool)


def _canonical_ids(values: Any) -> Any:
    """Which values are already canonical 18-character ID numbers (null: False)."""
    ids = fixed_width(values, 18)
    if ids is None:
        return regex_mask(values, r"^[0-9]{17}[0-9X]$")
    return pa.array(id_number_rows(ids))


def _all(values: Any, pattern: str) -> bool:
    """Whether every non-null value fully matches ``pattern`` (an empty array: False)."""
    if len(values) == 0 or values.null_count == len(values):
        return False
    return bool(pc.all(pc.match_substring_regex(values, pattern)).as_py())


def canonical_form(values: Any, form: str) -> Any:
    """Canonical forms of a string array; nulls and empty forms become null.

    Args:
        values: pyarrow string array.
        form: one of :data:`FORMS`; any other name is taken as ``text``.

    Returns:
        String array of the same length.
    """
    if form == "id_number":
        done = _canonical_ids(values)  # the usual case: already canonical
        if pc.all(pc.or_(done, pc.is_null(values))).as_py():
            return values
        odd = pc.and_(pc.invert(done), pc.is_valid(values))
        rest = compact(values.filter(odd))  # only the other values take the slow path
        legacy = regex_mask(rest, r"^[0-9]{15}$")
        if pc.any(legacy).as_py():
            converted = [to_18(v) for v in rest.filter(legacy).to_pylist()]
            rest = pc.replace_with_mask(rest, legacy, pa.array(converted, pa.string()))
        out = pc.replace_with_mask(values, odd, rest)
    elif form == "mobile":
        if _all(values, r"^1[0-9]{10}$"):  # the usual case: eleven bare digits
            return pc.binary_join_element_wise("+86", values, "")
        out = pc.replace_substring_regex(compact(values), _RE_MOBILE, r"+86\1")
    elif form == "digits":
        packed = compact(values)
        digits = pc.replace_substring_regex(packed, "[^0-9]+", "")
        out = pc.if_else(pc.equal(digits, ""), packed, digits)
    elif form == "plate":
        out = pc.replace_substring_regex(compact(values), f"{_PLATE_MARKS}+", "")
    else:
        out = strip(values)
    return pc.if_else(pc.equal(out, ""), pa.scalar(None, pa.string()), out)


def canonical_form_one(value: str, form: str) -> str | None:
    """Python twin of :func:`canonical_form` for one value.

    Args:
        value: the raw value.
        form: one of :data:`FORMS`; any other name is taken as ``text``.

    Returns:
        The canonical form, or None if it is empty.
    """
    if form == "id_number":
        out = compact_one(value)
        if len(out) == 15 and out.isascii() and out.isdigit():
            out = to_18(out)
    elif form == "mobile":
        out = compact_one(value)
        match = _PY_MOBILE.fullmatch(out)
        if match and match.group(1).isascii():
            out = "+86" + match.group(1)
    elif form == "digits":
        packed = compact_one(value)
        out = _PY_NON_DIGIT.sub("", packed) or packed
    elif form == "plate":
        out = _PY_PLATE_MARKS.sub("", compact_one(value))
    else:
        out = value.strip(WHITESPACE)
    return out or None
