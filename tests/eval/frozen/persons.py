"""Frozen tables about natural persons, under headers of published systems (see sources.py)."""

from __future__ import annotations

import datetime as dt
import hashlib

from tests.eval.corpus import LabelledColumn, LabelledTable
from tests.eval.frozen import values as v
from tests.eval.frozen.sources import PUBLIC_ID_NUMBERS

Col = LabelledColumn
MINOR = "L4"  # R4: every personal column of a table with a child under 14


def vaccination_register() -> LabelledTable:
    rng, fake = v.seeded("vaccination_register")
    n = 180
    births = [v.child_birth(rng) for _ in range(n)]
    vaccines = ["乙肝疫苗", "卡介苗", "脊灰灭活疫苗", "百白破疫苗", "麻腮风疫苗", "乙脑减毒活疫苗"]
    return LabelledTable(
        "vaccination_register",
        "L4",
        "children's vaccinations with their guardians (R4)",
        [
            Col("etxm", "person_name", "faker-zh_CN", v.many(n, fake.name), grade=MINOR),
            Col("etcsrq", "birth_date", "synthetic", [f"{b:%Y%m%d}" for b in births], grade=MINOR),
            Col(
                "etsfzh",
                "id_card",
                "synthetic",
                v.holes(rng, [v.id_number(rng, b) for b in births], 0.3),
                grade=MINOR,
            ),
            Col(
                "jhrxm",
                "person_name",
                "guardian-jhr+faker-zh_CN",
                v.many(n, fake.name),
                grade=MINOR,
            ),
            Col(
                "jhrlxfs",
                "mobile_phone",
                "guardian-jhr+faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
                grade=MINOR,
            ),
            Col(
                "jtzz", "address", "synthetic", v.many(n, lambda: v.home_address(rng)), grade=MINOR
            ),
            Col("ymmc", "none", "synthetic", v.many(n, lambda: rng.choice(vaccines))),
            Col(
                "jzrq",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024-05-{rng.randrange(1, 31):02d}"),
            ),
            Col(
                "ymph",
                "none",
                "synthetic",
                v.many(n, lambda: f"{rng.randrange(2023, 2025)}{rng.randrange(10**6):06d}"),
                distractor=True,
            ),
        ],
    )


def vaccination_export() -> LabelledTable:
    rng, fake = v.seeded("vaccination_export")
    n = 150
    births = [v.child_birth(rng) for _ in range(n)]
    return LabelledTable(
        "vaccination_export",
        "L4",
        "an English camelCase export of a vaccination app (R4)",
        [
            Col(
                "childName",
                "person_name",
                "vaccination-en+faker-zh_CN",
                v.many(n, fake.name),
                grade=MINOR,
            ),
            Col(
                "childBirthday",
                "birth_date",
                "synthetic",
                [b.isoformat() for b in births],
                grade=MINOR,
            ),
            Col(
                "guardianName",
                "person_name",
                "vaccination-en+faker-zh_CN",
                v.many(n, fake.name),
                grade=MINOR,
            ),
            Col(
                "guardianPhone",
                "mobile_phone",
                "vaccination-en+faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
                grade=MINOR,
            ),
            Col(
                "homeAddress",
                "address",
                "synthetic",
                v.many(n, lambda: v.home_address(rng)),
                grade=MINOR,
            ),
            Col(
                "vaccineCode", "none", "synthetic", v.many(n, lambda: f"{rng.randrange(1, 60):02d}")
            ),
            Col("doseNo", "none", "synthetic", v.many(n, lambda: str(rng.randrange(1, 5)))),
        ],
    )


