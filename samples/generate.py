"""Write the deterministic sample landing files for the demo and the tests.

Run ``.venv/bin/python samples/generate.py``: every run writes the same bytes under
``samples/landing/<department>/<dataset>/`` (Faker ``zh_CN`` and ``random.Random`` are seeded per
dataset and date; nothing depends on the clock, the locale or ``PYTHONHASHSEED``).

The data are synthetic but structurally real: ID numbers carry valid region codes, birth dates and
ISO 7064 MOD 11-2 check characters; 统一社会信用代码 carry a GB 11714 organisation code and the GB
32100 check character; bank cards start with 62 and pass Luhn. Each file also carries a few
deliberately bad rows (listed in ``samples/README.md``) that the dataset's Great Expectations suite
must catch, and nothing else in the file should fail it.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from faker import Faker
from stdnum import luhn
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

HERE = Path(__file__).resolve().parent
LANDING = HERE / "landing"
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

ETHNICITIES = (
    ("汉族", 930),
    ("土家族", 30),
    ("回族", 12),
    ("苗族", 8),
    ("满族", 7),
    ("蒙古族", 5),
    ("壮族", 4),
    ("侗族", 4),
)
UYGHUR_GIVEN_NAMES = (
    "阿依古丽", "买买提", "艾力", "热依拉", "古丽娜尔", "努尔", "阿卜杜拉", "帕提古丽", "迪丽拜尔",
)  # fmt: skip
VILLAGE_SURNAMES = "张王李刘陈杨黄周吴徐胡朱高林何郭马罗梁宋"
VILLAGE_SUFFIXES = ("家湾", "家岗", "家咀", "家墩", "家台", "家畈", "湾", "岭", "冲", "桥")

# GB 11714 / GB 32100 alphabet (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O


# ---------------------------------------------------------------------------------------------
# Seeds and writers
# ---------------------------------------------------------------------------------------------


def _seed(*parts: object) -> int:
    return zlib.crc32(":".join(["pubdata", *map(str, parts)]).encode("utf-8"))


def _rng(*parts: object) -> random.Random:
    return random.Random(_seed(*parts))


def _faker(*parts: object) -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(_seed("faker", *parts))
    return fake


def _csv_bytes(header: Sequence[str], rows: Sequence[Row], encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _json_value(value: object) -> str:
    if isinstance(value, Raw):
        return value.text
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Raw:
    """A JSON number written exactly as given (keeps trailing zeros such as ``114.305500``)."""

    text: str


def _json_object(header: Sequence[str], row: Row) -> str:
    fields = (f"{json.dumps(k)}: {_json_value(v)}" for k, v in zip(header, row, strict=True))
    return "{" + ", ".join(fields) + "}"


def _jsonl_bytes(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    return "".join(_json_object(header, row) + "\n" for row in rows).encode("utf-8")


def _json_array_bytes(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    body = ",\n".join("  " + _json_object(header, row) for row in rows)
    return ("[\n" + body + "\n]\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Identifiers with valid check characters
# ---------------------------------------------------------------------------------------------


def id_number(region: str, birth: dt.date, male: bool, rng: random.Random) -> str:
    """Return an 18-character 公民身份号码 with a valid MOD 11-2 check character."""
    sequence = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + mod_11_2.calc_check_digit(body)


def org_code_check(body: str) -> str:
    """Return the GB 11714 check character of an 8-character organisation code body."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code(region: str, org_body: str) -> str:
    """Return an enterprise 统一社会信用代码 (登记管理部门 9, 机构类别 1)."""
    first17 = f"91{region}{org_body}{org_code_check(org_body)}"
    return first17 + uscc.calc_check_digit(first17)


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


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], weights=[w for _, w in table])[0]


def _urban_address(rng: random.Random, district: District) -> str:
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


def _address(rng: random.Random, district: District) -> str:
    return _rural_address(rng, district) if district[4] else _urban_address(rng, district)


