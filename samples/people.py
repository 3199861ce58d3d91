"""The persons of the samples: the household register, and how other departments write them.

The 2024-06-01 register is the reference list of persons. The clinic and relief extracts
(``clinic_relief.py``) draw most of their persons from it with :func:`residents`, and write a few
of them differently (a legacy 15-digit number, a lower-case ``x``, a homophone in the name).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from synthetic import (
    DEMO_DATE,
    OTHER_REGIONS,
    SECOND_DATE,
    URBAN,
    WUHAN,
    Row,
    birth_date,
    mobile,
    person_region,
    pick_distinct,
    residential_address,
    seeded_faker,
    seeded_rng,
    unique_id,
    weighted,
)

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

HOUSEHOLD_ROWS = 1500  # the 2024-06-01 register, whose persons the other two datasets share
HOUSEHOLD_HEADER = ("xm", "gmsfhm", "xb", "mz", "csrq", "hjdz", "lxdh", "djrq", "hh")
HOUSEHOLD_BAD = {DEMO_DATE: (3, 2), SECOND_DATE: (1, 0)}  # (17-char ID numbers, empty xm)


def build_household_register(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """户籍人口登记: the day's registrations, grouped by household (户)."""
    rng, fake = seeded_rng("household_register", day), seeded_faker("household_register", day)
    used_ids: set[str] = set()
    used_hh: set[str] = set()
    rows: list[Row] = []

    def person(name: str, male: bool, birth: dt.date, region: str, ethnicity: str) -> list[object]:
        number = unique_id(region, birth, male, rng, used_ids)
        return [name, number, "男" if male else "女", ethnicity, birth.isoformat()]

    while len(rows) < n_rows:
        district = rng.choice(WUHAN) if rng.random() < 0.2 else rng.choice(URBAN)
        address = residential_address(rng, district)
        hh = _household_number(rng, used_hh)
        registered = day - dt.timedelta(days=0 if rng.random() < 0.9 else rng.randrange(1, 7))
        uyghur = rng.random() < 0.01
        ethnicity = "维吾尔族" if uyghur else weighted(rng, ETHNICITIES)

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
                    person_region(rng, district[0]),
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
                        person_region(rng, district[0]),
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
                        district[0] if rng.random() < 0.9 else person_region(rng, district[0]),
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
    short_ids, empty_names = pick_distinct(rng, len(rows), bad)
    for i in short_ids:
        rows[i][1] = str(rows[i][1])[:17]  # check character lost in transcription: 17 chars
    for i in empty_names:
        rows[i][0] = ""


# ---------------------------------------------------------------------------------------------
# The register's persons, and how other departments write them
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resident:
    """A person of the 2024-06-01 household register (a row its suite passes)."""

    row: int  # 1-based data row of the register file (``_source_row``)
    name: str
    number: str  # 公民身份号码, 18 characters
    birth: dt.date
    address: str  # 户籍地址
    phone: str

    def age(self, on: dt.date) -> int:
        """Age in whole years on ``on``."""
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


def residents() -> tuple[Resident, ...]:
    """The persons of the 2024-06-01 register, in file order, without its faulty rows."""
    _, rows = build_household_register(DEMO_DATE, HOUSEHOLD_ROWS)
    return tuple(
        Resident(
            row=i,
            name=str(row[0]),
            number=str(row[1]),
            birth=dt.date.fromisoformat(str(row[4])),
            address=str(row[5]),
            phone=str(row[6]),
        )
        for i, row in enumerate(rows, start=1)
        if len(str(row[1])) == 18 and row[0]
    )


def pick_residents(
    rng: random.Random,
    pool: Sequence[Resident],
    count: int,
    taken: set[str],
    ok: Callable[[Resident], bool] | None = None,
) -> tuple[Resident, ...]:
    """``count`` persons of ``pool`` not yet taken (and satisfying ``ok``); they become taken."""
    eligible = [r for r in pool if r.number not in taken and (ok is None or ok(r))]
    chosen = rng.sample(eligible, count)
    taken.update(r.number for r in chosen)
    return tuple(chosen)


def legacy_number(number: str) -> str:
    """The 15-digit ID number of the first-generation card: no century, no check character."""
    return number[:6] + number[8:17]


def has_legacy_number(person: Resident) -> bool:
    """Whether the person is old enough to have held a first-generation (15-digit) card."""
    return person.birth.year < 1980


def ends_in_x(person: Resident) -> bool:
    """Whether the ID number's check character is ``X`` (others type it as ``x``)."""
    return person.number.endswith("X")


#: A given name's last character and a homophone typed for it at a counter (同音字).
HOMOPHONES = {
    "伟": "炜", "军": "君", "杰": "洁", "涛": "韬", "斌": "彬", "明": "铭", "刚": "钢", "平": "萍",
    "华": "骅", "鹏": "朋", "飞": "菲", "宇": "禹", "浩": "皓", "凯": "恺", "俊": "峻", "旭": "煦",
    "林": "琳", "阳": "扬", "峰": "锋", "瑞": "睿", "敏": "旻", "静": "婧", "丽": "莉", "艳": "燕",
    "娟": "鹃", "霞": "侠", "燕": "艳", "玲": "龄", "萍": "苹", "红": "虹", "英": "瑛", "梅": "玫",
    "莉": "丽", "婷": "亭", "晶": "菁", "颖": "莹", "慧": "惠", "倩": "茜", "琴": "芹", "芳": "方",
}  # fmt: skip


def has_homophone(person: Resident) -> bool:
    """Whether :func:`homophone_name` can vary the person's name."""
    return person.name[-1] in HOMOPHONES and "·" not in person.name


def homophone_name(name: str) -> str:
    """The name with its last character replaced by a homophone: 张伟 -> 张炜."""
    return name[:-1] + HOMOPHONES[name[-1]]
