"""Build the labelled evaluation corpus (deterministic): ``python -m tests.eval.generate``.

Public test vectors (python-stdnum, hutool, libphonenumber), Faker zh_CN columns with real
region codes, and distractors. Writes ``tests/eval/corpus.json``.
"""

from __future__ import annotations

import phonenumbers

from tests.eval import makers as mk
from tests.eval.corpus import CORPUS, LabelledColumn, LabelledTable, dump
from tests.eval.distractors import distractor_tables
from tests.eval.generate_more import sensitive_tables
from tests.eval.makers import many, seeded
from tests.eval.vectors import HUTOOL_ID_VALID, STDNUM_RIC_VALID, STDNUM_USCC

Col = LabelledColumn


def libphonenumber_examples() -> tuple[list[str], list[str]]:
    """libphonenumber's example numbers for CN (its PhoneNumberMetadata), in common layouts."""
    mobile = phonenumbers.example_number_for_type("CN", phonenumbers.PhoneNumberType.MOBILE)
    fixed = phonenumbers.example_number_for_type("CN", phonenumbers.PhoneNumberType.FIXED_LINE)
    layouts = (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.E164)
    return (
        [phonenumbers.format_number(mobile, f) for f in layouts],
        [phonenumbers.format_number(fixed, f) for f in layouts],
    )


def public_vector_tables() -> list[LabelledTable]:
    rng, fake = seeded("vectors")
    usccs = list(STDNUM_USCC)
    shuffled = usccs[:]
    rng.shuffle(shuffled)
    ids = [*STDNUM_RIC_VALID, *HUTOOL_ID_VALID]
    mobiles, fixed = libphonenumber_examples()
    n = 120
    return [
        LabelledTable(
            "uscc_stdnum",
            "L1",
            "public registration items: codes and company names",
            [
                Col("tyshxydm", "uscc", "stdnum", usccs),
                Col("code", "uscc", "stdnum", shuffled),
                Col("qymc", "none", "faker", many(len(usccs), fake.company), grade="L1"),
            ],
        ),
        LabelledTable(
            "ric_vectors",
            "L4",
            "R4: 44011320141005001x was born in 2014",
            [
                Col("sfzh", "id_card", "stdnum+hutool", ids, grade="L4"),
                Col("col_a", "id_card", "stdnum+hutool", ids[::-1], grade="L4"),
                Col("xm", "person_name", "faker", many(len(ids), fake.name), grade="L4"),
            ],
        ),
        LabelledTable(
            "libphonenumber_cn",
            "L3",
            "mobile and fixed-line numbers of persons",
            [
                Col(
                    "sjhm",
                    "mobile_phone",
                    "libphonenumber+faker",
                    [*mobiles, *many(n - len(mobiles), fake.phone_number)],
                ),
                Col(
                    "gddh",
                    "landline_phone",
                    "libphonenumber+synthetic",
                    [*fixed, *many(n - len(fixed), lambda: mk.landline(rng))],
                ),
                Col("xm", "person_name", "faker", many(n, fake.name)),
            ],
        ),
    ]


def population(name: str, *, children: bool) -> LabelledTable:
    rng, fake = seeded(name)
    n = 300
    births = [
        mk.birth_date(rng, 2012, 2023) if children and i % 5 == 0 else mk.birth_date(rng)
        for i in range(n)
    ]
    males = [rng.random() < 0.5 for _ in range(n)]
    if children:
        csrq = [f"{b.year}年{b.month}月{b.day}日" for b in births]
        xb = ["1" if m else "2" for m in males]
    else:
        csrq = [b.isoformat() for b in births]
        xb = ["男" if m else "女" for m in males]
    personal = "L4" if children else None  # R4 lifts every personal column
    return LabelledTable(
        name,
        "L4" if children else "L3",
        "R4: children under 14" if children else "direct identifiers, adults only",
        [
            Col("xm", "person_name", "faker", many(n, fake.name), grade=personal),
            Col(
                "gmsfhm",
                "id_card",
                "synthetic",
                [mk.id_number(rng, b, male=m) for b, m in zip(births, males, strict=True)],
                grade=personal,
            ),
            Col("xb", "gender", "synthetic", xb, grade=personal),
            Col(
                "mz",
                "ethnicity",
                "synthetic",
                many(n, lambda: mk.ethnicity(rng, code=children)),
                grade=personal,
            ),
            Col("csrq", "birth_date", "synthetic", csrq, grade=personal),
            Col("hjdz", "address", "faker", many(n, fake.address), grade=personal),
            Col("lxdh", "mobile_phone", "faker", many(n, fake.phone_number), grade=personal),
            Col("email", "email", "faker", many(n, fake.email), grade=personal),
            Col("djrq", "none", "synthetic", ["2024-06-01"] * n),
        ],
    )


