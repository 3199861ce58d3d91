"""String normalisation over pyarrow arrays, and its Python twin for one value.

Regular expressions run in Arrow (RE2); the Python twins exist where one value is handled alone
(a token computed for a single value must equal the vectorized one).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Whitespace removed by normalizers; the same set in RE2 and in Python (``str.strip(WHITESPACE)``).
WHITESPACE = " \t\n\r\f\v\u00a0\u3000"

#: RE2 class of separators people type inside numbers: whitespace, dashes and brackets.
SEPARATORS_CLASS = r"[ \t\n\r\f\v\x{a0}\x{3000}\-()（）]"


def as_strings(values: Any) -> Any:
    """Return ``values`` as one contiguous ``pa.string()`` array.

    Args:
        values: a pyarrow Array or ChunkedArray of any type that casts to string.

    Returns:
        A ``pa.StringArray``.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks else pa.array([], pa.string())
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    return values


def strip(values: Any) -> Any:
    """Trim :data:`WHITESPACE` from both ends of every string (any array is cast to string)."""
    return pc.utf8_trim(as_strings(values), WHITESPACE)


def compact(values: Any) -> Any:
    """Remove whitespace, dashes and brackets; upper-case ASCII letters (``x`` → ``X``).

    Any array is cast to string first.
    """
    cleaned = pc.replace_substring_regex(as_strings(values), f"{SEPARATORS_CLASS}+", "")
    return pc.ascii_upper(cleaned)


def compact_one(value: str) -> str:
    """Python twin of :func:`compact` for one value."""
    out = "".join(ch for ch in value if ch not in WHITESPACE and ch not in "-()（）")
    return out.translate(_ASCII_UPPER)


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def regex_mask(values: Any, pattern: str) -> Any:
    """Boolean mask of values fully matching RE2 ``pattern`` (anchor it yourself); null → False."""
    return pc.fill_null(pc.match_substring_regex(values, pattern), False)


def fixed_width(values: Any, width: int) -> np.ndarray | None:
    """The bytes of a ``string`` array as an ``(n, width)`` matrix, when that is its layout.

    A read-only view (no copy) when no value is null and every value is exactly ``width``
    bytes long, as ID numbers, phone numbers and ISO dates of a clean column are; None
    otherwise (and for any other type), so that a caller takes its general path.
    """
    if not isinstance(values, pa.Array) or values.type != pa.string() or values.null_count:
        return None
    n = len(values)
    offsets = np.frombuffer(
        values.buffers()[1], dtype=np.int32, count=n + 1, offset=values.offset * 4
    )
    start = int(offsets[0]) if n else 0
    if n == 0 or int(offsets[-1]) - start != n * width:
        return None
    if not (np.diff(offsets) == width).all():
        return None
    data = np.frombuffer(values.buffers()[2], dtype=np.uint8, count=n * width, offset=start)
    return data.reshape(n, width)


def from_fixed_width(matrix: np.ndarray) -> pa.Array:
    """A ``string`` array of the rows of a ``uint8`` matrix (each row one value's UTF-8 bytes)."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def ascii_digits(matrix: np.ndarray) -> np.ndarray:
    """Boolean matrix: which bytes of a ``uint8`` matrix are ASCII digits."""
    return (matrix - np.uint8(0x30)) < 10  # bytes below "0" wrap around to 0xD0 and up
