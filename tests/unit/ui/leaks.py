"""Search page text for the sample's personal values (the leak scan's search, on HTML)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tests.integration.test_leak_scan import search

_SPLIT = re.compile(r"[\s<>\"'=,;:()\[\]{}]+")


def leaked(texts: Iterable[str], secrets: dict[str, str]) -> list[str]:
    """The columns whose values appear in the texts (as a whole token or inside longer text).

    The search is first shown to work: a value planted in a line of HTML must be found.
    """
    planted = next(v for v in secrets if len(v) >= 6)
    assert search([f"<td>{planted}</td>"], secrets), "the search does not find a planted value"
    texts = list(texts)
    exact = Counter(secrets[t] for text in texts for t in _SPLIT.split(text) if t in secrets)
    inside = search([line for text in texts for line in text.splitlines()], secrets)
    return sorted(set(exact) | set(inside))
