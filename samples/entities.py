"""The legal entities of the samples: the enterprise register and the organisations outside it.

The market-regulation register is the reference list of enterprises; the tax and social-insurance
extracts (``tax_insurance.py``) are drawn from it with the helpers at the end of this module.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faker import Faker
from stdnum.cn import uscc
from synthetic import (
    URBAN,
    WUHAN,
    District,
    Row,
    seeded_faker,
    seeded_rng,
    urban_address,
    weighted,
)

from etl.classify.detectors.codes import org_code_check_char

#: GB 32100 alphabet (no I, O, S, V, Z): what the bodies of post-2015 organisation codes draw from.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(region: str, org_body: str, kind: str = "91") -> str:
    """Return a 统一社会信用代码: ``kind`` (登记管理部门 and 机构类别), region, organisation code.

    ``91`` is an enterprise registered by market regulation, ``12`` a public institution
    (事业单位, 机构编制), ``51``/``52`` a social organisation registered by civil affairs.
    """
    first17 = f"{kind}{region}{org_body}{org_code_check_char(org_body)}"
    return first17 + uscc.calc_check_digit(first17)


@dataclass(frozen=True)
class Entity:
    """A legal entity as the authority that registered it knows it."""

    code: str  # 统一社会信用代码
    name: str
    representative: str
    address: str
    founded: dt.date
    capital: str
    kind: str
    status: str

    @property
    def org_code(self) -> str:
        """The 组织机构代码 inside the code (characters 9-17)."""
        return self.code[8:17]

    def register_row(self) -> Row:
        """The row of the market-regulation register."""
        return [
            self.code,
            self.name,
            self.representative,
            self.address,
            self.founded.isoformat(),
            self.capital,
            self.kind,
            self.status,
        ]


# ---------------------------------------------------------------------------------------------
# 企业登记信息 (market regulation): the reference list
# ---------------------------------------------------------------------------------------------

ENTERPRISES = 800  # rows of the register's extract; the other two draw from these entities
ENTERPRISE_HEADER = ("tyshxydm", "qymc", "fddbr", "zcdz", "clrq", "zczb", "qylx", "djzt")
ENTERPRISE_TYPES = (
    ("有限责任公司（自然人投资或控股）", 55),
    ("有限责任公司（自然人独资）", 15),
    ("其他有限责任公司", 8),
    ("股份有限公司（非上市、自然人投资或控股）", 5),
    ("有限责任公司分公司（自然人投资或控股）", 7),
    ("个人独资企业", 6),
    ("有限合伙企业", 4),
)
ENTERPRISE_STATES = (("存续", 60), ("在业", 25), ("注销", 10), ("吊销", 5))
USCC_REGIONS = ("420100", "420102", "420103", "420104", "420105", "420106", "420111", "420115")
OLD_ORG_PREFIXES = ("30", "55", "56", "57", "58", "66", "67", "68", "69", "71", "72", "73", "75")
#: 三证合一: enterprises founded from this day on got a 统一社会信用代码 and no separate org code.
UNIFIED_CODES_FROM = dt.date(2015, 10, 1)


@dataclass(frozen=True)
class EnterpriseRegister:
    """The register's extract: its entities in file order, and the two rows the file mistypes."""

    entities: tuple[Entity, ...]
    lowered: int  # index of the row whose code is typed in lower case
    letter_o: int  # index of the row with the letter O typed for the digit 0


def enterprise_register(day: dt.date, n_rows: int = ENTERPRISES) -> EnterpriseRegister:
    """The enterprises of the market-regulation register (the same ones for every caller)."""
    rng, fake = seeded_rng("enterprise_registry", day), seeded_faker("enterprise_registry", day)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    entities: list[Entity] = []
    while len(entities) < n_rows:
        founded = dt.date(1995, 1, 1) + dt.timedelta(
            days=rng.randrange((day - dt.date(1995, 1, 1)).days)
        )
        if founded >= UNIFIED_CODES_FROM:
            body = "MA4K" + "".join(rng.choice(USCC_ALPHABET) for _ in range(4))
        else:
            body = rng.choice(OLD_ORG_PREFIXES) + f"{rng.randrange(10**6):06d}"
        code = credit_code(rng.choice(USCC_REGIONS), body)
        kind = weighted(rng, ENTERPRISE_TYPES)
        name = _enterprise_name(rng, fake, kind)
        if code in used_codes or name in used_names:
            continue
        used_codes.add(code)
        used_names.add(name)
        address = enterprise_address(rng, rng.choice(URBAN))
        capital = _registered_capital(rng, kind)
        entities.append(
            Entity(
                code=code,
                name=name,
                representative=fake.name(),
                address=address,
                founded=founded,
                capital=capital,
                kind=kind,
                status=weighted(rng, ENTERPRISE_STATES),
            )
        )
    with_letters = [i for i, e in enumerate(entities) if any(c.isalpha() for c in e.code[8:])]
    lowered = rng.choice(with_letters)
    letter_o = rng.choice([i for i in range(len(entities)) if i != lowered])
    return EnterpriseRegister(tuple(entities), lowered, letter_o)


