"""Dictionary of column-name terms: pinyin initials, English words and Chinese headers.

Latin terms are space-separated token phrases (``"id card"`` matches ``id_card``, ``IdCard``,
``id-card-no``); Chinese terms match a whole Chinese run, its suffix, or (4+ characters) inside it.
Pinyin initials with other common meanings (``xm`` 姓名/项目, ``mz`` 民族/门诊, ``zd`` 诊断/站点,
``sj`` 手机/时间, ``dh`` 电话/单号, ``zh`` 账号/证号, ``jd`` 经度/街道) are marked ambiguous: weak
evidence that the values must confirm.

Each category's terms are on its record (``Category.headers``, :mod:`etl.classify.categories`);
:data:`CATEGORY_TERMS` is derived from the records, plus the published data-element codes of
:mod:`etl.classify.name_terms_codes` (which name several categories).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from etl.classify.categories import CATEGORIES
from etl.classify.category import Category
from etl.classify.name_terms_codes import HEALTH_CODES, SOCIAL_SECURITY_CODES
from etl.classify.name_terms_roles import LEGAL_REPRESENTATIVE as LEGAL_REPRESENTATIVE
from etl.classify.name_terms_roles import MINOR_ROLE as MINOR_ROLE
from etl.classify.name_terms_roles import ORG_ADDRESS as ORG_ADDRESS
from etl.classify.name_terms_roles import ORG_CONTACT as ORG_CONTACT
from etl.classify.name_terms_roles import PERSON_ROLE as PERSON_ROLE
from etl.classify.name_terms_roles import PUBLIC_PENALTY as PUBLIC_PENALTY


@dataclass(frozen=True)
class Term:
    """What a dictionary term says about a column.

    Attributes:
        category: category id it hints at.
        ambiguous: the term has other common meanings (``xm`` 姓名/项目), so it is weak evidence.
        role: optional role, e.g. ``legal_representative`` for 法定代表人.
    """

    category: str
    ambiguous: bool = False
    role: str | None = None


def terms(
    category: str, words: str, *, ambiguous: bool = False, role: str | None = None
) -> dict[str, Term]:
    """Dictionary entries for comma-separated ``words`` (``_`` stands for a token break)."""
    return {w.replace("_", " "): Term(category, ambiguous, role) for w in words.split(",")}


def kinds(kind: str, words: str) -> dict[str, str]:
    """Quasi-identifier entries of ``kind`` for comma-separated ``words``."""
    return {w.replace("_", " "): kind for w in words.split(",")}


#: Categories whose Chinese header terms are tried first, in this order: a header holding terms
#: of two categories (紧急联系人办公电话) lists its hints, and takes its role, in this order.
#: It is the order the dictionary had before the category table; categories not named here
#: follow in the table's order.
HINT_ORDER: tuple[str, ...] = (
    *("id_card", "person_name", "mobile_phone", "landline_phone", "address", "bank_card"),
    *("uscc", "org_code", "passport", "license_plate", "email", "ip_address", "geo_coordinate"),
    *("social_security", "birth_date", "gender", "ethnicity", "religion", "health", "biometric"),
    *("property_cert", "credential", "criminal_record", "personal_finance"),
)


def _hint_rank(category: Category) -> int:
    return HINT_ORDER.index(category.id) if category.id in HINT_ORDER else len(HINT_ORDER)


def category_terms(categories: Iterable[Category]) -> dict[str, Term]:
    """The header terms of ``categories`` and of the data-element codes, as one dictionary.

    Args:
        categories: category records.

    Returns:
        term → what it hints at; terms in :data:`HINT_ORDER`, then in the records' order.

    Raises:
        ValueError: if a term is listed twice.
    """
    entries: list[tuple[str, Term]] = [
        (term, info)
        for c in sorted(categories, key=_hint_rank)  # stable: the table's order among the rest
        for words in c.headers
        for term, info in terms(
            c.id, words.words, ambiguous=words.ambiguous, role=words.role
        ).items()
    ]
    entries += [(code, Term(category)) for code, category in SOCIAL_SECURITY_CODES.items()]
    entries += [(code, Term(c, ambiguous)) for code, (c, ambiguous) in HEALTH_CODES.items()]
    out: dict[str, Term] = {}
    for term, info in entries:
        if term in out:
            raise ValueError(f"header term {term!r} is listed twice")
        out[term] = info
    return out


#: Terms hinting at a detector category.
CATEGORY_TERMS: dict[str, Term] = category_terms(CATEGORIES)
