"""Plain-text tables for people (CJK characters count double width in a terminal)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Display width of ``text`` in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def render(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Render rows under headers, columns padded to their widest cell."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    sizes = [width(h) for h in headers]
    for row in cells:
        sizes = [max(s, width(c)) for s, c in zip(sizes, row, strict=True)]
    lines = [
        "  ".join(_pad(h, s) for h, s in zip(headers, sizes, strict=True)).rstrip(),
        "  ".join("-" * s for s in sizes),
    ]
    lines.extend(
        "  ".join(_pad(c, s) for c, s in zip(row, sizes, strict=True)).rstrip() for row in cells
    )
    return "\n".join(lines)
