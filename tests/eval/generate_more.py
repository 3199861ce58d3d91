"""Corpus tables of sensitive categories: health, positions, accounts, documents, free text."""

from __future__ import annotations

import hashlib

from tests.eval import makers as mk
from tests.eval.corpus import LabelledColumn, LabelledTable
from tests.eval.makers import many, seeded

Col = LabelledColumn


def clinic() -> LabelledTable:
    rng, fake = seeded("clinic")
    n = 300
    return LabelledTable(
        "clinic",
        "L4",
        "patient-level diagnoses",
        [
            Col("jzlsh", "none", "synthetic", [f"20240601{i:06d}" for i in range(n)], True),
            Col("hzxm", "person_name", "faker", many(n, fake.name)),
            Col(
                "sfzh",
                "id_card",
                "synthetic",
                many(n, lambda: mk.id_number(rng, mk.birth_date(rng))),
            ),
            Col("ksmc", "none", "synthetic", many(n, lambda: rng.choice(["内科", "外科", "眼科"]))),
            Col("zdmc", "health", "synthetic", many(n, lambda: rng.choice(mk.DIAGNOSES))),
            Col("zddm", "health", "synthetic", many(n, lambda: rng.choice(mk.ICD10))),
            Col(
                "fy",
                "personal_finance",
                "synthetic",
                many(n, lambda: f"{rng.uniform(10, 900):.2f}"),
            ),
        ],
    )


def vehicles() -> LabelledTable:
    rng, _ = seeded("vehicles")
    plates = [mk.plate(rng) for _ in range(40)]
    n = 400
    return LabelledTable(
        "vehicles",
        "L4",
        "per-vehicle location series (行踪轨迹)",
        [
            Col(
                "hphm",
                "license_plate",
                "synthetic",
                [plates[i % 40] for i in range(n)],
                grade="L4",
            ),
            Col(
                "jd",
                "geo_coordinate",
                "synthetic",
                many(n, lambda: f"{rng.uniform(114.1, 114.6):.6f}"),
                grade="L4",
            ),
            Col(
                "wd",
                "geo_coordinate",
                "synthetic",
                many(n, lambda: f"{rng.uniform(30.4, 30.8):.6f}"),
                grade="L4",
            ),
            Col("sd", "none", "synthetic", many(n, lambda: f"{rng.uniform(0, 80):.1f}")),
            Col(
                "dwsj",
                "none",
                "synthetic",
                [f"2024-06-01T{6 + i // 60:02d}:{i % 60:02d}:00" for i in range(n)],
            ),
        ],
    )


def web_access() -> LabelledTable:
    rng, fake = seeded("web_access")
    n = 300
    return LabelledTable(
        "web_access",
        "L3",
        "IP and email of users",
        [
            Col(
                "client_ip",
                "ip_address",
                "faker",
                many(n, lambda: fake.ipv6() if rng.random() < 0.2 else fake.ipv4()),
            ),
            Col("email", "email", "faker", many(n, fake.email)),
            Col("url", "none", "faker", many(n, fake.uri)),
            Col("ua", "none", "faker", many(n, fake.user_agent)),
            Col(
                "lxqq",
                "online_account",
                "synthetic",
                many(n, lambda: str(rng.randint(10**5, 10**10))),
            ),
            Col(
                "wxh",
                "online_account",
                "faker",
                many(n, lambda: f"{fake.user_name()}{rng.randint(10, 99)}"),
            ),
        ],
    )


def bank_accounts() -> LabelledTable:
    rng, fake = seeded("bank_accounts")
    n = 300
    return LabelledTable(
        "bank_accounts",
        "L4",
        "bank card numbers and payments received (L4)",
        [
            Col("xm", "person_name", "faker", many(n, fake.name)),
            Col("yhkh", "bank_card", "synthetic", many(n, lambda: mk.bank_card(rng))),
            Col(
                "sfzh",
                "id_card",
                "synthetic",
                many(n, lambda: mk.id_number(rng, mk.birth_date(rng))),
            ),
            # 发放金额: a payment each person received (GB/T 35273 个人财产信息)
            Col(
                "ffje",
                "personal_finance",
                "synthetic",
                many(n, lambda: f"{rng.randrange(200, 3000)}.00"),
            ),
        ],
    )


def documents() -> list[LabelledTable]:
    rng, fake = seeded("documents")
    n = 200
    passports = many(n, lambda: rng.choice("EG") + f"{rng.randrange(10**8):08d}")
    return [
        LabelledTable(
            "property",
            "L4",
            "real-estate titles of natural persons",
            [
                Col("姓名", "person_name", "faker", many(n, fake.name)),
                Col("bdcqzh", "property_cert", "synthetic", many(n, lambda: mk.property_cert(rng))),
                Col("地址", "address", "faker", many(n, fake.address)),
            ],
        ),
        LabelledTable(
            "social_insurance",
            "L3",
            "social-security numbers are ID numbers or local insurance numbers",
            [
                Col("xm", "person_name", "faker", many(n, fake.name)),
                Col(
                    "shbzh",
                    "social_security",
                    "synthetic",
                    many(n, lambda: mk.id_number(rng, mk.birth_date(rng))),
                ),
                Col(
                    "ybkh",
                    "social_security",
                    "synthetic",
                    many(n, lambda: f"YB{rng.randrange(10**12):012d}"),
                ),
                Col(
                    "cbzt",
                    "none",
                    "synthetic",
                    many(n, lambda: rng.choice(["参保缴费", "暂停缴费"])),
                ),
            ],
        ),
        LabelledTable(
            "travellers",
            "L3",
            "passport numbers",
            [
                Col("xm", "person_name", "faker", many(n, fake.name)),
                Col("hzhm", "passport", "synthetic", passports),
                Col(
                    "gj", "none", "synthetic", many(n, lambda: rng.choice(["中国", "美国", "日本"]))
                ),
            ],
        ),
    ]