def organisation_tables() -> list[LabelledTable]:
    rng, fake = seeded("enterprise")
    n = 300
    usccs = many(n, lambda: mk.make_uscc(rng))
    return [
        LabelledTable(
            "enterprise",
            "L1",
            "registration items are public (L1): legal representative, registered address,"
            " office number, name and capital",
            [
                Col("tyshxydm", "uscc", "synthetic", usccs),
                Col("zzjgdm", "org_code", "synthetic", [f"{u[8:16]}-{u[16]}" for u in usccs]),
                Col("qymc", "none", "faker", many(n, fake.company), grade="L1"),
                Col("fddbr", "person_name", "faker", many(n, fake.name), grade="L1"),
                Col("zcdz", "address", "faker", many(n, fake.address), grade="L1"),
                Col(
                    "bgdh",
                    "landline_phone",
                    "synthetic",
                    many(n, lambda: mk.landline(rng)),
                    grade="L1",
                ),
                Col(
                    "zczb",
                    "none",
                    "synthetic",
                    many(n, lambda: str(rng.randrange(10, 5000))),
                    grade="L1",
                ),
            ],
        ),
        LabelledTable(
            "enterprise_public",
            "L1",
            "only public registration items: code, legal representative, registered address",
            [
                Col("统一社会信用代码", "uscc", "synthetic", usccs[::-1]),
                Col("法定代表人", "person_name", "faker", many(n, fake.name), grade="L1"),
                Col("住所", "address", "faker", many(n, fake.address), grade="L1"),
            ],
        ),
    ]


def messy_people() -> LabelledTable:
    """Chinese headers, unnamed columns, nulls, typos and mixed layouts, as deliveries are."""
    rng, fake = seeded("messy_people")
    n = 400

    def holes(values: list[str | None], share: float = 0.1) -> list[str | None]:
        return [None if rng.random() < share else v for v in values]

    def typo(value: str) -> str:
        return value[:-1] + str((int(value[-1]) + 1) % 10) if value[-1].isdigit() else value[:-1]

    ids = [mk.id_number(rng, mk.birth_date(rng, 1950, 2000)) for _ in range(n)]
    ids = [typo(v) if rng.random() < 0.03 else v.lower() if rng.random() < 0.2 else v for v in ids]
    phones = [fake.phone_number() for _ in range(n)]
    layouts = [
        lambda p: p,
        lambda p: f"+86 {p[:3]}-{p[3:7]}-{p[7:]}",
        lambda p: f"{p[:3]} {p[3:7]} {p[7:]}",
    ]
    phones = [rng.choice(layouts)(p) for p in phones]
    names = [
        rng.choice(["阿依古丽·买买提", "热依拉·阿不都", "司马相如", "欧阳娜娜"])
        if rng.random() < 0.05
        else fake.name()
        for _ in range(n)
    ]
    return LabelledTable(
        "messy_people",
        "L3",
        "adults; Chinese headers, unnamed identifier columns, nulls and typos",
        [
            Col("姓名", "person_name", "faker", holes(names)),
            Col("身份证号码", "id_card", "synthetic", holes(ids, 0.05)),
            Col("联系电话", "mobile_phone", "faker", holes(phones)),
            Col("家庭住址", "address", "faker", holes(many(n, fake.address))),
            Col("c5", "email", "faker", holes(many(n, fake.email), 0.3)),
            Col("c6", "license_plate", "synthetic", many(n, lambda: mk.plate(rng))),
            Col("c7", "ip_address", "faker", many(n, fake.ipv4)),
            Col("c8", "id_card", "synthetic", holes(ids[::-1], 0.5)),
            Col("登记日期", "none", "synthetic", ["2024-06-01"] * n),
        ],
    )


def build() -> list[LabelledTable]:
    """Every table of the corpus."""
    return [
        *public_vector_tables(),
        population("population_adults", children=False),
        population("population_with_children", children=True),
        messy_people(),
        *organisation_tables(),
        *sensitive_tables(),
        *distractor_tables(),
    ]


if __name__ == "__main__":
    CORPUS.write_text(dump(build()), encoding="utf-8")