def _enterprise_name(rng: random.Random, fake: Faker, kind: str) -> str:
    city = "湖北" if rng.random() < 0.1 else "武汉"
    name = f"{city}{fake.company_prefix()}{fake.company_suffix()}"
    if kind == "个人独资企业":
        return name.replace("有限公司", "经营部")
    if kind == "有限合伙企业":
        return f"{city}{fake.company_prefix()}投资合伙企业（有限合伙）"
    if "分公司" in kind:
        return f"{name}{rng.choice(WUHAN)[1]}分公司"
    return name


def build_enterprise_registry(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """企业登记信息: registration items of enterprises (双公示 / 企业信用信息公示)."""
    register = enterprise_register(day, n_rows)
    rows = [entity.register_row() for entity in register.entities]
    lowered = rows[register.lowered]
    lowered[0] = str(lowered[0]).lower()  # typed in lower case
    mistyped = rows[register.letter_o]
    code = str(mistyped[0])
    at = code.find("0", 2)
    at = at if at >= 0 else 10
    mistyped[0] = code[:at] + "O" + code[at + 1 :]  # letter O typed for digit 0
    return ENTERPRISE_HEADER, rows


def enterprise_address(rng: random.Random, district: District) -> str:
    """A quarter of enterprises sit in the 东湖新技术开发区's parks, the rest in town."""
    if rng.random() < 0.25:
        return (
            f"湖北省武汉市东湖新技术开发区{rng.choice(('关山大道', '光谷大道', '高新大道'))}"
            f"{rng.randrange(1, 800)}号{rng.choice(('光谷软件园', '金融港', '光谷创意天地'))}"
            f"{rng.choice('ABCDEF')}{rng.randrange(1, 20)}栋{rng.randrange(1, 25)}层"
            f"{rng.randrange(1, 30):02d}室"
        )
    return urban_address(rng, district)


def _registered_capital(rng: random.Random, kind: str) -> str:
    """注册资本 in 万元 as written in the register (出资额 for sole and partnership firms)."""
    capital: float | int = rng.choice((10, 30, 50, 100, 100, 200, 300, 500, 1000, 2000, 5000))
    if rng.random() < 0.1:
        capital = round(rng.uniform(1, 3000), 2)
    if kind in ("个人独资企业", "有限合伙企业"):
        capital = rng.choice((1, 3, 5, 10, 20, 50, 100))  # 出资额
    if "分公司" in kind:
        return ""  # branches have no registered capital of their own
    if isinstance(capital, float):
        return f"{capital:.2f}"
    return str(capital)


# ---------------------------------------------------------------------------------------------
# Organisations the market-regulation register does not hold
# ---------------------------------------------------------------------------------------------

#: Public institutions and social organisations: USCC kind, region, org-code body, name, kind.
INSTITUTIONS = (
    ("12", "420103", "44160012", "武汉市江汉区万松街社区卫生服务中心", "事业单位"),
    ("12", "420111", "44175233", "武汉市洪山区图书馆", "事业单位"),
    ("12", "420104", "44162307", "武汉市硚口区职业教育中心", "事业单位"),
    ("52", "420106", "MJH00521", "武汉市武昌区夕阳红养老服务中心", "民办非企业单位"),
    ("51", "420100", "MJH01837", "武汉市光谷青年创业者协会", "社会团体"),
    ("12", "420102", "44158196", "武汉市江岸区疾病预防控制中心", "事业单位"),
)


def institutions() -> tuple[Entity, ...]:
    """The public institutions and social organisations of :data:`INSTITUTIONS`."""
    rng, fake = seeded_rng("institutions"), seeded_faker("institutions")
    out = []
    for kind_code, region, body, name, kind in INSTITUTIONS:
        district = next((d for d in URBAN if d[0] == region), URBAN[0])
        founded = (
            dt.date(2016, 3, 1) if body.startswith("MJ") else dt.date(1996, 1, 1)
        ) + dt.timedelta(days=rng.randrange(1500))
        out.append(
            Entity(
                code=credit_code(region, body, kind_code),
                name=name,
                representative=fake.name(),
                address=urban_address(rng, district),
                founded=founded,
                capital="",
                kind=kind,
                status="存续",
            )
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Choosing and varying entities (for the other departments' extracts)
# ---------------------------------------------------------------------------------------------

COMPANY_SUFFIXES = ("科技有限公司", "网络有限公司", "信息有限公司", "传媒有限公司")  # Faker zh_CN's


def pick_entities(
    rng: random.Random,
    pool: Sequence[Entity],
    count: int,
    taken: set[str],
    ok: Callable[[Entity], bool] | None = None,
) -> tuple[Entity, ...]:
    """``count`` entities of ``pool`` not yet taken (and satisfying ``ok``); they become taken."""
    eligible = [e for e in pool if e.code not in taken and (ok is None or ok(e))]
    chosen = rng.sample(eligible, count)
    taken.update(e.code for e in chosen)
    return tuple(chosen)


def other_name(rng: random.Random, name: str) -> str:
    """The name with another business word: the name before (or after) a 更名."""
    suffix = next(s for s in COMPANY_SUFFIXES if name.endswith(s))
    return name[: -len(suffix)] + rng.choice([s for s in COMPANY_SUFFIXES if s != suffix])


def has_plain_name(entity: Entity) -> bool:
    """Whether the name is Faker's prefix and business word, one :func:`other_name` can vary."""
    return entity.name.endswith(COMPANY_SUFFIXES)


def is_live(entity: Entity) -> bool:
    """Whether the entity is not 注销 (deregistered)."""
    return entity.status != "注销"
