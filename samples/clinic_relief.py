"""Builders of the clinic-visit and relief-payment samples, drawn from the household register.

Most patients and recipients are persons of the 2024-06-01 register (:func:`people.residents`),
written as the register writes them except for the few planted differences listed in
``samples/README.md``: legacy 15-digit ID numbers, a lower-case ``x``, a homophone in a name, and
(relief only) a phone number the register does not have. The others are persons the register
extract does not hold.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from faker import Faker
from people import (
    Resident,
    ends_in_x,
    has_homophone,
    has_legacy_number,
    homophone_name,
    legacy_number,
    pick_residents,
    residents,
)
from synthetic import (
    RURAL,
    URBAN,
    WUHAN,
    Row,
    bank_card,
    birth_date,
    mobile,
    person_region,
    residential_address,
    seeded_faker,
    seeded_rng,
    unique_id,
)

#: How many persons of each dataset are written differently from the register, by kind.
PLANTS = {
    "clinic_visits": {"legacy": 4, "lower_x": 3, "renamed": 3},
    "relief_payments": {"legacy": 3, "lower_x": 2, "renamed": 2, "phone": 4},
}


@dataclass(frozen=True)
class Written:
    """How a dataset writes a planted person, and which kind of plant it is."""

    name: str
    number: str
    kind: str  # a key of PLANTS' mappings


def _written_forms(
    rng: random.Random, pool: Sequence[Resident], plants: dict[str, int]
) -> dict[str, Written]:
    """Register number -> how the dataset writes it, for the planted persons of ``pool``."""
    taken: set[str] = set()
    kinds = {
        "legacy": has_legacy_number,
        "lower_x": ends_in_x,
        "renamed": has_homophone,
        "phone": None,
    }
    out: dict[str, Written] = {}
    for kind, count in plants.items():
        for person in pick_residents(rng, pool, count, taken, kinds[kind]):
            name, number = person.name, person.number
            if kind == "legacy":
                number = legacy_number(number)
            elif kind == "lower_x":
                number = number[:-1] + "x"
            elif kind == "renamed":
                name = homophone_name(name)
            out[person.number] = Written(name, number, kind)
    return out


# ---------------------------------------------------------------------------------------------
# 门诊就诊记录 (health)
# ---------------------------------------------------------------------------------------------

CLINIC_HEADER = ("jzlsh", "hzxm", "sfzh", "jzrq", "ksmc", "zdmc", "zddm", "fy")
CLINIC_SHEET = "就诊记录"
CLINIC_FROM_REGISTER = 0.85  # share of the day's new patients who are persons of the register
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


@dataclass(frozen=True)
class Patient:
    """A patient of the day, and the register person it is (None: not in the register)."""

    name: str
    number: str
    age: int
    resident: Resident | None


def build_clinic_visits(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """门诊就诊记录: one row per outpatient visit of the day (patients may visit twice)."""
    rng, fake = seeded_rng("clinic_visits", day), seeded_faker("clinic_visits", day)
    weights = [c[3] for c in CLINICS]
    waiting = list(residents())
    rng.shuffle(waiting)
    used_ids = {r.number for r in waiting}
    patients: list[Patient] = []
    rows: list[Row] = []
    serial = rng.randrange(100, 400)
    for _ in range(n_rows):
        clinic = rng.choices(CLINICS, weights=weights)[0]
        low, high = clinic[1]
        reuse = [p for p in patients if low <= p.age <= high]
        if reuse and rng.random() < 0.05:
            patient = rng.choice(reuse)
        else:
            patient = _new_patient(rng, fake, day, (low, high), waiting, used_ids)
            patients.append(patient)
        diagnosis, icd = rng.choice(clinic[4])
        serial += rng.randrange(1, 4)
        fee = round(rng.uniform(*clinic[2]), 2)
        serial_no = f"{day:%Y%m%d}{serial:06d}"
        rows.append(
            [
                serial_no,
                patient.name,
                patient.number,
                day.isoformat(),
                clinic[0],
                diagnosis,
                icd,
                fee,
            ]
        )
    matched = [p.resident for p in patients if p.resident is not None]
    written = _written_forms(rng, matched, PLANTS["clinic_visits"])
    for row in rows:
        if row[2] in written:
            row[1], row[2] = written[str(row[2])].name, written[str(row[2])].number
    planted = {w.number for w in written.values()}
    plain = [i for i, row in enumerate(rows) if row[2] not in planted]
    for i in sorted(rng.sample(plain, 2)):
        rows[i][7] = -float(rows[i][7])  # 退费 entered as a visit: negative fee
    return CLINIC_HEADER, rows


def _new_patient(
    rng: random.Random,
    fake: Faker,
    day: dt.date,
    ages: tuple[int, int],
    waiting: list[Resident],
    used_ids: set[str],
) -> Patient:
    """A patient not seen today: mostly the next register person of the clinic's ages."""
    if rng.random() < CLINIC_FROM_REGISTER:
        for i, person in enumerate(waiting):
            if ages[0] <= person.age(day) <= ages[1]:
                del waiting[i]
                return Patient(person.name, person.number, person.age(day), person)
    male = rng.random() < 0.5
    age = rng.randrange(ages[0], ages[1] + 1)
    region = person_region(rng, rng.choice(WUHAN)[0])
    number = unique_id(region, birth_date(rng, day, age, age), male, rng, used_ids)
    given = fake.first_name_male() if male else fake.first_name_female()
    return Patient(fake.last_name() + given, number, age, None)


