"""What the table is about, and what that changes in its columns' grades.

A column's values rarely say whose they are; the rest of the table does. After every column has
been decided on its own (:mod:`etl.classify.decide`), the table is read as a whole:

- **A table about persons** has a direct identifier of a natural person (ID number, passport,
  social-security number) or person names (a legal representative's name does not count: it is
  a registration item of an enterprise). There, a weak category (name, mobile, landline,
  address, e-mail) is accepted on content alone at :data:`PERSON_CONTENT_SHARE` of the sample
  (names and landlines only when they vary as a person's do), and names or telephone numbers
  that are a material share of a mixed column (a counterparty that is sometimes a natural
  person) make it personal (就高从严). A person's financial attributes
  (``personal_finance``: wages, contribution base, loans, deposits, payments received) are
  sensitive personal information, L4: an amount under a header that speaks of money, or under
  any header when nearly every value is kept to the fen (two decimals, as 元 are stored) and
  the amounts vary as money does.
- **A table with no natural person** has no personal financial attribute: such amounts are
  operational data. When its rows are organisations or facilities (an organisation identifier
  such as 统一社会信用代码, or a column naming the organisation or facility), coordinates,
  addresses and telephone numbers locate and reach the facility, not a person: L1
  (classification.md §3: facility coordinates L1, registered org address L1, published org
  numbers L1).
- **A registration table** (an organisation identifier, no natural person): every item no
  category claimed is a public registration item (企业信用信息公示, 双公示): L1. So are the
  registered address, the published telephone and an administrative penalty.

Only detector decisions change; a registry label always stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from etl.classify import names
from etl.classify.categories import CATEGORIES
from etl.classify.decide import ColumnFinding
from etl.classify.grades import DEFAULT_GRADES, grade_rank
from etl.classify.model import ColumnClassification
from etl.classify.name_terms import (
    LEGAL_REPRESENTATIVE,
    ORG_ADDRESS,
    ORG_CONTACT,
    PUBLIC_PENALTY,
)

#: Categories that identify an organisation.
ORG_IDENTIFIERS = frozenset(c.id for c in CATEGORIES if not c.personal)
#: Categories that identify a natural person on their own.
PERSON_IDENTIFIERS = frozenset({"id_card", "passport", "social_security"})
#: Share of the sample at which content alone decides a weak category in a table of persons ...
PERSON_CONTENT_SHARE = 0.8
#: ... and for an amount under a header that only hints at money (金额, 收入): nearly all.
AMOUNT_SHARE = 0.9
#: Names decide on their own that a table is about persons only when nearly every value is a
#: name and they are as varied as names are, and nothing in the table names an organisation.
NAMES_ALONE_SHARE = 0.9
NAMES_ALONE_VARIETY = 0.5
#: Share of names or mobile numbers that makes a mixed column personal in a table of persons.
MIXED_SHARE = 0.3
#: A name column is varied: at least this many distinct values per sampled value.
NAME_VARIETY = 0.3
#: A counterparty column: person names and organisation names together make up this much.
COUNTERPARTY_SHARE = 0.8
#: ... with organisations at least this share of it.
COUNTERPARTY_ORGS = 0.1
#: Categories whose content may decide a mixed column, most sensitive first.
MIXED_CATEGORIES = ("mobile_phone", "landline_phone", "person_name")
#: Categories whose content decides only when the values vary as a person's do (a column of
#: one office's telephone number, or of a few station names, is not about the persons).
VARIED_CATEGORIES = frozenset({"person_name", "landline_phone"})
#: Facility and organisation data: these categories locate or reach the facility (L1).
FACILITY_CATEGORIES = frozenset({"geo_coordinate", "address", "landline_phone"})
FACILITY_GRADE = "L1"
#: Grade of a registration item of an organisation (public: 企业信用信息公示).
REGISTRATION_GRADE = "L1"
#: Categories that reach or identify a natural person; a table without any of them (and
#: without persons) has no one whose location its coordinates could be.
PERSONAL_CONTACTS = frozenset(
    {"mobile_phone", "email", "license_plate", "ip_address", "bank_card", "person_name"}
)
#: Headers of registration items (企业信用信息公示: 名称, 成立日期, 注册资本, 经营范围, 登记机关,
#: 类型, 登记状态, 核准日期): with an organisation identifier they make a registration table.
REGISTRATION_WORDS = (
    "企业名称",
    "单位名称",
    "成立日期",
    "注册资本",
    "经营范围",
    "登记机关",
    "企业类型",
    "登记状态",
    "经营状态",
    "核准日期",
    "营业期限",
)
REGISTRATION_TOKENS = frozenset(
    {"qymc", "dwmc", "clrq", "zczb", "jyfw", "djjg", "qylx", "djzt", "jyzt", "hzrq", "yyqx"}
    | {"registered", "capital", "establish", "established", "scope", "registration"}
)

#: role → (categories it applies to, grade, reason for people), in a table of organisations.
_PUBLIC_ITEMS: dict[str, tuple[frozenset[str], str, str]] = {
    ORG_ADDRESS: (frozenset({"address"}), "L1", "registered address of an organisation"),
    ORG_CONTACT: (
        frozenset({"landline_phone", "mobile_phone"}),
        "L1",
        "published telephone of an organisation",
    ),
    PUBLIC_PENALTY: (
        frozenset({"criminal_record"}),
        "L1",
        "administrative penalty of an enterprise (双公示)",
    ),
}


def holds_persons(columns: Iterable[ColumnClassification]) -> bool:
    """Whether a table with these columns is about natural persons.

    Args:
        columns: the table's column classifications.

    Returns:
        True if a column is a person identifier, or person names graded as personal (a legal
        representative's name, a public registration item, is L1 and does not count).
    """
    for c in columns:
        personal = grade_rank(c.grade) >= grade_rank("L3")
        if personal and (c.category in PERSON_IDENTIFIERS or c.category == "person_name"):
            return True
    return False


def _regrade(f: ColumnFinding, grade: str, why: str) -> ColumnFinding:
    c = f.classification
    if c.grade == grade:
        return f
    evidence = f"{c.evidence}; {why} → {grade}"
    return replace(f, classification=replace(c, grade=grade, evidence=evidence))


def _accept(f: ColumnFinding, category: str, share: float, why: str) -> ColumnFinding:
    c = f.classification
    evidence = f"{_percent(share)} of sampled values pass {category} check; {why}"
    column = ColumnClassification(
        c.name, category, DEFAULT_GRADES[category], share, evidence, "detector"
    )
    return replace(f, classification=column, scan_text=False)


def _percent(share: float) -> str:
    return f"{round(share * 100, 1):g}%"


def _content(f: ColumnFinding) -> ColumnFinding:
    """A column of a table about persons, by its content alone (or its material share)."""
    c = f.classification
    if c.decided_by == "registry" or c.category != "none" or not f.content:
        return f
    hint = names.entity_hint(c.name)
    if hint is not None and not hint.ambiguous:
        return f  # it names a station, a hospital or an employer, not a person
    shares = dict(f.content)
    varied = f.variety >= NAME_VARIETY
    for category, share in f.content:  # highest share first
        need = AMOUNT_SHARE if category == "personal_finance" else PERSON_CONTENT_SHARE
        if share >= need and (category not in VARIED_CATEGORIES or varied):
            return _accept(f, category, share, "content alone in a table about persons")
    for category in MIXED_CATEGORIES:
        share = shares.get(category, 0.0)
        if share >= MIXED_SHARE and (category not in VARIED_CATEGORIES or varied):
            why = "a material share of a mixed column in a table about persons (就高从严)"
            return _accept(f, category, share, why)
    return f


def _counterparty(f: ColumnFinding) -> ColumnFinding:
    """Persons and organisations in one column (交易对方, 当事人): the persons' grade (就高从严).

    In any table: the column itself says it names parties, some of them natural persons.
    """
    c = f.classification
    share = dict(f.content).get("person_name", 0.0)
    parties = f.organisations >= COUNTERPARTY_ORGS and share + f.organisations >= COUNTERPARTY_SHARE
    if c.decided_by == "registry" or c.category != "none" or share < MIXED_SHARE or not parties:
        return f
    if f.variety < NAME_VARIETY or names.entity_hint(c.name) is not None:
        return f
    why = (
        f"a counterparty column: persons and organisations ({_percent(f.organisations)}); "
        "the most sensitive material share decides (就高从严)"
    )
    return _accept(f, "person_name", share, why)


def _names_alone(findings: list[ColumnFinding]) -> list[ColumnFinding]:
    """A column of names under a header nobody knows makes the table about persons.

    Only when nearly every sampled value is a varied, name-shaped value and the column's own
    header does not name an organisation or a facility (station names read like names more
    often than one would think). Another column naming an organisation (the lender, the
    employer) says nothing about whose rows these are.
    """
    out: list[ColumnFinding] = []
    for f in findings:
        c = f.classification
        share = dict(f.content).get("person_name", 0.0)
        alone = share >= NAMES_ALONE_SHARE and f.variety >= NAMES_ALONE_VARIETY
        undecided = c.decided_by != "registry" and c.category == "none"
        if alone and undecided and names.entity_hint(c.name) is None:
            f = _accept(f, "person_name", share, "nearly every value a varied personal name")
        out.append(f)
    return out


def _without_persons(f: ColumnFinding) -> ColumnFinding:
    """An amount in a table with no natural person is nobody's wage: operational data."""
    c = f.classification
    if c.decided_by == "detector" and c.category == "personal_finance":
        evidence = f"{c.evidence}; no natural person in the table: an operational amount"
        column = replace(c, category="none", grade=DEFAULT_GRADES["none"], evidence=evidence)
        return replace(f, classification=column)
    return f


def _public_item(f: ColumnFinding, org: str) -> ColumnFinding:
    """An organisation's registered address, published telephone or penalty: public (L1)."""
    item = _PUBLIC_ITEMS.get(f.role or "")
    c = f.classification
    if item and c.decided_by == "detector" and c.category in item[0]:
        return _regrade(f, item[1], f"{item[2]} (dataset has {org!r})")
    return f


def _entity(findings: Sequence[ColumnFinding]) -> str | None:
    """The column that says the rows are organisations or facilities, if any."""
    for f in findings:
        if f.classification.category in ORG_IDENTIFIERS:
            return f.classification.name
    for f in findings:
        hint = names.entity_hint(f.classification.name)
        if hint is not None and not hint.ambiguous:
            return f.classification.name
    return None


def apply_context(findings: Sequence[ColumnFinding]) -> list[ColumnFinding]:
    """Read the table as a whole and regrade its detector decisions accordingly.

    Args:
        findings: one per column, each decided on its own.

    Returns:
        The findings, with context applied (see the module docstring).
    """
    out = list(findings)
    orgs = [f.classification.name for f in out if f.classification.category in ORG_IDENTIFIERS]
    if orgs:
        out = [_public_item(f, orgs[0]) for f in out]
    out = [_counterparty(f) for f in out]
    if not holds_persons(f.classification for f in out) and not orgs:
        out = _names_alone(out)
    if holds_persons(f.classification for f in out):
        return [_content(f) for f in out]
    out = [_without_persons(f) for f in out]
    entity = _entity(out)
    nobody = not any(
        f.classification.category in PERSONAL_CONTACTS
        and grade_rank(f.classification.grade) >= grade_rank("L3")
        for f in out
    )
    registration = bool(orgs) and _registration(out)
    regraded: list[ColumnFinding] = []
    for f in out:
        c = f.classification
        if entity and c.decided_by == "detector" and c.category in FACILITY_CATEGORIES:
            why = f"locates or reaches the organisation or facility ({entity!r}), no person"
            f = _regrade(f, FACILITY_GRADE, why)
        elif nobody and c.decided_by == "detector" and c.category == "geo_coordinate":
            f = _regrade(
                f, FACILITY_GRADE, "no natural person in the table: a place, not a person's"
            )
        elif registration and c.decided_by != "registry" and c.category == "none":
            why = f"registration item of an organisation ({orgs[0]!r}), no natural person"
            f = _regrade(f, REGISTRATION_GRADE, why)
        regraded.append(f)
    return regraded


def _registration(findings: Sequence[ColumnFinding]) -> bool:
    """Whether the columns beside the organisation identifier are registration items."""
    for f in findings:
        if f.role == LEGAL_REPRESENTATIVE:
            return True
        latin, chinese = names.tokenize(f.classification.name)
        if REGISTRATION_TOKENS & set(latin) or any(
            w in run for run in chinese for w in REGISTRATION_WORDS
        ):
            return True
    return False
