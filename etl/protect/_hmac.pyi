"""Types of the C token loop (``_hmac.c``)."""

from typing import Any

def digests(
    inner_pad: bytes, outer_pad: bytes, offsets: Any, data: Any, first: int, count: int, keep: int
) -> bytes: ...