# ---------------------------------------------------------------------------------------------
# 低保救助金发放 (civil affairs)
# ---------------------------------------------------------------------------------------------

RELIEF_HEADER = ("xm", "sfzh", "yhkh", "lxdh", "jzdz", "ffje", "ffyf", "jzlx")
RARE_NAMES = ("刘䶮", "陈𬣙")  # 生僻字 outside GBK: why the file is GB18030
RELIEF_NEWCOMERS = 100  # recipients the register extract does not hold (the rare names among them)
RELIEF_AMOUNTS = {"城市低保": (200, 1000), "农村低保": (150, 900), "特困供养": (1300, 1400)}


def build_relief_payments(day: dt.date, n_rows: int) -> tuple[tuple[str, ...], list[Row]]:
    """低保救助金发放: the month's payments to recipients (one per person)."""
    rng, fake = seeded_rng("relief_payments", day), seeded_faker("relief_payments", day)
    register = residents()
    used_ids = {r.number for r in register}
    adults = [r for r in register if r.age(day) >= 18]
    recipients = iter(rng.sample(adults, n_rows - RELIEF_NEWCOMERS))
    newcomers = set(rng.sample(range(n_rows), RELIEF_NEWCOMERS))
    rare = rng.sample(sorted(newcomers), len(RARE_NAMES))
    rows: list[Row] = []
    for i in range(n_rows):
        if i in newcomers:
            row = _newcomer(rng, fake, day, used_ids)
            if i in rare:
                row[0] = RARE_NAMES[rare.index(i)]
        else:
            row = _recipient(rng, day, next(recipients))
        rows.append(row)
    paid = {row[1] for row in rows}
    matched = [r for r in register if r.number in paid]
    written = _written_forms(rng, matched, PLANTS["relief_payments"])
    for row in rows:
        if row[1] in written:
            form = written[str(row[1])]
            row[0], row[1] = form.name, form.number
            if form.kind == "phone":  # changed number, reported to civil affairs only
                row[3] = _other_mobile(rng, str(row[3]))
    planted = {w.number for w in written.values()}
    plain = [i for i, row in enumerate(rows) if row[1] not in planted]
    for i in sorted(rng.sample(plain, 2)):
        rows[i][5] = ""  # amount missing in the 发放清单
    return RELIEF_HEADER, rows


def _recipient(rng: random.Random, day: dt.date, person: Resident) -> Row:
    """The payment row of a register person: its name, number, phone and 户籍 address."""
    rural = any(d[1] in person.address for d in RURAL)
    kind = "农村低保" if rural else "城市低保"
    if person.age(day) >= 60 and rng.random() < 0.3:
        kind = "特困供养"
    amount = rng.randrange(*RELIEF_AMOUNTS[kind])
    return [
        person.name,
        person.number,
        bank_card(rng),
        person.phone,
        person.address,
        f"{amount}.00",
        f"{day:%Y-%m}",
        kind,
    ]


def _newcomer(rng: random.Random, fake: Faker, day: dt.date, used_ids: set[str]) -> Row:
    """The payment row of a recipient the register extract does not hold."""
    kind = rng.choices(("城市低保", "农村低保", "特困供养"), weights=(55, 30, 15))[0]
    district = rng.choice(
        RURAL if kind == "农村低保" else (URBAN if rng.random() < 0.85 else RURAL)
    )
    age = rng.randrange(60, 95) if kind == "特困供养" else rng.randrange(18, 90)
    male = rng.random() < 0.5
    birth = birth_date(rng, day, age, age)
    number = unique_id(person_region(rng, district[0]), birth, male, rng, used_ids)
    name = fake.last_name() + (fake.first_name_male() if male else fake.first_name_female())
    if rng.random() < 0.04:
        phone = f"027-{rng.choice('5678')}{rng.randrange(10**6, 10**7)}"  # landline
    else:
        phone = mobile(rng)
    return [
        name,
        number,
        bank_card(rng),
        phone,
        residential_address(rng, district),
        f"{rng.randrange(*RELIEF_AMOUNTS[kind])}.00",
        f"{day:%Y-%m}",
        kind,
    ]


def _other_mobile(rng: random.Random, phone: str) -> str:
    """A mobile number other than ``phone``."""
    other = mobile(rng)
    while other == phone:
        other = mobile(rng)
    return other
