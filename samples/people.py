"""Builders of the population samples: household register, clinic visits, relief payments."""

from __future__ import annotations

import datetime as dt
import random

from synthetic import (
    DEMO_DATE,
    OTHER_REGIONS,
    RURAL,
    SECOND_DATE,
    URBAN,
    WUHAN,
    Row,
    bank_card,
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
    rng, fake = seeded_rng("clinic_visits", day), seeded_faker("clinic_visits", day)
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
            region = person_region(rng, rng.choice(WUHAN)[0])
            birth = birth_date(rng, day, age, age)
            number = unique_id(region, birth, male, rng, used_ids)
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

    for i in pick_distinct(rng, len(rows), (2,))[0]:
        rows[i][7] = -float(rows[i][7])  # 退费 entered as a visit: negative fee
    return CLINIC_HEADER, rows


RELIEF_HEADER = ("xm", "sfzh", "yhkh", "lxdh", "jzdz", "ffje", "ffyf", "jzlx")
RARE_NAMES = ("刘䶮", "陈𬣙")  # 生僻字 outside GBK: why the file is GB18030


def build_relief_payments(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """低保救助金发放: the month's payments to recipients (one per person)."""
    rng, fake = seeded_rng("relief_payments", day), seeded_faker("relief_payments", day)
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
        number = unique_id(person_region(rng, district[0]), birth, male, rng, used_ids)
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
                residential_address(rng, district),
                f"{rng.randrange(*amount)}.00",
                f"{day:%Y-%m}",
                kind,
            ]
        )
    for i in pick_distinct(rng, len(rows), (2,))[0]:
        rows[i][5] = ""  # amount missing in the 发放清单
    return RELIEF_HEADER, rows
