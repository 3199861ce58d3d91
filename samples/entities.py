"""Builders of the legal-entity samples: the enterprise register."""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import uscc
from synthetic import URBAN, WUHAN, District, Row, seeded_faker, seeded_rng, urban_address, weighted

from etl.classify.detectors.codes import org_code_check_char

#: GB 32100 alphabet (no I, O, S, V, Z): what the bodies of post-2015 organisation codes draw from.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(region: str, org_body: str) -> str:
    """Return an enterprise 统一社会信用代码 (登记管理部门 9, 机构类别 1)."""
    first17 = f"91{region}{org_body}{org_code_check_char(org_body)}"
    return first17 + uscc.calc_check_digit(first17)


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


def build_enterprise_registry(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """企业登记信息: registration items of enterprises (双公示 / 企业信用信息公示)."""
    rng, fake = seeded_rng("enterprise_registry", day), seeded_faker("enterprise_registry", day)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    rows: list[Row] = []
    while len(rows) < n_rows:
        founded = dt.date(1995, 1, 1) + dt.timedelta(
            days=rng.randrange((day - dt.date(1995, 1, 1)).days)
        )
        if founded >= dt.date(2015, 10, 1):
            body = "MA4K" + "".join(rng.choice(USCC_ALPHABET) for _ in range(4))
        else:
            body = rng.choice(OLD_ORG_PREFIXES) + f"{rng.randrange(10**6):06d}"
        code = credit_code(rng.choice(USCC_REGIONS), body)
        kind = weighted(rng, ENTERPRISE_TYPES)
        city = "湖北" if rng.random() < 0.1 else "武汉"
        name = f"{city}{fake.company_prefix()}{fake.company_suffix()}"
        if kind == "个人独资企业":
            name = name.replace("有限公司", "经营部")
        elif kind == "有限合伙企业":
            name = f"{city}{fake.company_prefix()}投资合伙企业（有限合伙）"
        elif "分公司" in kind:
            name = f"{name}{rng.choice(WUHAN)[1]}分公司"
        if code in used_codes or name in used_names:
            continue
        used_codes.add(code)
        used_names.add(name)
        address = _enterprise_address(rng, rng.choice(URBAN))
        capital_text = _registered_capital(rng, kind)
        rows.append(
            [
                code,
                name,
                fake.name(),
                address,
                founded.isoformat(),
                capital_text,
                kind,
                weighted(rng, ENTERPRISE_STATES),
            ]
        )

    with_letters = [i for i, row in enumerate(rows) if any(c.isalpha() for c in str(row[0])[8:])]
    lowered = rng.choice(with_letters)
    rows[lowered][0] = str(rows[lowered][0]).lower()  # typed in lower case
    letter_o = rng.choice([i for i in range(len(rows)) if i != lowered])
    for i in (letter_o,):
        code = str(rows[i][0])
        at = code.find("0", 2)
        at = at if at >= 0 else 10
        rows[i][0] = code[:at] + "O" + code[at + 1 :]  # letter O typed for digit 0
    return ENTERPRISE_HEADER, rows


def _enterprise_address(rng: random.Random, district: District) -> str:
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