def contribution_records() -> LabelledTable:
    rng, fake = v.seeded("contribution_records")
    n = 200
    wages = [rng.randrange(3000, 30000) for _ in range(n)]
    return LabelledTable(
        "contribution_records",
        "L4",
        "social-insurance contributions under 人社 AAC/AAE headers: wages are personal finance",
        [
            Col("AAC003", "person_name", "rs-ac01+faker-zh_CN", v.many(n, fake.name)),
            Col(
                "AAC002",
                "id_card",
                "rs-ac01+faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=22, max_age=60)) for _ in range(n)],
            ),
            Col(
                "AAE005",
                "mobile_phone",
                "rs-userinfo+faker-zh_CN",
                v.holes(rng, [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)], 0.1),
            ),
            Col("AAE006", "address", "rs-ac01+synthetic", v.many(n, lambda: v.home_address(rng))),
            Col("AAB004", "none", "rs-userinfo+faker-zh_CN", v.many(n, fake.company)),
            Col("AAE003", "none", "rs-jfxx", v.many(n, lambda: f"2024{rng.randrange(1, 6):02d}")),
            Col(
                "AAE140",
                "none",
                "rs-jfxx",
                v.many(n, lambda: rng.choice(["110", "210", "310", "410"])),
            ),
            Col("AAC040", "personal_finance", "rs-jfxx+synthetic", [f"{w}.00" for w in wages]),
            Col(
                "AAE180",
                "personal_finance",
                "rs-jfxx+synthetic",
                [f"{max(w, 4462)}" for w in wages],
            ),
            Col(
                "AAE082",
                "personal_finance",
                "rs-jfxx+synthetic",
                [f"{max(w, 4462) * 0.08:.2f}" for w in wages],
            ),
        ],
    )


def loan_records() -> LabelledTable:
    rng, fake = v.seeded("loan_records")
    n = 160
    return LabelledTable(
        "loan_records",
        "L4",
        "mortgage loans of natural persons under pinyin-initial headers",
        [
            Col(
                "htbh", "none", "synthetic", [f"DK{2024}{i:08d}" for i in range(n)], distractor=True
            ),
            Col("jkrxm", "person_name", "loan-jkr+faker-zh_CN", v.many(n, fake.name)),
            Col(
                "jkrsfzh",
                "id_card",
                "loan-jkr+faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=25, max_age=65)) for _ in range(n)],
            ),
            Col(
                "jkrsjh", "mobile_phone", "loan-jkr+faker-zh_CN", [v.mobile(fake) for _ in range(n)]
            ),
            Col(
                "fwzl", "address", "bdc-fdcq+synthetic", v.many(n, lambda: v.property_address(rng))
            ),
            Col(
                "jkje",
                "personal_finance",
                "loan-jkr+synthetic",
                v.many(n, lambda: v.amount(rng, 1e5, 3e6)),
            ),
            Col(
                "dkye", "personal_finance", "synthetic", v.many(n, lambda: v.amount(rng, 5e4, 2e6))
            ),
            Col("dkqx", "none", "synthetic", v.many(n, lambda: str(rng.choice((120, 240, 360))))),
        ],
    )


def inpatient_first_page() -> LabelledTable:
    rng, fake = v.seeded("inpatient_first_page")
    n = 160
    diagnoses = [
        "肺炎",
        "急性阑尾炎",
        "脑出血",
        "2型糖尿病伴并发症",
        "股骨颈骨折",
        "慢性阻塞性肺病",
    ]
    births = [v.adult_birth(rng) for _ in range(n)]
    return LabelledTable(
        "inpatient_first_page",
        "L4",
        "住院病案首页 (WS 445 data elements, his schema names)",
        [
            Col(
                "BAH",
                "none",
                "his-basy",
                [f"{rng.randrange(10**6):06d}" for _ in range(n)],
                distractor=True,
            ),
            Col("BRXM", "person_name", "his-basy+faker-zh_CN", v.many(n, fake.name)),
            Col("CSRQ", "birth_date", "his-basy+synthetic", [f"{b:%Y/%m/%d}" for b in births]),
            Col(
                "SFZJHM",
                "id_card",
                "his-basy+synthetic",
                [v.messy_id(rng, v.id_number(rng, b)) for b in births],
            ),
            Col("XZZ", "address", "his-basy+synthetic", v.many(n, lambda: v.home_address(rng))),
            Col(
                "DH",
                "mobile_phone",
                "his-basy+faker-zh_CN",
                v.holes(rng, [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)], 0.15),
            ),
            Col("HKDZ", "address", "his-basy+synthetic", v.many(n, lambda: v.home_address(rng))),
            Col("MJZZD", "health", "his-basy+synthetic", v.many(n, lambda: rng.choice(diagnoses))),
            Col(
                "RYRQ",
                "none",
                "his-basy",
                v.many(n, lambda: f"2024-05-{rng.randrange(1, 31):02d} 08:00"),
            ),
        ],
    )


