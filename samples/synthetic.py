"""What every sample builder shares: seeds, Wuhan's code tables, identifiers and addresses.

Identifiers are structurally valid (ID numbers with real region codes, birth dates and the ISO 7064
MOD 11-2 check character; bank cards that pass Luhn; mobiles with real prefixes), and every random
choice comes from a ``random.Random`` or Faker instance seeded by name, so a builder gives the same
rows on every run.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Sequence

from faker import Faker
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

DEMO_DATE = dt.date(2024, 6, 1)
SECOND_DATE = dt.date(2024, 6, 2)

Row = list[object]

# ---------------------------------------------------------------------------------------------
# Code tables
# ---------------------------------------------------------------------------------------------

# Wuhan districts: code, name, roads, communities (urban) or 街道 (rural), is_rural.
District = tuple[str, str, tuple[str, ...], tuple[str, ...], bool]
WUHAN: tuple[District, ...] = (
    (
        "420102",
        "江岸区",
        ("沿江大道", "中山大道", "黄浦大街", "台北路", "香港路", "澳门路", "岳飞街", "二七路"),
        ("百步亭花园", "后湖春树里", "江岸怡景苑", "台北一路小区", "二七新村"),
        False,
    ),
    (
        "420103",
        "江汉区",
        ("新华路", "解放大道", "建设大道", "青年路", "唐家墩路", "发展大道", "江汉路", "前进四路"),
        ("万松园小区", "常青花园", "新华家园", "复兴村小区", "唐家墩新村"),
        False,
    ),
    (
        "420104",
        "硚口区",
        ("解放大道", "京汉大道", "中山大道", "古田二路", "宝丰路", "长丰大道"),
        ("古田二村", "宝丰一村", "汉西新村", "南国西汇", "长丰常青"),
        False,
    ),
    (
        "420105",
        "汉阳区",
        ("汉阳大道", "龙阳大道", "鹦鹉大道", "墨水湖北路", "知音大道", "拦江路"),
        ("四新城", "钟家村小区", "龙阳村小区", "墨水湖花园", "鹦鹉花园"),
        False,
    ),
    (
        "420106",
        "武昌区",
        ("中南路", "武珞路", "中北路", "徐东大街", "和平大道", "首义路", "粮道街", "友谊大道"),
        ("东湖名居", "水果湖小区", "中南花园", "徐东销品茂小区", "首义园小区"),
        False,
    ),
    (
        "420107",
        "青山区",
        ("和平大道", "建设一路", "冶金大道", "友谊大道", "工人村路", "红钢城大街"),
        ("钢花村", "红卫路小区", "建二小区", "工人村", "青和居"),
        False,
    ),
    (
        "420111",
        "洪山区",
        ("珞喻路", "雄楚大道", "关山大道", "南湖大道", "卓刀泉路", "鲁磨路", "民族大道"),
        ("南湖山庄", "保利花园", "卓刀泉小区", "珞狮南路小区", "光谷新世界"),
        False,
    ),
    (
        "420112",
        "东西湖区",
        ("金银湖路", "东吴大道", "临空港大道", "吴中街", "革新大道"),
        ("金银湖花园", "吴家山新村", "东西湖花园", "海口小区"),
        False,
    ),
    (
        "420113",
        "汉南区",
        ("纱帽正街", "汉南大道", "通江一路"),
        ("纱帽街道", "邓南街道", "东荆街道"),
        True,
    ),
    (
        "420114",
        "蔡甸区",
        ("蔡甸大街", "汉阳大街", "凤凰山大道"),
        ("蔡甸街道", "奓山街道", "永安街道", "侏儒山街道"),
        True,
    ),
    (
        "420115",
        "江夏区",
        ("文化大道", "纸坊大街", "江夏大道"),
        ("纸坊街道", "金口街道", "五里界街道", "郑店街道"),
        True,
    ),
    (
        "420116",
        "黄陂区",
        ("黄陂大道", "百秀街", "汉口北大道"),
        ("前川街道", "祁家湾街道", "横店街道", "李家集街道", "蔡店街道"),
        True,
    ),
    (
        "420117",
        "新洲区",
        ("邾城大街", "阳逻大道", "问津大道"),
        ("邾城街道", "阳逻街道", "仓埠街道", "汪集街道"),
        True,
    ),
)
URBAN = tuple(d for d in WUHAN if not d[4])
RURAL = tuple(d for d in WUHAN if d[4])

# Real county-level codes outside Wuhan (birth registration of people who moved their 户籍 here).
OTHER_REGIONS = (
    "110101", "110105", "110108", "120101", "310104", "310115", "320102", "330106", "340104",
    "350203", "360102", "370102", "410105", "430102", "430104", "440106", "440305", "500103",
    "510104", "610113", "420502", "420602", "420703", "420802", "420902", "421002", "421102",
    "421202", "421302", "422801", "429004", "429005", "429006",
)  # fmt: skip

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182",
    "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip

VILLAGE_SURNAMES = "张王李刘陈杨黄周吴徐胡朱高林何郭马罗梁宋"
VILLAGE_SUFFIXES = ("家湾", "家岗", "家咀", "家墩", "家台", "家畈", "湾", "岭", "冲", "桥")


# ---------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------


def _seed(*parts: object) -> int:
    return zlib.crc32(":".join(["pubdata", *map(str, parts)]).encode("utf-8"))


def seeded_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded by ``parts`` (a dataset id and a date, say)."""
    return random.Random(_seed(*parts))


