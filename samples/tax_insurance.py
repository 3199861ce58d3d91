"""Builders of the tax and social-insurance samples, derived from the enterprise register.

Both departments know most of the register's enterprises (its clean rows, before the register
file's two typing faults), miss some, hold organisations the register does not know, and disagree
with it on a few planted values listed in ``samples/README.md``; all else agrees with the register.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass

from entities import (
    UNIFIED_CODES_FROM,
    USCC_ALPHABET,
    USCC_REGIONS,
    Entity,
    credit_code,
    enterprise_address,
    enterprise_register,
    has_plain_name,
    institutions,
    is_live,
    other_name,
    pick_entities,
)
from faker import Faker
from synthetic import DEMO_DATE, URBAN, WUHAN, Row, seeded_faker, seeded_rng, urban_address

from etl.classify.detectors.codes import org_code_check_char

TAX_INSTITUTIONS = slice(0, 4)  # the tax extract has the first four
INSURED_INSTITUTIONS = slice(2, 6)  # social security the last four: two are in both
#: Units closed before 三证合一 that social security still lists: an org code and no USCC.
LEGACY_UNITS = (
    ("17763054", "武汉市第二轻工业局印刷厂"),
    ("17771248", "武汉长江轮船服务社"),
    ("30015732", "武汉市江汉区新华百货商店"),
)


# ---------------------------------------------------------------------------------------------
# 纳税人登记信息 (tax): most enterprises, a few institutions, old 15-character numbers
# ---------------------------------------------------------------------------------------------

TAX_HEADER = (
    "纳税人识别号",
    "纳税人名称",
    "注册地址",
    "法定代表人姓名",
    "登记日期",
    "纳税人状态",
    "主管税务机关",
)
TAX_SHEET = "纳税人登记信息"
TAX_ABSENT = 40  # register entities the tax extract lacks
TAX_OLD_NUMBERS = 3  # taxpayers still under the 15-character 税务登记证号 (region + org code)
TAX_CONFLICTS = {"address": 6, "representative": 3, "name": 2}


@dataclass(frozen=True)
class Taxpayer:
    """One row of the tax registration extract."""

    number: str  # 纳税人识别号: the USCC, or an old 15-character number
    name: str
    address: str
    representative: str
    registered: dt.date
    state: str

    def row(self) -> Row:
        """The row as the extract writes it (the date a real Excel date cell)."""
        return [
            self.number,
            self.name,
            self.address,
            self.representative,
            self.registered,
            self.state,
            _tax_office(self.address),
        ]


@dataclass(frozen=True)
class TaxExtract:
    """The tax extract of 2024-06-01: taxpayers in file order and what was planted, by USCC."""

    taxpayers: tuple[Taxpayer, ...]
    by_code: dict[str, Taxpayer]  # every taxpayer, keyed by its entity's USCC
    old_numbers: tuple[str, ...]
    conflicts: dict[str, tuple[str, ...]]  # attribute -> USCCs whose value differs
    faulty: tuple[str, ...]  # USCCs of the rows the suite quarantines

    @property
    def planted(self) -> set[str]:
        """USCCs of every taxpayer with a planted difference or fault."""
        conflicting = (code for codes in self.conflicts.values() for code in codes)
        return {*self.old_numbers, *self.faulty, *conflicting}


def _tax_office(address: str) -> str:
    """主管税务机关 of a registered address: the district's bureau, or the tech zone's."""
    if "东湖新技术开发区" in address:
        return "国家税务总局武汉东湖新技术开发区税务局"
    district = next(d[1] for d in WUHAN if d[1] in address)
    return f"国家税务总局武汉市{district}税务局"


def _tax_state(rng: random.Random, status: str) -> str:
    """纳税人状态 of an entity with registration status ``status``."""
    if status == "注销":
        return "注销"
    if status == "吊销":
        return "非正常" if rng.random() < 0.7 else "注销"
    return "非正常" if rng.random() < 0.03 else "正常"


def _has_old_code(entity: Entity) -> bool:
    """Whether the organisation code predates 三证合一 (so a 税务登记证号 was issued with it)."""
    return entity.founded < UNIFIED_CODES_FROM


def tax_extract() -> TaxExtract:
    """The 2024-06-01 tax extract (the same one for every caller)."""
    register = enterprise_register(DEMO_DATE)
    rng, fake = (
        seeded_rng("tax_registration", DEMO_DATE),
        seeded_faker("tax_registration", DEMO_DATE),
    )
    mistyped = {register.entities[i].code for i in (register.lowered, register.letter_o)}
    absent = set(
        rng.sample([e.code for e in register.entities if e.code not in mistyped], TAX_ABSENT)
    )
    present = [e for e in register.entities if e.code not in absent]
    taken = set(mistyped)  # the register's mistyped entities stay plain here
    old = pick_entities(rng, present, TAX_OLD_NUMBERS, taken, _has_old_code)
    conflicts = {
        "address": pick_entities(rng, present, TAX_CONFLICTS["address"], taken, is_live),
        "representative": pick_entities(rng, present, TAX_CONFLICTS["representative"], taken),
        "name": pick_entities(rng, present, TAX_CONFLICTS["name"], taken, has_plain_name),
    }
    faulty = pick_entities(rng, present, 2, taken)
    old_codes = {e.code for e in old}
    by_code: dict[str, Taxpayer] = {}
    for entity in [*present, *institutions()[TAX_INSTITUTIONS]]:
        registered = min(DEMO_DATE, entity.founded + dt.timedelta(days=rng.randrange(31)))
        by_code[entity.code] = Taxpayer(
            number=entity.code[2:17] if entity.code in old_codes else entity.code,
            name=entity.name,
            address=entity.address,
            representative=entity.representative,
            registered=registered,
            state=_tax_state(rng, entity.status),
        )
    for entity in conflicts["address"]:  # the tax office has the address before a move
        other = enterprise_address(rng, rng.choice(URBAN))
        by_code[entity.code] = dataclasses.replace(by_code[entity.code], address=other)
    for entity in conflicts["representative"]:  # the change of 法定代表人 not yet reported
        other = fake.name()
        by_code[entity.code] = dataclasses.replace(by_code[entity.code], representative=other)
    for entity in conflicts["name"]:
        renamed = other_name(rng, entity.name)
        by_code[entity.code] = dataclasses.replace(by_code[entity.code], name=renamed)
    short, unnamed = (e.code for e in faulty)
    by_code[short] = dataclasses.replace(by_code[short], number=short[:9] + short[10:])
    by_code[unnamed] = dataclasses.replace(by_code[unnamed], name="")
    taxpayers = sorted(by_code.values(), key=lambda t: (t.registered, t.number))
    return TaxExtract(
        taxpayers=tuple(taxpayers),
        by_code=by_code,
        old_numbers=tuple(e.code for e in old),
        conflicts={k: tuple(e.code for e in v) for k, v in conflicts.items()},
        faulty=(short, unnamed),
    )


def build_tax_registration(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """纳税人登记信息: the tax bureau's first full extract of its taxpayer register."""
    del day, n_rows  # the extract follows the enterprise register
    return TAX_HEADER, [t.row() for t in tax_extract().taxpayers]