def _person_region(rng: random.Random, home: str) -> str:
    return home if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)


def _unique_id(region: str, birth: dt.date, male: bool, rng: random.Random, used: set[str]) -> str:
    number = id_number(region, birth, male, rng)
    while number in used:
        number = id_number(region, birth, male, rng)
    used.add(number)
    return number


def _pick_distinct(rng: random.Random, n_rows: int, counts: Sequence[int]) -> list[list[int]]:
    """Pick disjoint sets of row indices (sorted), one set per requested count."""
    chosen = rng.sample(range(n_rows), sum(counts))
    groups, start = [], 0
    for count in counts:
        groups.append(sorted(chosen[start : start + count]))
        start += count
    return groups


# ---------------------------------------------------------------------------------------------
# Datasets. Each build_* returns (header, rows); rows hold Python values as written to the file.
# ---------------------------------------------------------------------------------------------

HOUSEHOLD_HEADER = ("xm", "gmsfhm", "xb", "mz", "csrq", "hjdz", "lxdh", "djrq", "hh")
HOUSEHOLD_BAD = {DEMO_DATE: (3, 2), SECOND_DATE: (1, 0)}  # (17-char ID numbers, empty xm)


def build_household_register(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """户籍人口登记: the day's registrations, grouped by household (户)."""
    rng, fake = _rng("household_register", day), _faker("household_register", day)
    used_ids: set[str] = set()
    used_hh: set[str] = set()
    rows: list[Row] = []

    def person(name: str, male: bool, birth: dt.date, region: str, ethnicity: str) -> list[object]:
        number = _unique_id(region, birth, male, rng, used_ids)
        return [name, number, "男" if male else "女", ethnicity, birth.isoformat()]

    while len(rows) < n_rows:
        district = rng.choice(WUHAN) if rng.random() < 0.2 else rng.choice(URBAN)
        address = _address(rng, district)
        hh = _household_number(rng, used_hh)
        registered = day - dt.timedelta(days=0 if rng.random() < 0.9 else rng.randrange(1, 7))
        uyghur = rng.random() < 0.01
        ethnicity = "维吾尔族" if uyghur else _weighted(rng, ETHNICITIES)

        def name(male: bool, surname: str, uyghur: bool = uyghur) -> str:
            if uyghur:
                return f"{rng.choice(UYGHUR_GIVEN_NAMES)}·{rng.choice(UYGHUR_GIVEN_NAMES)}"
            return surname + (fake.first_name_male() if male else fake.first_name_female())

        members: list[tuple[list[object], str]] = []
        head_male = rng.random() < 0.6
        head_age = rng.randrange(24, 76)
        head_birth = birth_date(rng, day, head_age, head_age)
        family_name = fake.last_name()
        head_phone = mobile(rng)
        members.append(
            (
                person(
                    name(head_male, family_name),
                    head_male,
                    head_birth,
                    _person_region(rng, district[0]),
                    ethnicity,
                ),
                head_phone,
            )
        )
        youngest_parent = head_age
        if rng.random() < 0.75:
            spouse_age = max(22, min(85, head_age + rng.randrange(-5, 6)))
            spouse_surname = fake.last_name()
            members.append(
                (
                    person(
                        name(not head_male, spouse_surname),
                        not head_male,
                        birth_date(rng, day, spouse_age, spouse_age),
                        _person_region(rng, district[0]),
                        ethnicity,
                    ),
                    mobile(rng),
                )
            )
            youngest_parent = min(head_age, spouse_age)
            if not head_male and rng.random() < 0.9:
                family_name = spouse_surname  # children usually take the father's surname
        for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3)) if youngest_parent >= 24 else 0):
            child_age = rng.randrange(0, min(30, youngest_parent - 21))
            child_male = rng.random() < 0.52
            members.append(
                (
                    person(
                        name(child_male, family_name),
                        child_male,
                        birth_date(rng, day, child_age, child_age),
                        district[0] if rng.random() < 0.9 else _person_region(rng, district[0]),
                        ethnicity,
                    ),
                    head_phone if child_age < 18 else mobile(rng),
                )
            )
        if head_age <= 60 and rng.random() < 0.12:
            elder_age = min(98, head_age + rng.randrange(22, 36))
            members.append(
                (
                    person(
                        name(False, fake.last_name()),
                        False,
                        birth_date(rng, day, elder_age, elder_age),
                        rng.choice(OTHER_REGIONS),
                        ethnicity,
                    ),
                    head_phone,
                )
            )
        for fields, phone in members:
            rows.append([*fields, address, phone, registered.isoformat(), hh])
    del rows[n_rows:]
    _spoil_household_rows(rng, rows, HOUSEHOLD_BAD[day])
    return HOUSEHOLD_HEADER, rows