def seeded_faker(*parts: object) -> Faker:
    """A Faker ``zh_CN`` seeded by ``parts``."""
    fake = Faker("zh_CN")
    fake.seed_instance(_seed("faker", *parts))
    return fake


# ---------------------------------------------------------------------------------------------
# Identifiers with valid check characters
# ---------------------------------------------------------------------------------------------


def id_number(region: str, birth: dt.date, male: bool, rng: random.Random) -> str:
    """Return an 18-character 公民身份号码 with a valid MOD 11-2 check character."""
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + mod_11_2.calc_check_digit(body)


def bank_card(rng: random.Random) -> str:
    """Return a 16- or 19-digit UnionPay card number (BIN 62…) that passes Luhn."""
    bin_, length = rng.choice(
        (
            ("621700", 19),  # 建设银行
            ("622202", 19),  # 工商银行
            ("622848", 19),  # 农业银行
            ("621661", 19),  # 中国银行
            ("623058", 19),  # 平安银行
            ("621483", 16),  # 招商银行
            ("622588", 16),  # 招商银行
            ("625965", 16),  # 信用社
        )
    )
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - len(bin_) - 1))
    return body + luhn.calc_check_digit(body)


def mobile(rng: random.Random) -> str:
    """Return an 11-digit mainland mobile number."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def birth_date(rng: random.Random, on: dt.date, min_age: int, max_age: int) -> dt.date:
    """Return a birth date giving an age in ``[min_age, max_age]`` years on ``on``."""
    latest = _years_before(on, min_age)
    earliest = _years_before(on, max_age + 1) + dt.timedelta(days=1)
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    """One value of ``(value, weight)`` pairs, drawn by weight."""
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def urban_address(rng: random.Random, district: District) -> str:
    """A street address in an urban district, to the room (门牌级)."""
    road = rng.choice(district[2])
    number = rng.randrange(1, 400)
    building = rng.randrange(1, 30)
    unit = rng.randrange(1, 5)
    room = rng.randrange(1, 33) * 100 + rng.randrange(1, 7)
    if rng.random() < 0.5:
        community = rng.choice(district[3])
        return f"湖北省武汉市{district[1]}{road}{number}号{community}{building}栋{unit}单元{room}室"
    return f"湖北省武汉市{district[1]}{road}{number}号{building}栋{unit}单元{room}室"


def _rural_address(rng: random.Random, district: District) -> str:
    street = rng.choice(district[3])
    village = rng.choice(VILLAGE_SURNAMES) + rng.choice(VILLAGE_SUFFIXES)
    group, number = rng.randrange(1, 12), rng.randrange(1, 90)
    return f"湖北省武汉市{district[1]}{street}{village}村{group}组{number}号"


def residential_address(rng: random.Random, district: District) -> str:
    """A home address: street and room in town, 村/组/号 in a rural district."""
    return _rural_address(rng, district) if district[4] else urban_address(rng, district)


def person_region(rng: random.Random, home: str) -> str:
    """Region code of a birth registration: mostly ``home``, a fifth elsewhere in China."""
    return home if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)


def unique_id(region: str, birth: dt.date, male: bool, rng: random.Random, used: set[str]) -> str:
    """An ID number not in ``used``, which it joins."""
    number = id_number(region, birth, male, rng)
    while number in used:
        number = id_number(region, birth, male, rng)
    used.add(number)
    return number


def pick_distinct(rng: random.Random, n_rows: int, counts: Sequence[int]) -> list[list[int]]:
    """Pick disjoint sets of row indices (sorted), one set per requested count."""
    chosen = rng.sample(range(n_rows), sum(counts))
    groups, start = [], 0
    for count in counts:
        groups.append(sorted(chosen[start : start + count]))
        start += count
    return groups
