"""Full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space (U+3000) to half-width.

Unlike NFKC this changes nothing else: compatibility ideographs, circled digits and the like keep
their code points, so names and free text are not rewritten behind the sender's back.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

#: ``str.translate`` table for single strings (header names).
HALFWIDTH = {0xFF01 + i: 0x21 + i for i in range(0x5E)} | {0x3000: 0x20}


def halfwidth_text(text: str) -> str:
    """Convert one string (e.g. a header name)."""
    return text.translate(HALFWIDTH)


def halfwidth(array: pa.Array) -> pa.Array:
    """Convert a ``string`` array, vectorized over its UTF-8 bytes.

    In UTF-8, U+FF01-U+FF3F are ``EF BC 81-BF``, U+FF40-U+FF5E are ``EF BD 80-9E`` and U+3000 is
    ``E3 80 80``; each three-byte sequence becomes one ASCII byte and the offsets shrink by the
    bytes removed before them. A lead byte (``EF``, ``E3``) never occurs inside another
    character, so every match is a real character.

    Args:
        array: a ``string`` array (nulls allowed).

    Returns:
        A ``string`` array of the same length and validity.
    """
    if len(array) == 0 or array.null_count == len(array):
        return array
    offsets = np.frombuffer(
        array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4
    )
    start, stop = int(offsets[0]), int(offsets[-1])
    if stop - start < 3:
        return array
    data = np.frombuffer(array.buffers()[2], dtype=np.uint8)[start:stop]
    # Look only where a lead byte is: most text has none, or few (CJK punctuation shares E3).
    lead = np.flatnonzero((data[:-2] == 0xEF) | (data[:-2] == 0xE3))
    if lead.size == 0:
        return array
    second, third = data[lead + 1], data[lead + 2]
    first = data[lead]
    low = (first == 0xEF) & (second == 0xBC) & (third >= 0x81) & (third <= 0xBF)
    high = (first == 0xEF) & (second == 0xBD) & (third >= 0x80) & (third <= 0x9E)
    space = (first == 0xE3) & (second == 0x80) & (third == 0x80)
    hit = low | high | space
    if not hit.any():
        return array
    lead, third, low, high = lead[hit], third[hit], low[hit], high[hit]
    out = data.copy()
    out[lead] = np.where(low, third - 0x60, np.where(high, third - 0x20, 0x20))
    # A converted character lies wholly inside one value, so the bytes removed before a value
    # starts are two per lead byte before its offset.
    relative = offsets - start
    new_offsets = (relative - 2 * np.searchsorted(lead, relative)).astype(np.int32)
    validity = None if array.null_count == 0 else array.is_valid().buffers()[1]
    return pa.Array.from_buffers(
        pa.string(),
        len(array),
        [
            validity,
            pa.py_buffer(new_offsets),
            pa.py_buffer(np.delete(out, np.concatenate((lead + 1, lead + 2)))),
        ],
        null_count=array.null_count,
    )
