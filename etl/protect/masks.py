"""Display masks: pure, vectorized functions over pyarrow string arrays; nulls stay null.

Every non-null value is masked, including values that fail the category's check: a value too
short to keep its ends is replaced by stars of its own length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.detectors.person_name import starts_with_compound_surname
from etl.text.strings import as_strings, compact, strip

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
    # keep_ends(names, 2 or 1, 0), in one pass: the kept head, then a star per other character
    head = pc.if_else(compound, 2, 1)
    length = pc.utf8_length(names)
    middle = pc.subtract(length, head)
    first = pc.if_else(
        compound, pc.utf8_slice_codeunits(names, 0, 2), pc.utf8_slice_codeunits(names, 0, 1)
    )
    kept = pc.binary_join_element_wise(first, _stars(middle), "")
    return pc.if_else(pc.greater(middle, 0), kept, _stars(length))


#: Shortest address kept in part when no 区/县 is found.
ADDRESS_HEAD = 6


#: UTF-8 of 区 and 县: the three bytes that end the part of an address kept.
_DISTRICT_MARKS = (bytes("区", "utf-8"), bytes("县", "utf-8"))


def _first_marks(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per value, whether it holds 区 or 县 and the byte (in the data buffer) just past the first.

    A byte search over the whole column instead of a regex per value: a lead byte never
    occurs inside another character, so each match is a real 区 or 县.
    """
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=n + 1, offset=text.offset * 4)
    found = np.zeros(n, dtype=bool)
    ends = np.zeros(n, dtype=np.int64)
    data_buffer = text.buffers()[2]
    if data_buffer is None or n == 0:
        return found, ends
    data = np.frombuffer(data_buffer, dtype=np.uint8)[: int(offsets[-1])]
    # Search on the last byte (rarer in CJK text than the shared lead byte E5), then confirm.
    last = np.flatnonzero((data[2:] == _DISTRICT_MARKS[0][2]) | (data[2:] == _DISTRICT_MARKS[1][2]))
    marks = np.zeros(last.size, dtype=bool)
    for mark in _DISTRICT_MARKS:
        marks |= (data[last] == mark[0]) & (data[last + 1] == mark[1]) & (data[last + 2] == mark[2])
    at = last[marks]
    if at.size == 0:
        return found, ends
    first = np.searchsorted(at, offsets[:-1])
    inside = first < at.size
    found[inside] = at[first[inside]] < offsets[1:][inside]
    if text.null_count:
        found &= text.is_valid().to_numpy(zero_copy_only=False)
    ends[found] = at[first[found]] + 3
    return found, ends


def _prefixes(text: pa.Array, ends: np.ndarray) -> pa.Array:
    """Each value's bytes from its start up to ``ends`` (a position in the data buffer)."""
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=n + 1, offset=text.offset * 4)
    starts = offsets[:-1].astype(np.int64)
    kept = ends - starts
    new_offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(kept, out=new_offsets[1:])
    data = np.zeros(0, dtype=np.uint8)
    if new_offsets[-1]:
        # the bytes kept, as runs over the values' bytes: kept, dropped, kept, dropped, ...
        # (np.repeat writes each run at once; a +1/-1 cumulative sum over every byte cost
        # twice as much)
        runs = np.empty(2 * n, dtype=np.int64)
        runs[0::2] = kept
        runs[1::2] = offsets[1:] - ends
        keep = np.repeat(np.tile(np.array([True, False]), n), runs)
        data = np.frombuffer(text.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
        data = data[keep]
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(new_offsets), pa.py_buffer(data)]
    )


def mask_address(values: Any) -> Any:
    """Truncate to the district: up to and including the first 区 or 县.

    Without 区/县 the first six characters are kept followed by ``***``; a value of six
    characters or fewer becomes ``***``.

    Examples: ``北京市朝阳区建国路88号`` → ``北京市朝阳区``;
    ``某某镇某某村3组`` → ``某某镇某某村***``.
    """
    text = strip(as_strings(values))
    found, district = _first_marks(text)
    if found.all():
        masked = _prefixes(text, district)
    else:
        starts = np.frombuffer(
            text.buffers()[1], dtype=np.int32, count=len(text), offset=text.offset * 4
        )
        longer = pc.fill_null(pc.greater(pc.utf8_length(text), ADDRESS_HEAD), False)
        head = pc.binary_length(pc.utf8_slice_codeunits(text, 0, ADDRESS_HEAD))
        heads = starts + np.where(
            longer.to_numpy(zero_copy_only=False), pc.fill_null(head, 0).to_numpy(), 0
        )
        prefixes = _prefixes(text, np.where(found, district, heads))
        starred = pc.binary_join_element_wise(prefixes, pa.scalar("***"), "")
        masked = pc.if_else(pa.array(found), prefixes, starred)
    return masked if text.null_count == 0 else pc.if_else(text.is_valid(), masked, _NULL)


def mask_uscc(values: Any) -> Any:
    """Identity: a USCC is public registration data (L1)."""
    return as_strings(values)


def generalize_birth_date(values: Any) -> Any:
    """Keep the year only (``1990-05-12``, ``19900512``, ``1990年5月12日`` → ``1990``).

    A value without a leading four-digit year from 1800 to 2099 becomes null.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if pa.types.is_date(values.type) or pa.types.is_timestamp(values.type):
        # typed dates (the curated table): the year itself, no text round trip
        years = pc.year(values)
        ok = pc.fill_null(pc.and_(pc.greater_equal(years, 1800), pc.less_equal(years, 2099)), False)
        return pc.if_else(ok, pc.cast(years, pa.string()), _NULL)
    text = strip(as_strings(values))
    year = pc.replace_substring_regex(
        text, r"^((?:18|19|20)[0-9]{2})(?:[^0-9].*|[0-9]{4})?$", r"\1"
    )
    ok = pc.fill_null(pc.match_substring_regex(year, r"^(?:18|19|20)[0-9]{2}$"), False)
    return pc.if_else(ok, year, _NULL)
