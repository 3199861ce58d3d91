r"""Free-text scanning (classification.md §2, §3): every value of a prose column, not a sample.

A 1,000-value sample finds 100 phone numbers hidden in ~920k remarks only 8.5% of the time, so a
free-text column is scanned whole: one RE2 prefilter over the column in Arrow, per-category
patterns on the candidate values only, and Python (with the spec's CJK-safe boundaries
``(?<![0-9A-Za-z])…(?![0-9A-Za-z])``; Python's ``\b`` treats Han characters as word characters)
to confirm check digits on at most :data:`MAX_CONFIRM` candidates per category. What is looked
for is each category record's ``in_text`` (:mod:`etl.classify.categories`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow.compute as pc

from etl.classify.categories import CATEGORIES
from etl.classify.category import Category
from etl.classify.detectors.health import RE_MEDICAL_NARRATIVE
from etl.classify.detectors.records import RE_CASE
from etl.text.strings import as_strings, strip

#: Candidates confirmed in Python per category; beyond it a seeded sample is confirmed and
#: the count estimated.
MAX_CONFIRM = 5000
#: Share of values using medical or case vocabulary that makes a column narrative (L4) ...
NARRATIVE_SHARE = 0.3
#: ... or this share when the column's name already says so (简要案情, 诊断描述).
NARRATIVE_SHARE_WITH_NAME = 0.05
#: Median length from which a varied text column written in sentences is treated as prose ...
PROSE_MIN_LENGTH = 8
#: ... and from which it is prose whatever its punctuation.
PROSE_LONG = 20

_L, _R = "(?:^|[^0-9A-Za-z])", "(?:$|[^0-9A-Za-z])"
_PL, _PR = "(?<![0-9A-Za-z])", "(?![0-9A-Za-z])"


def free_text_patterns(
    categories: Iterable[Category],
) -> dict[str, tuple[str, str, Callable[[str], bool]]]:
    """The scan's patterns: category → (RE2 pattern, Python pattern, confirmation on the match).

    Args:
        categories: category records; those with ``in_text`` are scanned for, in their order.

    Returns:
        Patterns with the CJK-safe boundaries around the records' own patterns.
    """
    out: dict[str, tuple[str, str, Callable[[str], bool]]] = {}
    for c in categories:
        if c.in_text is None:
            continue
        found = c.in_text
        left, py_left = (_L, _PL) if found.left_boundary else ("", "")
        python = found.python if found.python is not None else found.pattern
        out[c.id] = (f"{left}{found.pattern}{_R}", f"{py_left}{python}{_PR}", found.confirm)
    return out


#: Category → (RE2 pattern with boundaries, Python pattern, confirmation on the match).
PATTERNS = free_text_patterns(CATEGORIES)
_ANY = "|".join(f"(?:{p[0]})" for p in PATTERNS.values())
_PY = {c: re.compile(p[1]) for c, p in PATTERNS.items()}


@dataclass(frozen=True)
class FreeTextScan:
    """What a full scan of a text column found; counts only, never values.

    Attributes:
        scanned: non-empty values scanned.
        hits: category → values containing at least one confirmed hit (estimated beyond
            :data:`MAX_CONFIRM` candidates).
        medical_share: share of values using medical vocabulary.
        case_share: share of values using the vocabulary of case narratives.
    """

    scanned: int
    hits: dict[str, int]
    medical_share: float
    case_share: float

    def narrative(self, hinted: str | None = None) -> str | None:
        """``"health"`` or ``"criminal_record"`` if the column is narrative of that kind.

        Args:
            hinted: the category the column's name hints at, if any (lowers the share needed).

        Returns:
            The narrative category with the larger share, or None.
        """
        found: list[tuple[float, str]] = []
        shares = (("health", self.medical_share), ("criminal_record", self.case_share))
        for category, share in shares:
            need = NARRATIVE_SHARE_WITH_NAME if hinted == category else NARRATIVE_SHARE
            if share >= need:
                found.append((share, category))
        return max(found)[1] if found else None


def _share(text: Any, pattern: str) -> float:
    if len(text) == 0:
        return 0.0
    return float(pc.sum(pc.fill_null(pc.match_substring_regex(text, pattern), False)).as_py() or 0)


def _confirmed(candidates: list[str], category: str, salt: int) -> tuple[int, int]:
    """``(confirmed, checked)`` among candidate values (a seeded sample if there are many)."""
    if len(candidates) > MAX_CONFIRM:
        rng = np.random.default_rng([salt, zlib.crc32(category.encode())])
        picked = rng.choice(len(candidates), size=MAX_CONFIRM, replace=False)
        candidates = [candidates[i] for i in np.sort(picked)]
    pattern, check = _PY[category], PATTERNS[category][2]
    ok = sum(1 for v in candidates if any(check(m.group(0)) for m in pattern.finditer(v)))
    return ok, len(candidates)


def scan_free_text(values: Any, *, seed: int = 0) -> FreeTextScan:
    """Scan every non-empty value of a text column for personal data and narrative.

    Args:
        values: pyarrow Array or ChunkedArray (cast to string).
        seed: seed of the confirmation sample when candidates exceed :data:`MAX_CONFIRM`.

    Returns:
        Counts per category and the narrative shares.
    """
    text = strip(as_strings(values))
    text = text.filter(pc.fill_null(pc.not_equal(text, ""), False))
    n = len(text)
    hits: dict[str, int] = {}
    if n:
        candidates = text.filter(pc.fill_null(pc.match_substring_regex(text, _ANY), False))
        for category, (pattern, _py, _check) in PATTERNS.items():
            mask = pc.fill_null(pc.match_substring_regex(candidates, pattern), False)
            subset = candidates.filter(mask).to_pylist()
            if not subset:
                continue
            ok, checked = _confirmed(subset, category, seed & 0xFFFFFFFF)
            if ok:
                hits[category] = max(1, round(ok * len(subset) / checked))
    medical = _share(text, RE_MEDICAL_NARRATIVE) / n if n else 0.0
    case = _share(text, RE_CASE) / n if n else 0.0
    return FreeTextScan(n, hits, round(medical, 4), round(case, 4))


def looks_like_prose(sample: Any) -> bool:
    """Whether a sampled string column reads like free text rather than codes, names or labels.

    Prose is varied (at least half the sampled values distinct), not single tokens of letters
    and digits, and either long (median at least :data:`PROSE_LONG` characters) or written in
    sentences (median at least :data:`PROSE_MIN_LENGTH` characters, a fifth of the values with
    sentence punctuation or spaces). Company names and job titles are not prose.

    Args:
        sample: string array of sampled non-empty values.

    Returns:
        True for free text.
    """
    if len(sample) == 0:
        return False
    n = len(sample)
    median = pc.approximate_median(pc.utf8_length(sample)).as_py() or 0
    distinct = pc.count_distinct(sample).as_py() / n
    codes = _share(sample, r"^[0-9A-Za-z._:/+=-]+$") / n
    sentences = _share(sample, r"[，。；：！？、,;:!?\s]") / n
    if distinct < 0.5 or codes >= 0.5:
        return False
    return bool(median >= PROSE_LONG or (median >= PROSE_MIN_LENGTH and sentences >= 0.2))