def student_contacts() -> LabelledTable:
    rng, fake = v.seeded("student_contacts")
    n = 150
    return LabelledTable(
        "student_contacts",
        "L3",
        "university students (adults) and emergency contacts, Chinese headers with qualifiers",
        [
            Col("学号", "none", "synthetic", [f"2021{i:06d}" for i in range(n)], distractor=True),
            Col("学生姓名", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "证件号码（18位）",
                "id_card",
                "synthetic",
                [
                    v.id_number(rng, v.birth(rng, dt.date(2001, 1, 1), dt.date(2005, 12, 31)))
                    for _ in range(n)
                ],
            ),
            Col("紧急联系人", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "紧急联系人电话/手机",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col("家庭住址(详细)", "address", "synthetic", v.many(n, lambda: v.home_address(rng))),
            Col(
                "院系",
                "none",
                "synthetic",
                v.many(n, lambda: rng.choice(["法学院", "医学院", "理学院"])),
            ),
        ],
    )


def property_owners() -> LabelledTable:
    rng, fake = v.seeded("property_owners")
    n = 150
    return LabelledTable(
        "property_owners",
        "L4",
        "snake_case export of a title register: owners' titles (L4)",
        [
            Col("owner_name", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "owner_id_no",
                "id_card",
                "faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=25, max_age=80)) for _ in range(n)],
            ),
            Col("owner_mobile", "mobile_phone", "faker-zh_CN", [v.mobile(fake) for _ in range(n)]),
            Col(
                "property_address",
                "address",
                "bdc-fdcq+synthetic",
                v.many(n, lambda: v.property_address(rng)),
            ),
            Col(
                "cert_no",
                "property_cert",
                "bdc-fdcq+synthetic",
                v.many(n, lambda: v.property_cert(rng)),
            ),
            Col("area_m2", "none", "synthetic", v.many(n, lambda: f"{rng.uniform(40, 220):.2f}")),
        ],
    )


def hotel_guests() -> LabelledTable:
    rng, fake = v.seeded("hotel_guests")
    n = 180
    ids = [*PUBLIC_ID_NUMBERS, *(fake.ssn(min_age=18, max_age=75) for _ in range(n - 2))]
    return LabelledTable(
        "hotel_guests",
        "L3",
        "旅馆业 guest registrations (public-security reporting)",
        [
            Col("旅客姓名", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col("证件类型", "none", "synthetic", ["居民身份证"] * n),
            Col(
                "证件号码", "id_card", "id-validator+faker-zh_CN", [v.messy_id(rng, i) for i in ids]
            ),
            Col(
                "手机号码/联系电话",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col("户籍地址（详细）", "address", "synthetic", v.many(n, lambda: v.home_address(rng))),
            Col(
                "入住时间",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024-05-31 {rng.randrange(24):02d}:{rng.randrange(60):02d}"),
            ),
            Col(
                "房号",
                "none",
                "synthetic",
                v.many(n, lambda: f"{rng.randrange(2, 20)}{rng.randrange(1, 40):02d}"),
            ),
        ],
    )


def vehicle_owners() -> LabelledTable:
    rng, fake = v.seeded("vehicle_owners")
    n = 150
    vin = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    return LabelledTable(
        "vehicle_owners",
        "L3",
        "motor-vehicle owners: 车主 and 驾驶人 compound pinyin headers",
        [
            Col("hpzl", "none", "synthetic", v.many(n, lambda: rng.choice(["02", "52"]))),
            Col("号牌号码", "license_plate", "synthetic", v.many(n, lambda: v.plate(rng))),
            Col("czxm", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "czsfzh",
                "id_card",
                "faker-zh_CN",
                [fake.ssn(min_age=20, max_age=75) for _ in range(n)],
            ),
            Col(
                "jsrsj",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col("czzz", "address", "synthetic", v.many(n, lambda: v.home_address(rng))),
            Col(
                "clsbdh",
                "none",
                "synthetic",
                v.many(n, lambda: "L" + "".join(rng.choice(vin) for _ in range(16))),
                distractor=True,
            ),
        ],
    )


def applicants() -> LabelledTable:
    rng, fake = v.seeded("applicants")
    n = 160
    return LabelledTable(
        "applicants",
        "L3",
        "camelCase export of an online service: applicants and contacts",
        [
            Col(
                "applyNo",
                "none",
                "synthetic",
                [f"SQ2024{i:010d}" for i in range(n)],
                distractor=True,
            ),
            Col("applicantName", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "applicantIdNo",
                "id_card",
                "faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=18, max_age=80)) for _ in range(n)],
            ),
            Col("contactName", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "contactMobile",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col("contactEmail", "email", "faker-zh_CN", v.many(n, fake.free_email)),
            Col(
                "itemName",
                "none",
                "synthetic",
                v.many(n, lambda: rng.choice(["居住证办理", "公积金提取", "社保转移"])),
            ),
        ],
    )


def borrowers() -> LabelledTable:
    rng, fake = v.seeded("borrowers")
    n = 150
    return LabelledTable(
        "borrowers",
        "L4",
        "snake_case loan export: borrowers, their cards and loans",
        [
            Col(
                "loan_id",
                "none",
                "synthetic",
                [f"{rng.randrange(10**15, 10**16)}" for _ in range(n)],
                distractor=True,
            ),
            Col("borrower_name", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "borrower_id_no",
                "id_card",
                "faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=22, max_age=65)) for _ in range(n)],
            ),
            Col(
                "borrower_phone", "mobile_phone", "faker-zh_CN", [v.mobile(fake) for _ in range(n)]
            ),
            Col("repay_card_no", "bank_card", "synthetic", v.many(n, lambda: v.bank_card(rng))),
            Col(
                "collateral_address",
                "address",
                "synthetic",
                v.many(n, lambda: v.property_address(rng)),
            ),
            Col(
                "loan_amount",
                "personal_finance",
                "synthetic",
                v.many(n, lambda: v.amount(rng, 1e4, 5e5)),
            ),
            Col("loan_term", "none", "synthetic", v.many(n, lambda: str(rng.choice((12, 24, 36))))),
        ],
    )


def student_health_check() -> LabelledTable:
    rng, fake = v.seeded("student_health_check")
    n = 160
    births = [v.child_birth(rng) for _ in range(n)]
    return LabelledTable(
        "student_health_check",
        "L4",
        "primary-school health checks (children under 14, R4)",
        [
            Col(
                "xxmc",
                "none",
                "synthetic",
                v.many(n, lambda: rng.choice(["实验小学", "育才小学", "城南小学"])),
            ),
            Col("xsxm", "person_name", "faker-zh_CN", v.many(n, fake.name), grade=MINOR),
            Col("xb", "gender", "synthetic", v.many(n, lambda: rng.choice("男女")), grade=MINOR),
            Col(
                "csrq",
                "birth_date",
                "synthetic",
                [f"{b.year}.{b.month}.{b.day}" for b in births],
                grade=MINOR,
            ),
            Col("sg", "none", "synthetic", v.many(n, lambda: f"{rng.uniform(100, 160):.1f}")),
            Col(
                "jhrdh",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
                grade=MINOR,
            ),
        ],
    )


def outpatients() -> LabelledTable:
    rng, fake = v.seeded("outpatients")
    n = 160
    diagnoses = ["上呼吸道感染", "高血压病", "腰肌劳损", "湿疹", "胃食管反流病", "偏头痛", "痛风"]
    return LabelledTable(
        "outpatients",
        "L4",
        "outpatient visits with Chinese headers in brackets",
        [
            Col("患者姓名", "person_name", "faker-zh_CN", v.holes(rng, v.many(n, fake.name), 0.05)),
            Col(
                "身份证号（18位）",
                "id_card",
                "faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=18, max_age=90)) for _ in range(n)],
            ),
            Col(
                "联系电话/手机",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col("居住地址(详细)", "address", "synthetic", v.many(n, lambda: v.home_address(rng))),
            Col("诊断名称", "health", "synthetic", v.many(n, lambda: rng.choice(diagnoses))),
            Col(
                "就诊科室",
                "none",
                "synthetic",
                v.many(n, lambda: rng.choice(["内科", "皮肤科", "神经内科"])),
            ),
        ],
    )


def relief_applicants() -> LabelledTable:
    rng, fake = v.seeded("relief_applicants", "zh_TW")
    n = 150
    return LabelledTable(
        "relief_applicants",
        "L4",
        "relief applicants: traditional-character names and addresses, amounts received",
        [
            Col("sqrxm", "person_name", "faker-zh_TW", v.many(n, fake.name)),
            Col(
                "sqrsfzh",
                "id_card",
                "synthetic",
                [v.messy_id(rng, v.id_number(rng, v.adult_birth(rng))) for _ in range(n)],
            ),
            Col("sqrdz", "address", "faker-zh_TW", v.many(n, fake.address)),
            Col(
                "jzje",
                "personal_finance",
                "synthetic",
                v.many(n, lambda: f"{rng.randrange(300, 2000)}"),
            ),
            Col(
                "jzlb", "none", "synthetic", v.many(n, lambda: rng.choice(["临时救助", "医疗救助"]))
            ),
        ],
    )


def web_accounts() -> LabelledTable:
    rng, fake = v.seeded("web_accounts")
    n = 150
    return LabelledTable(
        "web_accounts",
        "L4",
        "portal accounts: e-mail, login IP and password hashes",
        [
            Col("user_email", "email", "faker-zh_CN", v.many(n, fake.company_email)),
            Col("login_ip", "ip_address", "faker-zh_CN", v.many(n, fake.ipv4_public)),
            Col(
                "pwd_hash",
                "credential",
                "synthetic",
                v.many(n, lambda: hashlib.md5(str(rng.random()).encode()).hexdigest()),
            ),
            Col(
                "last_login",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024-05-{rng.randrange(1, 31):02d}T10:00:00"),
            ),
        ],
    )


def elderly_care() -> LabelledTable:
    rng, fake = v.seeded("elderly_care")
    n = 150
    conditions = ["失能", "半失能", "阿尔茨海默病", "高血压", "糖尿病", "脑卒中后遗症"]
    return LabelledTable(
        "elderly_care",
        "L4",
        "home-care register of older persons with health conditions",
        [
            Col("lrxm", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "lrsfzh",
                "id_card",
                "faker-zh_CN",
                [v.messy_id(rng, fake.ssn(min_age=60, max_age=95)) for _ in range(n)],
            ),
            Col("jzdz", "address", "synthetic", v.many(n, lambda: v.home_address(rng))),
            Col("jkzk", "health", "synthetic", v.many(n, lambda: rng.choice(conditions))),
            Col(
                "jjlxrdh",
                "mobile_phone",
                "faker-zh_CN",
                [v.messy_mobile(rng, v.mobile(fake)) for _ in range(n)],
            ),
            Col(
                "fwlx", "none", "synthetic", v.many(n, lambda: rng.choice(["助餐", "助浴", "助医"]))
            ),
        ],
    )


def traffic_drivers() -> LabelledTable:
    rng, fake = v.seeded("traffic_drivers")
    n = 150
    return LabelledTable(
        "traffic_drivers",
        "L3",
        "traffic violations: drivers (驾驶证号 is the ID number)",
        [
            Col(
                "jdsbh",
                "none",
                "synthetic",
                [f"3301{rng.randrange(10**11):011d}" for _ in range(n)],
                distractor=True,
            ),
            Col("jsrxm", "person_name", "faker-zh_CN", v.many(n, fake.name)),
            Col(
                "jszh",
                "id_card",
                "faker-zh_CN",
                [fake.ssn(min_age=20, max_age=70) for _ in range(n)],
            ),
            Col("jsrsj", "mobile_phone", "faker-zh_CN", [v.mobile(fake) for _ in range(n)]),
            Col("hphm", "license_plate", "synthetic", v.many(n, lambda: v.plate(rng))),
            Col(
                "wfxw", "none", "synthetic", v.many(n, lambda: rng.choice(["1625", "1345", "1039"]))
            ),
        ],
    )


def person_tables() -> list[LabelledTable]:
    """Every person-level table of the frozen part."""
    return [
        vaccination_register(),
        vaccination_export(),
        contribution_records(),
        loan_records(),
        inpatient_first_page(),
        student_contacts(),
        property_owners(),
        hotel_guests(),
        vehicle_owners(),
        applicants(),
        borrowers(),
        student_health_check(),
        outpatients(),
        relief_applicants(),
        web_accounts(),
        elderly_care(),
        traffic_drivers(),
    ]
