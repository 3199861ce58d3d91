"""Name hints: column names (and comments) matched as whole tokens against a dictionary.

``sfzh_1``, ``sfzhHash``, ``ID-Card`` split into tokens on ``_``, ``-``, digits and camelCase
and match whole tokens or token phrases, never substrings (``xm`` is not found in ``xmmc``).
Published data-element codes stay whole tokens with their digits (``AAC003_1`` → ``aac003``,
``DE02.01.039.00`` → ``de02.01.039``). A Chinese run has no token boundaries: it matches a
term it equals, ends with (``户籍地址`` → ``地址``), or, for terms of four or more characters,
contains (``身份证号码`` in ``法人身份证号码备份``). Only the longest of overlapping matches is
kept (``id card no`` hides ``card no``).

Headers as departments write them:

- **Role + field** (:mod:`etl.classify.name_terms_roles`): ``jkrxm``, ``jhr_dh``,
  ``guardianPhone``, 监护人电话 are the field of a person named by role; the hint carries the
  role and the role makes an ambiguous field unambiguous.
- **Entity + field** (:mod:`etl.classify.name_terms_entities`): ``stationName`` is no person's
  name (no hint), ``hospitalAddress`` and ``orgTel`` are an organisation's (``org_address``,
  ``org_contact``).
- **Qualifiers**: text in brackets (``身份证号（18位）``, ``出生日期(yyyy-mm-dd)``) counts only when
  the rest of the header says nothing; date format masks and trailing 必填/加密 ... are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from etl.classify.name_terms import CATEGORY_TERMS, ORG_ADDRESS, ORG_CONTACT, Term
from etl.classify.name_terms_entities import (
    ENTITY_PREFIXES,
    ENTITY_TERMS,
    RELATED_ORG_PREFIXES,
    RELATED_ORG_WORDS,
)
from etl.classify.name_terms_kinds import FREE_TEXT_TERMS, QUASI_IDENTIFIER_TERMS
from etl.classify.name_terms_roles import CHINESE_ROLES, ENGLISH_ROLES, PINYIN_ROLES, Role

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
#: 人社 indicator codes (``AAC003``) and WS 363 data elements (``DE02.01.039.00``,
#: ``WS02_01_039_01``): whole tokens with their digits.
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?:(?P<ws>(?i:de|ws)[._]?(\d{2})[._]?(\d{2})[._]?(\d{3})(?:[._]?\d{2,3})*)"
    r"|(?P<code>[A-Za-z]{3}\d{3}))(?!\d)"
    r"|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+"
)
_CODE = re.compile(r"[a-z]{3}\d{3}")
_BRACKETED = re.compile(r"[(（\[【〔{<]([^)）\]】〕}>]*)[)）\]】〕}>]")
#: Date format masks (``yyyy-mm-dd``, ``YYYYMMDD``, ``yyyy-MM-dd HH24:MI:SS``): ``mm`` is no 密码.
_DATE_MASK = re.compile(
    r"(?i)(?<![a-z])y{2,4}[-/._ ]?mm(?:[-/._ ]?dd)?(?:[ t_-]?hh(?:24)?(?:[:._-]?m[im])?"
    r"(?:[:._-]?ss)?)?(?![a-z])"
)
#: Qualifiers that trail a Chinese header without changing what it holds (``姓名必填``).
_QUALIFIERS = ("必填", "选填", "非必填", "可选", "可空", "加密", "脱敏", "明文", "密文", "备份")
#: Tokens after an entity word that say the column names or numbers it (``stationName``).
_ENTITY_NAMING = frozenset({"name", "code", "id", "no", "num", "number", "nm", "cd", "key"})
#: The organisation's role of a field after an entity word (``hospitalAddress``, ``orgTel``).
_ORG_ROLES = {"address": ORG_ADDRESS, "mobile_phone": ORG_CONTACT, "landline_phone": ORG_CONTACT}
#: Categories that only a natural person has: an entity word before them means no hint.
_PERSON_ONLY = frozenset({"person_name", "id_card", "birth_date", "gender", "ethnicity"})
_ROLE_PHRASE = max(len(w.split()) for w in (*ENGLISH_ROLES, *PINYIN_ROLES))
_MAX_PHRASE = max(
    len(t.split()) for t in (*CATEGORY_TERMS, *QUASI_IDENTIFIER_TERMS, *FREE_TEXT_TERMS)
)
_LATIN_ROLES: dict[str, Role] = {**PINYIN_ROLES, **ENGLISH_ROLES}


@dataclass(frozen=True)
class NameHint:
    """One dictionary term found in a column name or comment.

    Attributes:
        term: the dictionary term, or role + term (never the raw header text).
        category: category id, a quasi-identifier kind, ``free_text`` or ``entity``.
        ambiguous: weak evidence (the term has other common meanings).
        role: ``legal_representative``, ``person``, ``minor``, ``org_address`` ...
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


