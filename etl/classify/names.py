"""Name hints: column names (and comments) matched as whole tokens against a dictionary.

``sfzh_1``, ``sfzhHash``, ``ID-Card`` split into tokens on ``_``, ``-``, digits and camelCase
and match whole tokens or token phrases, never substrings (``xm`` is not found in ``xmmc``).
A Chinese run has no token boundaries: it matches a term it equals, ends with
(``户籍地址`` → ``地址``), or, for terms of four or more characters, contains
(``身份证号码`` in ``法人身份证号码备份``). Only the longest of overlapping matches is kept
(``id card no`` hides ``card no``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.classify.name_terms import Term
from etl.classify.name_terms_sensitive import (
    CATEGORY_TERMS,
    FREE_TEXT_TERMS,
    QUASI_IDENTIFIER_TERMS,
)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_TOKEN = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_MAX_PHRASE = max(
    len(t.split()) for t in (*CATEGORY_TERMS, *QUASI_IDENTIFIER_TERMS, *FREE_TEXT_TERMS)
)


@dataclass(frozen=True)
class NameHint:
    """One dictionary term found in a column name or comment.

    Attributes:
        term: the dictionary term (never the raw header text).
        category: category id, or a quasi-identifier kind for quasi-identifier hints.
        ambiguous: weak evidence (the term has other common meanings).
        role: e.g. ``legal_representative``.
        source: ``"name"`` or ``"comment"``.
    """

    term: str
    category: str
    ambiguous: bool = False
    role: str | None = None
    source: str = "name"

    def describe(self) -> str:
        """Short text for evidence, e.g. ``name hint 'sfzh'``."""
        text = f"{self.source} hint {self.term!r}"
        return f"{text} (ambiguous)" if self.ambiguous else text


def tokenize(text: str) -> tuple[list[str], list[str]]:
    """Split a header into lower-case Latin tokens and Chinese runs.

    Args:
        text: a column name or comment.

    Returns:
        ``(latin_tokens, chinese_runs)``; for ``"hjdz_户籍地址2"`` → ``(["hjdz"], ["户籍地址"])``.
    """
    chinese = _CJK_RUN.findall(text)
    latin = [t.lower() for t in _LATIN_TOKEN.findall(_CJK_RUN.sub(" ", text))]
    return latin, chinese


def _latin_phrases(tokens: list[str]) -> list[str]:
    phrases: list[str] = []
    for size in range(1, _MAX_PHRASE + 1):
        phrases.extend(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))
    return phrases


def _chinese_matches(run: str, terms: list[str]) -> list[str]:
    return [t for t in terms if run == t or run.endswith(t) or (len(t) >= 4 and t in run)]


def _longest(found: list[str], *, spaced: bool) -> list[str]:
    def inside(short: str, long: str) -> bool:
        return f" {short} " in f" {long} " if spaced else short in long

    return [t for t in found if not any(t != o and inside(t, o) for o in found)]


def _matches(text: str, dictionary: list[str]) -> list[str]:
    latin, chinese = tokenize(text)
    wanted = set(dictionary)
    found = _longest([p for p in _latin_phrases(latin) if p in wanted], spaced=True)
    chinese_terms = [t for t in dictionary if _CJK_RUN.fullmatch(t)]
    for run in chinese:
        found.extend(_longest(_chinese_matches(run, chinese_terms), spaced=False))
    return list(dict.fromkeys(found))


def category_hints(name: str, comment: str | None = None) -> tuple[NameHint, ...]:
    """Category hints from a column name and its optional comment.

    Args:
        name: column name.
        comment: column comment (e.g. from the source schema), extra name evidence.

    Returns:
        Hints in order of appearance, name before comment.
    """
    hints: list[NameHint] = []
    for source, text in (("name", name), ("comment", comment)):
        if not text:
            continue
        for term in _matches(text, list(CATEGORY_TERMS)):
            info: Term = CATEGORY_TERMS[term]
            hints.append(NameHint(term, info.category, info.ambiguous, info.role, source))
    return tuple(hints)


def quasi_identifier_hint(name: str, comment: str | None = None) -> NameHint | None:
    """The quasi-identifier kind a column name or comment hints at, if any.

    Args:
        name: column name.
        comment: optional column comment.

    Returns:
        A hint whose ``category`` is the kind (``"gender"``, ``"birth_date/age"`` ...), or None.
    """
    for source, text in (("name", name), ("comment", comment)):
        if not text:
            continue
        for term in _matches(text, list(QUASI_IDENTIFIER_TERMS)):
            return NameHint(term, QUASI_IDENTIFIER_TERMS[term], source=source)
    return None


def free_text_hint(name: str, comment: str | None = None) -> NameHint | None:
    """Whether a column name or comment says the column holds free text (备注, remark ...).

    Args:
        name: column name.
        comment: optional column comment.

    Returns:
        A hint whose ``category`` is ``"free_text"``, or None.
    """
    for source, text in (("name", name), ("comment", comment)):
        if not text:
            continue
        for term in _matches(text, list(FREE_TEXT_TERMS)):
            return NameHint(term, "free_text", source=source)
    return None