def _household_number(rng: random.Random, used: set[str]) -> str:
    """A 户号 not given to another household of the day."""
    hh = f"{rng.randrange(10**7, 10**9):09d}"
    while hh in used:
        hh = f"{rng.randrange(10**7, 10**9):09d}"
    used.add(hh)
    return hh


def _spoil_household_rows(rng: random.Random, rows: list[Row], bad: tuple[int, int]) -> None:
    """The day's faults: 17-character ID numbers and empty names, on distinct rows."""
    short_ids, empty_names = _pick_distinct(rng, len(rows), bad)
    for i in short_ids:
        rows[i][1] = str(rows[i][1])[:17]  # check character lost in transcription: 17 chars
    for i in empty_names:
        rows[i][0] = ""


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
    rng, fake = _rng("enterprise_registry", day), _faker("enterprise_registry", day)
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
        kind = _weighted(rng, ENTERPRISE_TYPES)
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
                _weighted(rng, ENTERPRISE_STATES),
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
    return _urban_address(rng, district)


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


CLINIC_HEADER = ("jzlsh", "hzxm", "sfzh", "jzrq", "ksmc", "zdmc", "zddm", "fy")
CLINIC_SHEET = "就诊记录"
# department, (min_age, max_age), (min_fee, max_fee), weight, diagnoses (name, ICD-10)
CLINICS: tuple[
    tuple[str, tuple[int, int], tuple[int, int], int, tuple[tuple[str, str], ...]], ...
] = (
    (
        "心血管内科",
        (40, 90),
        (60, 900),
        12,
        (("高血压", "I10"), ("冠状动脉粥样硬化性心脏病", "I25.1"), ("心律失常", "I49.9")),
    ),
    (
        "内分泌科",
        (30, 85),
        (50, 700),
        10,
        (("2型糖尿病", "E11.9"), ("高脂血症", "E78.5"), ("甲状腺功能减退症", "E03.9")),
    ),
    (
        "呼吸内科",
        (18, 90),
        (40, 600),
        12,
        (("急性上呼吸道感染", "J06.9"), ("急性支气管炎", "J20.9"), ("慢性阻塞性肺疾病", "J44.9")),
    ),
    (
        "儿科",
        (0, 13),
        (30, 400),
        12,
        (("急性上呼吸道感染", "J06.9"), ("急性扁桃体炎", "J03.9"), ("支气管炎", "J40")),
    ),
    (
        "消化内科",
        (18, 85),
        (50, 1500),
        9,
        (("慢性胃炎", "K29.5"), ("胃食管反流病", "K21.9"), ("肠易激综合征", "K58.9")),
    ),
    (
        "骨科",
        (20, 85),
        (80, 2500),
        8,
        (("腰椎间盘突出", "M51.2"), ("颈椎病", "M47.8"), ("膝关节骨关节炎", "M17.9")),
    ),
    ("皮肤科", (5, 80), (30, 400), 7, (("湿疹", "L30.9"), ("荨麻疹", "L50.9"), ("痤疮", "L70.0"))),
    (
        "眼科",
        (5, 90),
        (30, 800),
        6,
        (("结膜炎", "H10.9"), ("白内障", "H26.9"), ("屈光不正", "H52.7")),
    ),
    ("口腔科", (6, 80), (50, 1200), 6, (("龋齿", "K02.9"), ("牙周炎", "K05.3"))),
    (
        "神经内科",
        (30, 90),
        (60, 1800),
        8,
        (("脑梗死", "I63.9"), ("失眠", "G47.0"), ("偏头痛", "G43.9")),
    ),
    ("耳鼻喉科", (5, 80), (40, 500), 5, (("过敏性鼻炎", "J30.4"), ("慢性咽炎", "J31.2"))),
    (
        "急诊科",
        (1, 90),
        (100, 3000),
        5,
        (("急性胃肠炎", "K52.9"), ("发热", "R50.9"), ("头皮裂伤", "S01.0")),
    ),
)


