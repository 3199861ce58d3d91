"""The category spec: one frozen record per sensitivity category (classification.md §3).

Everything the project knows about a category is on its :class:`Category`: the grade of a column
of it, its value check, the header terms that hint at it, how it is found inside free text, the
canonical form its tokens are computed over, what the shared zone does with it, the format a
drafted suite expects, and whether it is about (or identifies) a person. The table of records is
:data:`etl.classify.categories.CATEGORIES`; the detector registry, the default grades, the name
hints, the free-text patterns, the suite formats and the zone projection are derived from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from etl.classify.detectors.base import Detector


@dataclass(frozen=True)
class Words:
    """Header terms that hint at a category (matched as :mod:`etl.classify.names` describes).

    Attributes:
        words: comma-separated terms; ``_`` stands for a token break (``id_card`` matches
            ``idCard``, ``id-card``).
        ambiguous: the terms have other common meanings (``xm`` 姓名/项目): weak evidence.
        role: the role the terms carry (``org_address`` for 注册地址 ...), if any.
    """

    words: str
    ambiguous: bool = False
    role: str | None = None


@dataclass(frozen=True)
class InText:
    """How a category is found inside free text (classification.md §2 "Free-text columns").

    Attributes:
        pattern: RE2 pattern of one occurrence, without the CJK-safe boundaries.
        confirm: check of one matched text (a check digit, libphonenumber ...).
        python: the same pattern in Python ``re`` syntax where RE2's differs.
        left_boundary: the occurrence must not follow a letter or digit (off where the pattern
            starts with its own context, such as a card word before a card number).
    """

    pattern: str
    confirm: Callable[[str], bool]
    python: str | None = None
    left_boundary: bool = True


class Shared(StrEnum):
    """What the shared zone does with an L3 column of a category (classification.md §3, §4).

    L1/L2 columns go out as they are and L4 columns are dropped whatever their category.
    """

    TOKENIZED = "tokenized"  # keyed HMAC token over the canonical form (join keys; fail closed)
    MASKED = "masked"  # a display mask (``张**``)
    GENERALIZED = "generalized"  # coarser value (year, district, /16, 2 decimals)
    DROPPED = "dropped"  # a small value set a token would not hide
    RESTRICTED = "restricted"  # never leaves the restricted zone, whatever its grade


@dataclass(frozen=True)
class Category:
    """One sensitivity category and everything derived from it.

    Attributes:
        id: category id (fixed: it appears in output, lineage and tests).
        title: the Chinese name people know it by.
        grade: default grade of a column of this category.
        check: vectorized value check (``pa.Array`` of strings → ``pa.BooleanArray``, no nulls),
            in a module of :mod:`etl.classify.detectors`.
        description: one line for people: what the check accepts.
        strong: checksum-backed or strongly structured: accepted on content alone at p >= 0.9.
        clear_name_only: the check passes almost any value, so only an unambiguous header
            term can make a column of this category.
        headers: header terms, in the order they are tried.
        in_text: how it is found inside free text, if the scan looks for it.
        canonical: the canonical form tokens and person counts use
            (:data:`etl.text.canonical.FORMS`).
        shared: what the shared zone does with an L3 column of it.
        shared_form: the mask or generalisation (:data:`etl.protect.zones.FORMS`) when
            ``shared`` is masked or generalized.
        suite_format: a Python regex a drafted suite expects its values to match, if any.
        identifies_person: a direct identifier: it singles out a person on its own (R2, R3).
        personal: about a natural person (False for an organisation's codes).
    """

    id: str
    title: str
    grade: str
    check: Callable[[Any], Any]
    description: str
    strong: bool = False
    clear_name_only: bool = False
    headers: tuple[Words, ...] = ()
    in_text: InText | None = None
    canonical: str = "text"
    shared: Shared = Shared.TOKENIZED
    shared_form: str | None = None
    suite_format: str | None = None
    identifies_person: bool = False
    personal: bool = True

    @property
    def detector(self) -> Detector:
        """The detector of this category (what the column decision runs)."""
        return Detector(
            category=self.id,
            default_grade=self.grade,
            strong=self.strong,
            check=self.check,
            description=self.description,
            clear_name_only=self.clear_name_only,
        )