@dataclass(frozen=True)
class _Found:
    """A term found in a header: ``base`` is the dictionary term, ``term`` what was matched."""

    term: str
    base: str
    role: Role | None = None
    entity: bool = False


def tokenize(text: str) -> tuple[list[str], list[str]]:
    """Split a header into lower-case Latin tokens and Chinese runs.

    Args:
        text: a column name or comment.

    Returns:
        ``(latin_tokens, chinese_runs)``; for ``"hjdz_户籍地址2"`` → ``(["hjdz"], ["户籍地址"])``,
        for ``"t.AAC003_1"`` → ``(["t", "aac003"], [])``.
    """
    chinese = _CJK_RUN.findall(text)
    latin: list[str] = []
    for m in _TOKEN.finditer(_CJK_RUN.sub(" ", text)):
        if m.group("ws"):
            latin.append(f"de{m.group(2)}.{m.group(3)}.{m.group(4)}")
        else:
            latin.append(m.group(0).lower())
    return latin, chinese


def _parts(text: str) -> list[str]:
    """The header without bracketed qualifiers, then each bracketed text, in that order."""
    text = _DATE_MASK.sub(" ", text)
    return [_BRACKETED.sub(" ", text), *_BRACKETED.findall(text)]


def _unqualified(run: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for q in _QUALIFIERS:
            if run.endswith(q) and len(run) > len(q):
                run, stripped = run[: -len(q)], True
    return run


def _outermost(spans: list[tuple[int, int, _Found]]) -> list[tuple[int, int, _Found]]:
    """Drop spans inside another; of equal spans a dictionary phrase beats a compound."""

    def hidden(a: tuple[int, int, _Found], b: tuple[int, int, _Found]) -> bool:
        if a is b or not (b[0] <= a[0] and a[1] <= b[1]):
            return False
        if (b[1] - b[0]) > (a[1] - a[0]):
            return True
        return a[2].term != a[2].base and b[2].term == b[2].base

    return [a for a in spans if not any(hidden(a, b) for b in spans)]


def _split(token: str, fields: Mapping[str, Term | str], field_ok: set[str]) -> _Found | None:
    """``jkrxm`` → role ``jkr`` + field ``xm`` (longest role first), or None."""
    for cut in range(len(token) - 2, 1, -1):
        role, field = PINYIN_ROLES.get(token[:cut]), token[cut:]
        if role is None or field not in fields or field not in field_ok:
            continue
        if role.strong or not _is_ambiguous(fields[field]):
            return _Found(f"{token[:cut]} {field}", field, role)
    return None


def _is_ambiguous(info: Term | str) -> bool:
    """Weak initials with an ambiguous field read as something else: ``czsj`` 操作时间."""
    return isinstance(info, Term) and info.ambiguous


def _latin(
    tokens: list[str], dictionary: Mapping[str, Term | str], field_ok: set[str]
) -> list[_Found]:
    """Phrases of the dictionary in ``tokens``, with role or entity words before a field."""
    # A code this dictionary does not know is read as its letters, as before codes (sjh123).
    tokens = [t if t in dictionary or not _CODE.fullmatch(t) else t[:3] for t in tokens]
    spans: list[tuple[int, int, _Found]] = []
    for i in range(len(tokens)):
        for size in range(1, min(_MAX_PHRASE, len(tokens) - i) + 1):
            phrase = " ".join(tokens[i : i + size])
            if phrase in dictionary:
                spans.append((i, i + size, _Found(phrase, phrase)))
        if tokens[i] not in dictionary and (split := _split(tokens[i], dictionary, field_ok)):
            spans.append((i, i + 1, split))
    for start, end, found in list(spans):
        if found.base not in field_ok or found.role is not None:
            continue
        for k in range(max(0, start - _ROLE_PHRASE), start):
            words = " ".join(tokens[k:start])
            role = _LATIN_ROLES.get(words)
            if role is not None and (role.strong or not _is_ambiguous(dictionary[found.base])):
                spans.append((k, end, _Found(f"{words} {found.base}", found.base, role)))
                break
        else:
            if start and tokens[start - 1] in ENTITY_PREFIXES:
                term = f"{tokens[start - 1]} {found.base}"
                spans.append((start - 1, end, _Found(term, found.base, entity=True)))
    return [f for _, _, f in sorted(_outermost(spans), key=lambda s: s[:2])]


def _chinese(runs: list[str], dictionary: Iterable[str], field_ok: set[str]) -> list[_Found]:
    """Chinese terms in each run, with a role or entity word before a field."""
    terms = [t for t in dictionary if _CJK_RUN.fullmatch(t)]
    out: list[_Found] = []
    previous = ""
    owners: set[str] = set()
    for raw in runs:
        run = _unqualified(raw)
        hits = [t for t in terms if run == t or run.endswith(t) or (len(t) >= 4 and t in run)]
        found: list[_Found] = []
        for t in (t for t in hits if not any(t != o and t in o for o in hits)):
            before = run[: run.rfind(t)] or previous
            role = max((w for w in CHINESE_ROLES if before.endswith(w)), key=len, default=None)
            if t not in field_ok:
                found.append(_Found(t, t))
            elif role is not None:
                found.append(_Found(role + t, t, CHINESE_ROLES[role]))
            elif any(before.endswith(w) for w in ENTITY_PREFIXES):
                found.append(_Found(before + t, t, entity=True))
            else:
                found.append(_Found(t, t))
        owners.update(f.term[: -len(f.base)] for f in found if f.role is not None)
        out.extend(found)
        previous = run
    # A role word (紧急联系人 in 紧急联系人手机) is the field's owner, not a field of its own.
    return [f for f in out if f.term not in owners]


def _find(
    text: str, dictionary: Mapping[str, Term | str], field_ok: set[str] | None = None
) -> list[_Found]:
    """Terms of ``dictionary`` in a header; ``field_ok``: terms that take a role or entity."""
    fields = field_ok if field_ok is not None else set()
    for part in _parts(text):
        latin, chinese = tokenize(part)
        found = _latin(latin, dictionary, fields) + _chinese(chinese, dictionary, fields)
        if found:
            return list({f.term: f for f in found}.values())
    return []


#: Category terms that take a role or an entity word: fields without a role of their own.
_CATEGORY_FIELDS = {t for t, info in CATEGORY_TERMS.items() if info.role is None}
_QI_FIELDS = set(QUASI_IDENTIFIER_TERMS)
_FREE_TEXT: dict[str, Term | str] = dict.fromkeys(FREE_TEXT_TERMS, "free_text")


def _category_hint(found: _Found, source: str) -> NameHint | None:
    info = CATEGORY_TERMS[found.base]
    if found.entity:
        if info.category in _PERSON_ONLY:
            return None
        role = _ORG_ROLES.get(info.category, info.role)
        return NameHint(found.term, info.category, info.ambiguous, role, source)
    if found.role is not None:
        ambiguous = info.ambiguous and not found.role.strong
        return NameHint(found.term, info.category, ambiguous, found.role.role, source)
    return NameHint(found.term, info.category, info.ambiguous, info.role, source)


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
        for found in _find(text, CATEGORY_TERMS, _CATEGORY_FIELDS):
            hint = _category_hint(found, source)
            if hint is not None:
                hints.append(hint)
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
        for found in _find(text, QUASI_IDENTIFIER_TERMS, _QI_FIELDS):
            if not found.entity:
                role = found.role.role if found.role else None
                return NameHint(found.term, QUASI_IDENTIFIER_TERMS[found.base], False, role, source)
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
        for found in _find(text, _FREE_TEXT):
            return NameHint(found.term, "free_text", source=source)
    return None


def entity_hint(name: str, comment: str | None = None) -> NameHint | None:
    """Whether a column names or numbers a facility or an organisation (机构名称, ``stationId``).

    The entity word must end the header or be followed only by a naming word (``name``,
    ``code``, ``id`` ...); a header that puts it after a person's or another body's word
    (工作单位名称, 所属机构, ``patientHospital``) is about something else, not the row.

    Args:
        name: column name.
        comment: optional column comment.

    Returns:
        A hint whose ``category`` is ``"entity"`` (``ambiguous`` for 站点/诊断 ``zdmc``, 单位,
        ``unit``, ``dept``), an unambiguous one first; or None.
    """
    hints: list[NameHint] = []
    for source, text in (("name", name), ("comment", comment)):
        latin, chinese = tokenize(_parts(text or "")[0])
        hints.extend(_entity(t, source) for t in _latin_entities(latin))
        hints.extend(_entity(t, source) for t in _chinese_entities(chinese))
    return min(hints, key=lambda h: h.ambiguous, default=None)


def _latin_entities(tokens: list[str]) -> list[str]:
    """Entity words followed only by naming words, after no person's or other body's word."""
    found = []
    for i, token in enumerate(tokens):
        before = tokens[i - 1] if i else ""
        naming = not set(tokens[i + 1 :]) - _ENTITY_NAMING
        related = before in RELATED_ORG_WORDS or before in _LATIN_ROLES
        if token in ENTITY_TERMS and naming and not related:
            found.append(token)
    return found


def _chinese_entities(runs: list[str]) -> list[str]:
    """Entity terms a run ends with, after no person's or other body's word."""
    found = []
    for run in map(_unqualified, runs):
        t = max((t for t in ENTITY_TERMS if run.endswith(t)), key=len, default=None)
        if t is None or not _CJK_RUN.fullmatch(t):
            continue
        before = run[: -len(t)]
        if not before.endswith(RELATED_ORG_PREFIXES) and not before.endswith(tuple(CHINESE_ROLES)):
            found.append(t)
    return found


def _entity(term: str, source: str) -> NameHint:
    return NameHint(term, ENTITY_TERMS[term].category, ENTITY_TERMS[term].ambiguous, source=source)