def build_clinic_visits(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """门诊就诊记录: one row per outpatient visit of the day (patients may visit twice)."""
    rng, fake = _rng("clinic_visits", day), _faker("clinic_visits", day)
    weights = [c[3] for c in CLINICS]
    patients: list[tuple[str, str, int]] = []
    used_ids: set[str] = set()
    rows: list[Row] = []
    serial = rng.randrange(100, 400)
    for _ in range(n_rows):
        clinic = rng.choices(CLINICS, weights=weights)[0]
        reuse = [p for p in patients if clinic[1][0] <= p[2] <= clinic[1][1]]
        if reuse and rng.random() < 0.05:
            patient_name, number, _age = rng.choice(reuse)
        else:
            male = rng.random() < 0.5
            age = rng.randrange(clinic[1][0], clinic[1][1] + 1)
            region = _person_region(rng, rng.choice(WUHAN)[0])
            birth = birth_date(rng, day, age, age)
            number = _unique_id(region, birth, male, rng, used_ids)
            given = fake.first_name_male() if male else fake.first_name_female()
            patient_name = fake.last_name() + given
            patients.append((patient_name, number, age))
        diagnosis, icd = rng.choice(clinic[4])
        serial += rng.randrange(1, 4)
        fee = round(rng.uniform(*clinic[2]), 2)
        serial_no = f"{day:%Y%m%d}{serial:06d}"
        rows.append(
            [serial_no, patient_name, number, day.isoformat(), clinic[0], diagnosis, icd, fee]
        )

    for i in _pick_distinct(rng, len(rows), (2,))[0]:
        rows[i][7] = -float(rows[i][7])  # 退费 entered as a visit: negative fee
    return CLINIC_HEADER, rows


VEHICLE_HEADER = ("hphm", "jd", "wd", "sd", "dwsj", "clzt")
VEHICLE_FLEET = 150
VEHICLE_BAD = {DEMO_DATE: 2, SECOND_DATE: 1}  # rows with speed 999
VEHICLE_STATES = (("载客", 45), ("空车", 35), ("电召", 8), ("停运", 12))


def _fleet() -> list[str]:
    """The taxi fleet: stable across days, ~30% 8-character new-energy plates."""
    rng = _rng("vehicle_positions", "fleet")
    plates: list[str] = []
    while len(plates) < VEHICLE_FLEET:
        if rng.random() < 0.3:
            plate = "鄂A" + rng.choice("DF") + f"{rng.randrange(10**5):05d}"
        else:
            chars = [str(rng.randrange(10)) for _ in range(5)]
            for at in rng.sample(range(5), rng.choice((0, 1, 1, 2))):
                chars[at] = rng.choice(PLATE_LETTERS)
            plate = "鄂A" + "".join(chars)
        if plate not in plates:
            plates.append(plate)
    return plates


def build_vehicle_positions(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """营运车辆定位: GPS fixes of the taxi fleet, a time series per vehicle, ordered by time."""
    rng = _rng("vehicle_positions", day)
    fleet = _fleet()
    per_vehicle = n_rows // len(fleet)
    fixes: list[tuple[str, str, Row]] = []
    for plate in fleet:
        lon, lat = rng.uniform(114.15, 114.45), rng.uniform(30.45, 30.65)
        seconds = sorted(rng.sample(range(6 * 3600, 23 * 3600), per_vehicle))
        for second in seconds:
            state = _weighted(rng, VEHICLE_STATES)
            speed = 0.0 if state == "停运" else round(rng.uniform(0, 75), 1)
            lon = min(114.62, max(113.95, lon + rng.uniform(-0.02, 0.02)))
            lat = min(30.80, max(30.35, lat + rng.uniform(-0.015, 0.015)))
            stamp = (
                f"{day.isoformat()}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"
            )
            fixes.append((stamp, plate, [plate, lon, lat, speed, stamp, state]))
    fixes.sort(key=lambda fix: (fix[0], fix[1]))
    rows = [fix[2] for fix in fixes]
    for i in _pick_distinct(rng, len(rows), (VEHICLE_BAD[day],))[0]:
        rows[i][3] = 999.0  # device fault: speed field saturated
    for row in rows:
        row[1], row[2], row[3] = Raw(f"{row[1]:.6f}"), Raw(f"{row[2]:.6f}"), Raw(f"{row[3]:.1f}")
    return VEHICLE_HEADER, rows


AIR_HEADER = ("zdmc", "zddm", "jcsj", "pm25", "pm10", "so2", "no2", "o3", "co", "aqi", "sywrw")
AIR_STATIONS = (
    ("东湖梨园", "1325A"), ("汉阳月湖", "1326A"), ("汉口花桥", "1327A"), ("武昌紫阳", "1328A"),
    ("青山钢花", "1329A"), ("沌口新区", "1330A"), ("汉口江滩", "1331A"), ("东湖高新", "1332A"),
    ("吴家山", "1333A"), ("沉湖七壕", "1334A"), ("江夏纸坊", "3421A"), ("黄陂前川", "3422A"),
    ("新洲邾城", "3423A"), ("蔡甸奓山", "3424A"), ("汉南纱帽", "3425A"), ("洪山南湖", "3426A"),
    ("硚口古田", "3427A"), ("江岸后湖", "3428A"), ("江汉常青", "3429A"), ("青山白玉山", "3430A"),
    ("东西湖走马岭", "3431A"),
)  # fmt: skip
AIR_BAD = {DEMO_DATE: 2, SECOND_DATE: 0}  # rows with negative pm25
# HJ 633-2012 breakpoints (hourly where the standard has them) and the matching IAQI values.
IAQI_STEPS = (0, 50, 100, 150, 200, 300, 400, 500)
BREAKPOINTS = {
    "PM2.5": (0, 35, 75, 115, 150, 250, 350, 500),
    "PM10": (0, 50, 150, 250, 350, 420, 500, 600),
    "SO2": (0, 150, 500, 650, 800, 1600, 2100, 2620),
    "NO2": (0, 100, 200, 700, 1200, 2340, 3090, 3840),
    "O3": (0, 160, 200, 300, 400, 800, 1000, 1200),
    "CO": (0, 5, 10, 35, 60, 90, 120, 150),
}


def _iaqi(pollutant: str, value: float) -> float:
    points = BREAKPOINTS[pollutant]
    for i in range(1, len(points)):
        if value <= points[i]:
            low, high = points[i - 1], points[i]
            return IAQI_STEPS[i - 1] + (IAQI_STEPS[i] - IAQI_STEPS[i - 1]) * (value - low) / (
                high - low
            )
    return 500.0


def build_air_quality(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """空气质量监测: hourly readings of the city's monitoring stations (public data)."""
    del n_rows  # stations x 24 hours
    rng = _rng("air_quality", day)
    rows: list[Row] = []
    day_factor = rng.uniform(0.8, 1.2)
    for station, code in AIR_STATIONS:
        local = rng.uniform(0.85, 1.15)
        for hour in range(24):
            rush = 1.35 if hour in (7, 8, 9, 17, 18, 19) else 1.0
            sun = max(0.0, 1 - abs(hour - 15) / 7)
            pm25 = round(max(3, rng.gauss(32, 8) * day_factor * local * (1.1 if hour < 8 else 1.0)))
            pm10 = round(pm25 * rng.uniform(1.4, 2.0))
            so2 = round(max(2, rng.gauss(7, 2)))
            no2 = round(max(5, rng.gauss(28, 7) * rush * local))
            o3 = round(max(5, 40 + 150 * sun * day_factor + rng.gauss(0, 12)))
            co = round(max(0.2, rng.gauss(0.7, 0.15)), 1)
            values = {"PM2.5": pm25, "PM10": pm10, "SO2": so2, "NO2": no2, "O3": o3, "CO": co}
            scores = {k: _iaqi(k, v) for k, v in values.items()}
            aqi = round(max(scores.values()))
            primary = max(scores, key=lambda k: scores[k]) if aqi > 50 else "—"
            rows.append(
                [
                    station,
                    code,
                    f"{day.isoformat()}T{hour:02d}:00:00",
                    pm25,
                    pm10,
                    so2,
                    no2,
                    o3,
                    Raw(f"{co:.1f}"),
                    aqi,
                    primary,
                ]
            )
    for i, value in zip(
        _pick_distinct(rng, len(rows), (AIR_BAD[day],))[0], (-999, -1), strict=False
    ):
        rows[i][3] = value  # analyser fault code / negative drift
    return AIR_HEADER, rows


BUDGET_HEADER = ("xmbm", "xm", "ysdw", "gnkm", "ysje", "zxje", "zxl", "tjyf")
# budget unit, projects (name template, 功能科目, min amount, max amount in 万元)
BUDGET_UNITS: tuple[tuple[str, tuple[tuple[str, str, int, int], ...]], ...] = (
    (
        "武汉市交通运输局",
        (
            ("城市道路改造工程", "2140104 公路建设", 500, 30000),
            ("桥梁隧道维修养护", "2140106 公路养护", 200, 8000),
            ("公交运营补贴", "2140199 其他公路水路运输支出", 1000, 20000),
        ),
    ),
    (
        "武汉市住房和城市更新局",
        (
            ("老旧小区改造", "2120399 其他城乡社区公共设施支出", 300, 15000),
            ("保障性住房建设", "2210199 其他保障性安居工程支出", 500, 20000),
            ("城中村改造", "2210101 棚户区改造", 1000, 50000),
        ),
    ),
    (
        "武汉市教育局",
        (
            ("中小学校舍维修改造", "2050202 小学教育", 100, 5000),
            ("学前教育发展专项", "2050201 学前教育", 100, 6000),
            ("义务教育学生营养改善", "2050299 其他普通教育支出", 200, 3000),
        ),
    ),
    (
        "武汉市卫生健康委员会",
        (
            ("基本公共卫生服务", "2100408 基本公共卫生服务", 500, 12000),
            ("公立医院改革补助", "2100201 综合医院", 300, 10000),
            ("疾病预防控制", "2100401 疾病预防控制机构", 100, 4000),
        ),
    ),
    (
        "武汉市生态环境局",
        (
            ("大气污染防治", "2110301 大气", 100, 6000),
            ("水污染防治专项", "2110302 水体", 100, 8000),
            ("环境监测能力建设", "2110203 环境监测与信息", 50, 2000),
        ),
    ),
    (
        "武汉市民政局",
        (
            ("城乡低保资金", "2081901 城市最低生活保障金支出", 1000, 30000),
            ("特困人员供养", "2082101 城市特困人员救助供养支出", 300, 8000),
            ("养老服务体系建设", "2080299 其他民政管理事务支出", 100, 5000),
        ),
    ),
    (
        "武汉市公安局",
        (
            ("公安业务装备购置", "2040299 其他公安支出", 100, 6000),
            ("视频监控系统运维", "2040299 其他公安支出", 50, 3000),
        ),
    ),
    (
        "武汉市园林和林业局",
        (
            ("公园绿地建设", "2120501 城乡社区环境卫生", 100, 8000),
            ("绿道建设", "2120399 其他城乡社区公共设施支出", 100, 6000),
        ),
    ),
    (
        "武汉市水务局",
        (
            ("排水管网改造", "2130305 水利工程建设", 300, 20000),
            ("防汛抗旱", "2130314 防汛", 100, 5000),
            ("污水处理厂运营", "2120501 城乡社区环境卫生", 200, 9000),
        ),
    ),
    (
        "武汉市城市管理执法委员会",
        (
            ("环卫作业市场化", "2120501 城乡社区环境卫生", 200, 10000),
            ("生活垃圾分类", "2120501 城乡社区环境卫生", 100, 4000),
        ),
    ),
)


def build_budget_execution(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """预算执行情况: monthly snapshot of project budgets and cumulative execution."""
    rng = _rng("budget_execution", day)
    month_end = day.replace(day=1) - dt.timedelta(days=1)
    projects = [(unit, p) for unit, ps in BUDGET_UNITS for p in ps]
    used_codes: set[str] = set()
    rows: list[Row] = []
    while len(rows) < n_rows:
        unit, (template, subject, low, high) = rng.choice(projects)
        where = rng.choice((*(d[1] for d in WUHAN), "全市", "市本级"))
        name = (
            f"{month_end.year}年{where}{template}"
            if rng.random() < 0.8
            else f"{where}{template}项目"
        )
        kind = rng.choice("TY")
        code = f"420100{month_end.year % 100:02d}{kind}{rng.randrange(10**9):09d}"
        if code in used_codes:
            continue
        used_codes.add(code)
        budget = round(rng.uniform(low, high) * 10000, -2)
        share = min(1.0, max(0.0, rng.gauss(month_end.month / 12, 0.15)))
        executed = round(budget * share, 2)
        rows.append([code, name, unit, subject, budget, executed, 0.0, f"{month_end:%Y-%m}"])
    for i in _pick_distinct(rng, len(rows), (1,))[0]:
        rows[i][5] = -float(rows[i][5])  # 冲销 entered with the wrong sign
    for row in rows:
        row[6] = round(float(row[5]) / float(row[4]) * 100, 2)  # 执行率 in percent
    return BUDGET_HEADER, rows


RELIEF_HEADER = ("xm", "sfzh", "yhkh", "lxdh", "jzdz", "ffje", "ffyf", "jzlx")
RARE_NAMES = ("刘䶮", "陈𬣙")  # 生僻字 outside GBK: why the file is GB18030


def build_relief_payments(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """低保救助金发放: the month's payments to recipients (one per person)."""
    rng, fake = _rng("relief_payments", day), _faker("relief_payments", day)
    used_ids: set[str] = set()
    rows: list[Row] = []
    rare = rng.sample(range(n_rows), len(RARE_NAMES))
    for i in range(n_rows):
        kind = rng.choices(("城市低保", "农村低保", "特困供养"), weights=(55, 30, 15))[0]
        district = rng.choice(
            RURAL if kind == "农村低保" else (URBAN if rng.random() < 0.85 else RURAL)
        )
        age = rng.randrange(60, 95) if kind == "特困供养" else rng.randrange(18, 90)
        male = rng.random() < 0.5
        birth = birth_date(rng, day, age, age)
        number = _unique_id(_person_region(rng, district[0]), birth, male, rng, used_ids)
        name = fake.last_name() + (fake.first_name_male() if male else fake.first_name_female())
        if i in rare:
            name = RARE_NAMES[rare.index(i)]
        if rng.random() < 0.04:
            phone = f"027-{rng.choice('5678')}{rng.randrange(10**6, 10**7)}"  # landline
        else:
            phone = mobile(rng)
        amount = {"城市低保": (200, 1000), "农村低保": (150, 900), "特困供养": (1300, 1400)}[kind]
        rows.append(
            [
                name,
                number,
                bank_card(rng),
                phone,
                _address(rng, district),
                f"{rng.randrange(*amount)}.00",
                f"{day:%Y-%m}",
                kind,
            ]
        )
    for i in _pick_distinct(rng, len(rows), (2,))[0]:
        rows[i][5] = ""  # amount missing in the 发放清单
    return RELIEF_HEADER, rows


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _write_csv(encoding: str) -> Callable[[Path, tuple[str, ...], list[Row]], bytes]:
    def write(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
        return _csv_bytes(header, rows, encoding)

    return write


def _write_jsonl(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    return _jsonl_bytes(header, rows)


def _write_json(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    return _json_array_bytes(header, rows)


def _write_parquet(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    columns = list(zip(*rows, strict=True))
    numeric = {"ysje", "zxje", "zxl"}
    table = pa.table(
        {
            name: pa.array(values, type=pa.float64() if name in numeric else pa.string())
            for name, values in zip(header, columns, strict=True)
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _write_xlsx(path: Path, header: tuple[str, ...], rows: list[Row]) -> bytes:
    import xlsxwriter  # a dev dependency (uv.lock); only the Excel sample needs it

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    # A fixed creation time keeps docProps/core.xml, and so the file, identical on every run.
    workbook.set_properties({"created": dt.datetime(2024, 6, 1, 18, 0, 0), "author": "HIS"})
    sheet = workbook.add_worksheet(CLINIC_SHEET)
    for col, name in enumerate(header):
        sheet.write_string(0, col, name)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, float):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))  # IDs and serials stay text
    workbook.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class Spec:
    """One landing file to write."""

    department: str
    dataset: str
    day: dt.date
    file_name: str
    rows: int
    build: Callable[[dt.date, int], tuple[tuple[str, ...], list[Row]]]
    write: Callable[[Path, tuple[str, ...], list[Row]], bytes]


def specs() -> list[Spec]:
    """Return every landing file the samples consist of, in writing order."""
    d1, d2 = DEMO_DATE, SECOND_DATE
    return [
        Spec("public_security", "household_register", d1, f"{d1}.csv", 1500,
             build_household_register, _write_csv("gbk")),
        Spec("public_security", "household_register", d2, f"{d2}.csv", 900,
             build_household_register, _write_csv("gbk")),
        Spec("market_regulation", "enterprise_registry", d1, f"{d1}.csv", 800,
             build_enterprise_registry, _write_csv("utf-8-sig")),
        Spec("health", "clinic_visits", d1, f"{d1:%Y%m%d}.xlsx", 600,
             build_clinic_visits, _write_xlsx),
        Spec("transport", "vehicle_positions", d1, f"{d1}.jsonl", 1200,
             build_vehicle_positions, _write_jsonl),
        Spec("transport", "vehicle_positions", d2, f"{d2}.jsonl", 1200,
             build_vehicle_positions, _write_jsonl),
        Spec("ecology", "air_quality", d1, f"{d1}.json", 504, build_air_quality, _write_json),
        Spec("ecology", "air_quality", d2, f"{d2}.json", 504, build_air_quality, _write_json),
        Spec("finance", "budget_execution", d1, f"{d1:%Y%m%d}.parquet", 300,
             build_budget_execution, _write_parquet),
        Spec("civil_affairs", "relief_payments", d1, f"{d1}.csv", 700,
             build_relief_payments, _write_csv("gb18030")),
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Write the landing files and print one line per file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=LANDING, help="landing root (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    for spec in specs():
        path = args.out / spec.department / spec.dataset / spec.file_name
        header, rows = spec.build(spec.day, spec.rows)
        data = spec.write(path, header, rows)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{path.relative_to(args.out)}  {len(rows)} rows  {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
