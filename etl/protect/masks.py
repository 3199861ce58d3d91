"""Display masks: pure, vectorized functions over pyarrow string arrays; nulls stay null.

Every non-null value is masked, including values that fail the category's check: a value too
short to keep its ends is replaced by stars of its own length.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.base import as_strings, compact, strip
from etl.classify.detectors.person_name import starts_with_compound_surname

_NULL = pa.scalar(None, pa.string())


def _stars(count: Any) -> Any:
    return pc.binary_repeat("*", pc.max_element_wise(count, 0))


def keep_ends(values: Any, head: int, tail: int) -> Any:
    """Keep the first ``head`` and last ``tail`` characters, a star for each one between.

    Values of ``head + tail`` characters or fewer become all stars.

    Args:
        values: string array.
        head: characters kept at the start.
        tail: characters kept at the end.

    Returns:
        Masked string array.
    """
    values = as_strings(values)
    length = pc.utf8_length(values)
    middle = pc.subtract(length, head + tail)
    start = pc.utf8_slice_codeunits(values, 0, head)
    end = pc.utf8_slice_codeunits(values, -tail) if tail else pc.utf8_slice_codeunits(values, 0, 0)
    kept = pc.binary_join_element_wise(start, _stars(middle), end, "")
    return pc.if_else(pc.greater(middle, 0), kept, _stars(length))


def mask_id_card(values: Any) -> Any:
    """``11010519491231002X`` → ``110101********002X`` (first 6 and last 4 kept)."""
    return keep_ends(compact(as_strings(values)), 6, 4)


def mask_mobile_phone(values: Any) -> Any:
    """``+86 138-1234-5678`` → ``138****5678`` (country code dropped, first 3 and last 4 kept)."""
    numbers = pc.replace_substring_regex(
        compact(as_strings(values)), r"^(?:\+86|0086|86)(1[0-9]{10})$", r"\1"
    )
    return keep_ends(numbers, 3, 4)


def mask_bank_card(values: Any) -> Any:
    """``6222 0212 3456 7890 128`` → ``6222***********0128`` (first 4 and last 4 kept)."""
    return keep_ends(compact(as_strings(values)), 4, 4)


def mask_person_name(values: Any) -> Any:
    """``张三丰`` → ``张**``; a compound surname keeps two characters (``欧阳娜娜`` → ``欧阳**``).

    A one-character value becomes ``*``.
    """
    names = strip(as_strings(values))
    compound = starts_with_compound_surname(names)
    return pc.if_else(compound, keep_ends(names, 2, 0), keep_ends(names, 1, 0))


#: Shortest address kept in part when no 区/县 is found.
ADDRESS_HEAD = 6


def mask_address(values: Any) -> Any:
    """Truncate to the district: up to and including the first 区 or 县.

    Without 区/县 the first six characters are kept followed by ``***``; a value of six
    characters or fewer becomes ``***``.

    Examples: ``北京市朝阳区建国路88号`` → ``北京市朝阳区``;
    ``某某镇某某村3组`` → ``某某镇某某村***``.
    """
    text = strip(as_strings(values))
    has_district = pc.fill_null(pc.match_substring_regex(text, "[区县]"), False)
    district = pc.replace_substring_regex(text, r"(?s)^(.*?[区县]).*$", r"\1")
    long_enough = pc.greater(pc.utf8_length(text), ADDRESS_HEAD)
    head = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, ADDRESS_HEAD), pa.scalar("***"), ""
    )
    fallback = pc.if_else(long_enough, head, pa.scalar("***"))
    return pc.if_else(has_district, district, fallback)


def mask_uscc(values: Any) -> Any:
    """Identity: a USCC is public registration data (L1)."""
    return as_strings(values)


def generalize_birth_date(values: Any) -> Any:
    """Keep the year only (``1990-05-12``, ``19900512``, ``1990年5月12日`` → ``1990``).

    A value without a leading four-digit year from 1800 to 2099 becomes null.
    """
    text = strip(as_strings(values))
    year = pc.replace_substring_regex(
        text, r"^((?:18|19|20)[0-9]{2})(?:[^0-9].*|[0-9]{4})?$", r"\1"
    )
    ok = pc.fill_null(pc.match_substring_regex(year, r"^(?:18|19|20)[0-9]{2}$"), False)
    return pc.if_else(ok, year, _NULL)


#: Display mask per category (for people looking at values; joins use tokens). The masks of
#: contact details, documents and positions are in :mod:`etl.protect.masks_more`.
MASKS = {
    "id_card": mask_id_card,
    "mobile_phone": mask_mobile_phone,
    "bank_card": mask_bank_card,
    "person_name": mask_person_name,
    "address": mask_address,
    "uscc": mask_uscc,
}