TAX_NEW = 3  # enterprises founded in the last days: the register's extract predates them
TAX_RESOLVED = {"address": 2, "representative": 1}  # 06-01 conflicts the tax bureau corrects
TAX_MOVED = 2  # registered addresses changed at the tax bureau first: new conflicts
TAX_IRREGULAR = 3  # taxpayers found 非正常 (not filing)
NEW_TRADES = ("智能", "新材料", "生物医药", "供应链", "数字")


def build_tax_changes(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """纳税人登记信息 of a later day: the taxpayers whose registration changed that day, only."""
    del n_rows  # the changes of the day
    extract = tax_extract()
    register = {e.code: e for e in enterprise_register(DEMO_DATE).entities}
    rng, fake = seeded_rng("tax_registration", day), seeded_faker("tax_registration", day)
    before = extract.by_code
    changed: dict[str, Taxpayer] = {}
    # the address conflicts social security repeats (insured_units) stay open
    still_open = extract.conflicts["address"][INSURED_ECHOES:]
    for code in rng.sample(still_open, TAX_RESOLVED["address"]):
        changed[code] = dataclasses.replace(before[code], address=register[code].address)
    for code in rng.sample(extract.conflicts["representative"], TAX_RESOLVED["representative"]):
        fixed = register[code].representative
        changed[code] = dataclasses.replace(before[code], representative=fixed)
    plain = [
        c
        for c in register
        if c in before and before[c].state == "正常" and c not in extract.planted
    ]
    picks = rng.sample(plain, TAX_MOVED + TAX_IRREGULAR)
    for code in picks[:TAX_MOVED]:
        moved = enterprise_address(rng, rng.choice(URBAN))
        changed[code] = dataclasses.replace(before[code], address=moved)
    for code in picks[TAX_MOVED:]:
        changed[code] = dataclasses.replace(before[code], state="非正常")
    for entity in _new_enterprises(rng, fake, day, {e.name for e in register.values()}):
        changed[entity.code] = Taxpayer(
            number=entity.code,
            name=entity.name,
            address=entity.address,
            representative=entity.representative,
            registered=day,
            state="正常",
        )
    return TAX_HEADER, [changed[code].row() for code in sorted(changed)]


def _new_enterprises(
    rng: random.Random, fake: Faker, day: dt.date, names: set[str]
) -> list[Entity]:
    """Enterprises founded in the ten days before ``day``, unknown to the register's extract."""
    out: list[Entity] = []
    while len(out) < TAX_NEW:
        body = "MA4K" + "".join(rng.choice(USCC_ALPHABET) for _ in range(4))
        # the register has used up Faker's prefix and suffix pairs: new firms add a trade word
        trade = rng.choice(NEW_TRADES)
        name = f"武汉{fake.company_prefix()}{trade}{fake.company_suffix()}"
        if name in names:
            continue
        names.add(name)
        out.append(
            Entity(
                code=credit_code(rng.choice(USCC_REGIONS), body),
                name=name,
                representative=fake.name(),
                address=enterprise_address(rng, rng.choice(URBAN)),
                founded=day - dt.timedelta(days=rng.randrange(1, 11)),
                capital="",
                kind="有限责任公司（自然人投资或控股）",
                status="存续",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# 社保参保单位 (social security): keyed by the 9-character 组织机构代码
# ---------------------------------------------------------------------------------------------

INSURED_HEADER = ("zzjgdm", "dwmc", "dwdz", "cbrs", "djrq")
INSURED_LEFT_OUT = 30  # live register entities social security does not list (no employees)
INSURED_RENAMED = 3
#: The first tax address conflicts social security repeats: the first with an address of its own
#: (three values), the second with the tax bureau's (two sources against the register).
INSURED_ECHOES = 2
INSURED_MOVED = 1  # an address only social security has different
INSURED_HYPHENATED = 0.45  # share of org codes written 12345678-9


@dataclass(frozen=True)
class InsuredUnit:
    """One row of the social-security extract."""

    org_code: str  # as delivered: ``12345678-9`` or ``123456789``
    name: str
    address: str
    insured: int  # 参保人数
    registered: dt.date  # 参保登记日期

    def row(self) -> Row:
        """The row as the old system writes it (dates as ``YYYYMMDD``)."""
        return [self.org_code, self.name, self.address, self.insured, f"{self.registered:%Y%m%d}"]


@dataclass(frozen=True)
class InsuredExtract:
    """The social-security extract: units in file order and what was planted (USCCs)."""

    units: tuple[InsuredUnit, ...]
    renamed: tuple[str, ...]
    address_three_way: str  # register, tax and social security: three addresses
    address_two_to_one: str  # tax and social security agree against the register
    address_moved: tuple[str, ...]  # only social security differs
    faulty: str  # the row whose org code lost its check character


def insured_extract(day: dt.date) -> InsuredExtract:
    """The social-security extract of ``day`` (a monthly list of the units insured)."""
    register = enterprise_register(DEMO_DATE)
    extract = tax_extract()
    rng = seeded_rng("insured_units", day)
    mistyped = {register.entities[i].code for i in (register.lowered, register.letter_o)}
    three_way, two_to_one = extract.conflicts["address"][:INSURED_ECHOES]
    keep = {*mistyped, three_way, two_to_one}
    live = [e for e in register.entities if is_live(e)]
    left_out = set(rng.sample([e.code for e in live if e.code not in keep], INSURED_LEFT_OUT))
    members = {e.code: e for e in live if e.code not in left_out}
    pool = list(members.values())
    taken = {*mistyped, *extract.planted}
    renamed = pick_entities(rng, pool, INSURED_RENAMED, taken, has_plain_name)
    moved = pick_entities(rng, pool, INSURED_MOVED, taken)
    (faulty,) = pick_entities(rng, pool, 1, taken)
    for entity in renamed:
        members[entity.code] = dataclasses.replace(entity, name=other_name(rng, entity.name))
    addresses = {
        three_way: enterprise_address(rng, rng.choice(URBAN)),
        two_to_one: extract.by_code[two_to_one].address,
        **{e.code: enterprise_address(rng, rng.choice(URBAN)) for e in moved},
    }
    for code, address in addresses.items():
        members[code] = dataclasses.replace(members[code], address=address)
    units = []
    for entity in [*members.values(), *institutions()[INSURED_INSTITUTIONS]]:
        unit = _insured_unit(rng, entity)
        if entity.code == faulty.code:  # the check character lost in transcription
            unit = dataclasses.replace(unit, org_code=entity.org_code[:8])
        units.append(unit)
    units += _legacy_units(rng)
    units.sort(key=lambda u: (u.registered, u.org_code))
    return InsuredExtract(
        units=tuple(units),
        renamed=tuple(e.code for e in renamed),
        address_three_way=three_way,
        address_two_to_one=two_to_one,
        address_moved=tuple(e.code for e in moved),
        faulty=faulty.code,
    )


def _written_org_code(rng: random.Random, code: str) -> str:
    """An org code as the old system holds it: with the hyphen of the certificate, or without."""
    return f"{code[:8]}-{code[8]}" if rng.random() < INSURED_HYPHENATED else code


def _insured_unit(rng: random.Random, entity: Entity) -> InsuredUnit:
    """The social-security row of a registered entity."""
    if "分公司" in entity.kind:
        insured = rng.randrange(2, 60)
    elif entity.kind in ("个人独资企业", "有限合伙企业"):
        insured = rng.randrange(1, 12)
    elif entity.kind.startswith("股份"):
        insured = rng.randrange(30, 800)
    else:
        insured = min(2000, int(rng.lognormvariate(2.5, 1.0)) + 1)
    registered = min(DEMO_DATE, entity.founded + dt.timedelta(days=rng.randrange(181)))
    return InsuredUnit(
        org_code=_written_org_code(rng, entity.org_code),
        name=entity.name,
        address=entity.address,
        insured=insured,
        registered=registered,
    )


def _legacy_units(rng: random.Random) -> list[InsuredUnit]:
    """The units of :data:`LEGACY_UNITS`: a few insured left, registered before 1997."""
    return [
        InsuredUnit(
            org_code=_written_org_code(rng, body + org_code_check_char(body)),
            name=name,
            address=urban_address(rng, rng.choice(URBAN)),
            insured=rng.randrange(0, 6),
            registered=dt.date(1988, 1, 1) + dt.timedelta(days=rng.randrange(3000)),
        )
        for body, name in LEGACY_UNITS
    ]


def build_insured_units(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """社保参保单位: the units insured with the city's social security, by organisation code."""
    del n_rows  # the extract follows the enterprise register
    return INSURED_HEADER, [unit.row() for unit in insured_extract(day).units]