def surveys() -> list[LabelledTable]:
    rng, fake = seeded("surveys")
    n = 200
    xb = many(n, lambda: rng.choice("男女"))
    nl = many(n, lambda: rng.choice(["20-29", "30-39", "40-49", "50-59"]))
    religions = ["无宗教信仰", "佛教", "道教", "伊斯兰教", "基督教", "天主教"]
    return [
        LabelledTable(
            "religion_survey",
            "L4",
            "religion (L4) linked through quasi-identifiers (R3)",
            [
                Col("xb", "gender", "synthetic", xb),
                Col("nl", "none", "synthetic", nl),
                Col("mz", "ethnicity", "synthetic", many(n, lambda: mk.ethnicity(rng))),
                Col("zjxy", "religion", "synthetic", many(n, lambda: rng.choice(religions))),
            ],
        ),
        LabelledTable(
            "quasi_identifiers",
            "L3",
            "R2: gender, age band, district, occupation without a direct identifier",
            [
                Col("xb", "gender", "synthetic", xb),
                Col("nl", "none", "synthetic", nl),
                Col("qx", "none", "faker", many(n, lambda: fake.district() + "区")),
                Col("zy", "none", "faker", many(n, fake.job)),
            ],
        ),
        LabelledTable(
            "statistics",
            "L2",
            "aggregates without persons: ordinary data",
            [
                Col(
                    "tjyf", "none", "synthetic", many(n, lambda: f"2024-{rng.randrange(1, 13):02d}")
                ),
                Col("rs", "none", "synthetic", many(n, lambda: str(rng.randrange(10, 9000)))),
                Col("je", "none", "synthetic", many(n, lambda: f"{rng.uniform(1, 1e6):.2f}")),
            ],
        ),
    ]


def free_text() -> list[LabelledTable]:
    rng, fake = seeded("free_text")
    n = 2000
    words = ["已核实", "材料齐全", "同意办理", "待补充材料", "按规定发放", "本人到场", "代办"]
    remarks = many(n, lambda: f"{rng.choice(words)}，{rng.choice(words)}")
    for i in rng.sample(range(n), 10):
        remarks[i] = f"申请人电话{fake.phone_number()}，{rng.choice(words)}"
    crimes = ["盗窃", "诈骗", "寻衅滋事", "故意伤害", "赌博"]

    def case() -> str:
        year, days = rng.randrange(2015, 2024), rng.randrange(3, 15)
        return f"{year}年嫌疑人因涉嫌{rng.choice(crimes)}被行政拘留{days}日"

    cases = many(200, case)
    return [
        LabelledTable(
            "remarks",
            "L3",
            "10 phone numbers hidden in 2,000 remarks",
            [
                Col("bz", "mobile_phone", "faker", remarks),
                Col(
                    "sxmc",
                    "none",
                    "synthetic",
                    many(n, lambda: rng.choice(["最低生活保障", "临时救助"])),
                ),
            ],
        ),
        LabelledTable(
            "case_narratives",
            "L4",
            "case narratives (简要案情)",
            [
                Col("ajbh", "none", "synthetic", [f"A42010{i:08d}" for i in range(200)]),
                Col("jyaq", "criminal_record", "synthetic", cases),
            ],
        ),
    ]


def secrets_and_biometrics() -> list[LabelledTable]:
    rng, fake = seeded("secrets")
    n = 60
    return [
        LabelledTable(
            "photos",
            "L4",
            "face photographs and embeddings",
            [
                Col("xm", "person_name", "faker", many(n, fake.name)),
                Col("zp", "biometric", "synthetic", many(n, lambda: mk.jpeg_base64(rng))),
                Col("rltz", "biometric", "synthetic", many(n, lambda: mk.feature_vector(rng))),
            ],
        ),
        LabelledTable(
            "accounts",
            "L4",
            "credentials never leave the restricted zone",
            [
                Col("username", "none", "faker", many(n, fake.user_name)),
                Col(
                    "password",
                    "credential",
                    "synthetic",
                    many(
                        n,
                        lambda: (
                            "$2b$12$" + hashlib.sha256(str(rng.random()).encode()).hexdigest()[:53]
                        ),
                    ),
                ),
                Col(
                    "token",
                    "credential",
                    "synthetic",
                    many(n, lambda: hashlib.sha256(str(rng.random()).encode()).hexdigest()),
                ),
                Col("email", "email", "faker", many(n, fake.email)),
            ],
        ),
    ]


def sensitive_tables() -> list[LabelledTable]:
    """Tables of the sensitive categories."""
    return [
        clinic(),
        vehicles(),
        web_access(),
        bank_accounts(),
        *documents(),
        *surveys(),
        *free_text(),
        *secrets_and_biometrics(),
    ]
