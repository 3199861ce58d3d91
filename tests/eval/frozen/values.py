"""Value makers of the frozen part: other seeds and formats than the dev part, and mess.

Departments deliver full-width digits, ``+86`` prefixes, spaces inside numbers, lower-case
check characters, identifiers with a prefix (``G`` + ID number), typos and blanks: the frozen
part has all of them, in shares set here and nowhere tuned.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable

from faker import Faker
from stdnum import luhn
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

from etl.classify.detectors.codes import org_code_check_char
from tests.eval.makers import COUNTIES

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ALNUM = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Real cities and districts (public geography) and road names of the published site list.
PLACES = [
    ("浙江省", "杭州市", ("上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区")),
    ("江苏省", "南京市", ("玄武区", "秦淮区", "建邺区", "鼓楼区", "栖霞区", "江宁区")),
    ("安徽省", "合肥市", ("瑶海区", "庐阳区", "蜀山区", "包河区")),
    ("福建省", "福州市", ("鼓楼区", "台江区", "仓山区", "晋安区")),
    ("山东省", "济南市", ("历下区", "市中区", "槐荫区", "天桥区", "历城区")),
    ("河南省", "郑州市", ("中原区", "二七区", "金水区", "管城回族区")),
]
ROADS = [
    *("山西路", "瑞金路", "五四北路", "杨桥西路", "长江中路", "文晖路", "解放路", "江南路"),
    *("建国北路", "体育场路", "桂花西路", "城北路", "中山中路", "人民大道", "经十路"),
]
COMMUNITIES = ["阳光花园", "锦绣苑", "和平新村", "翠苑一区", "金色家园", "滨江花城", "梅园小区"]


def seeded(name: str, locale: str = "zh_CN") -> tuple[random.Random, Faker]:
    """A generator and a Faker seeded by ``frozen/<name>`` (never a dev seed)."""
    seed = zlib.crc32(f"frozen/{name}".encode())
    fake = Faker(locale)
    fake.seed_instance(seed)
    return random.Random(seed), fake


def many(n: int, make: Callable[[], str | None]) -> list[str | None]:
    """``n`` values from ``make``."""
    return [make() for _ in range(n)]


def holes(rng: random.Random, values: list[str | None], share: float) -> list[str | None]:
    """Blank out about ``share`` of the values (null or empty string, as deliveries do)."""
    return [rng.choice((None, "")) if rng.random() < share else v for v in values]


def id_number(rng: random.Random, born: dt.date) -> str:
    """An 18-character ID number: a real county, the birth date, the MOD 11-2 check."""
    body = rng.choice(COUNTIES) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return body + mod_11_2.calc_check_digit(body)


def birth(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A date between ``first`` and ``last``."""
    return first + dt.timedelta(days=rng.randrange((last - first).days))


def adult_birth(rng: random.Random) -> dt.date:
    """Born 1945..2002: an adult at the corpus' logical date."""
    return birth(rng, dt.date(1945, 1, 1), dt.date(2002, 12, 31))


def child_birth(rng: random.Random) -> dt.date:
    """Born 2013-07..2024-04: under 14 at the corpus' logical date (2024-06-01)."""
    return birth(rng, dt.date(2013, 7, 1), dt.date(2024, 4, 30))


def messy_id(rng: random.Random, value: str) -> str:
    """An ID number as keyed in: spaces, lower-case x, a ``G`` prefix, a typo, full width."""
    roll = rng.random()
    if roll < 0.05:
        return f"{value[:6]} {value[6:14]} {value[14:]}"
    if roll < 0.08:
        return "G" + value  # 社保卡/医保号 written as G + ID number
    if roll < 0.10:
        return value[:-1] + str((int(value[-1]) + 3) % 10) if value[-1].isdigit() else value[:-1]
    if roll < 0.12:
        return value.translate(FULL_WIDTH)
    return value.lower() if value.endswith("X") and roll < 0.5 else value


def mobile(fake: Faker) -> str:
    """A Faker zh_CN mobile number."""
    return str(fake.phone_number())


def messy_mobile(rng: random.Random, number: str) -> str:
    """A mobile number in the layouts departments deliver."""
    roll = rng.random()
    if roll < 0.10:
        return f"+86{number}"
    if roll < 0.18:
        return f"+86 {number[:3]} {number[3:7]} {number[7:]}"
    if roll < 0.26:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if roll < 0.30:
        return number.translate(FULL_WIDTH)
    if roll < 0.33:
        return f"{number}（本人）"
    return number


def home_address(rng: random.Random) -> str:
    """A door-level home address in one of the layouts registers use."""
    province, city, districts = rng.choice(PLACES)
    district = rng.choice(districts)
    road = rng.choice(ROADS)
    number = rng.randrange(1, 400)
    roll = rng.random()
    if roll < 0.4:
        building, unit, room = rng.randrange(1, 30), rng.randrange(1, 6), rng.randrange(101, 2202)
        return f"{province}{city}{district}{road}{number}号{building}栋{unit}单元{room}室"
    if roll < 0.7:
        return f"{city}{district}{road}{number}号{rng.choice(COMMUNITIES)}{rng.randrange(1, 20)}幢"
    if roll < 0.85:
        block, unit, room = rng.randrange(1, 30), rng.randrange(1, 6), rng.randrange(101, 1802)
        return f"{district}{rng.choice(COMMUNITIES)}{block}-{unit}-{room}"
    return f"{province}{city}{district}{road}{number}号"


def property_address(rng: random.Random) -> str:
    """房屋坐落 as a title register writes it."""
    _, city, districts = rng.choice(PLACES)
    return (
        f"{city}{rng.choice(districts)}{rng.choice(COMMUNITIES)}"
        f"{rng.randrange(1, 30)}幢{rng.randrange(1, 6)}单元{rng.randrange(101, 2602)}室"
    )


def landline(rng: random.Random, area: str) -> str:
    """A fixed-line number of ``area`` (trunk 0 + area code + 8 digits)."""
    number = f"{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
    return rng.choice((f"{area}-{number}", f"{area} {number}", f"({area}){number}"))


def make_uscc(rng: random.Random, department: str = "91") -> str:
    """A USCC of ``department`` (91 enterprise, 12 public institution, 52 social organisation)."""
    if rng.random() < 0.6:
        org = "MA" + "".join(rng.choice(ALNUM) for _ in range(6))
    else:
        org = f"{rng.randrange(10**8):08d}"
    body = department + rng.choice(COUNTIES) + org + org_code_check_char(org)
    return body + uscc.calc_check_digit(body)


def bank_card(rng: random.Random) -> str:
    """A 19-digit debit card number (BIN 621..623) that passes Luhn, sometimes in groups of 4."""
    body = rng.choice(("621", "622", "623")) + "".join(str(rng.randrange(10)) for _ in range(15))
    number = body + luhn.calc_check_digit(body)
    return " ".join(number[i : i + 4] for i in range(0, 19, 4)) if rng.random() < 0.3 else number


def amount(rng: random.Random, low: float, high: float) -> str:
    """A money amount with two decimals, sometimes with thousands separators."""
    value = rng.uniform(low, high)
    return f"{value:,.2f}" if rng.random() < 0.2 else f"{value:.2f}"


def plate(rng: random.Random) -> str:
    """A plate of the provinces above, sometimes with a separator dot or space."""
    head = rng.choice("浙苏皖闽鲁豫") + rng.choice("ABCDEFGH")
    tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"[:20]) for _ in range(4))
    tail += str(rng.randrange(10))
    sep = rng.choice(("", "", "", "·", " "))
    return head + sep + tail


def property_cert(rng: random.Random) -> str:
    """不动产权证书号 of the cities above."""
    province = rng.choice("浙苏皖闽鲁豫")
    _, city, _ = rng.choice(PLACES)
    return f"{province}({rng.randrange(2017, 2025)}){city}不动产权第{rng.randrange(10**7):07d}号"
