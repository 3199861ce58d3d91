"""Frozen tables without a natural person, registration tables, mixed columns and distractors.

Grades follow classification.md §1 and issue #11: a facility's coordinates, address and
switchboard are L1; every item of an enterprise registration or a 双公示 disclosure is L1 (the
legal representative included); a column no category claims is L2 elsewhere.
"""

from __future__ import annotations

import datetime as dt

from tests.eval.corpus import LabelledColumn, LabelledTable
from tests.eval.frozen import values as v
from tests.eval.frozen.sources import air_sites, hospitals

Col = LabelledColumn
PUBLIC = "L1"


def _distractor(name: str, values: list[str | None], source: str = "synthetic") -> LabelledColumn:
    return LabelledColumn(name, "none", source, values, distractor=True)


def air_quality_sites() -> LabelledTable:
    rng, _ = v.seeded("air_quality_sites")
    sites = air_sites()
    return LabelledTable(
        "air_quality_sites",
        "L2",
        "national air-quality monitoring sites with hourly readings (no person)",
        [
            _distractor("监测点编码", [s[0] for s in sites], "cnemc-sites"),
            Col("监测点名称", "none", "cnemc-sites", [s[1] for s in sites]),
            Col("城市", "none", "cnemc-sites", [s[2] for s in sites]),
            Col("经度", "geo_coordinate", "cnemc-sites", [s[3] for s in sites], grade=PUBLIC),
            Col("纬度", "geo_coordinate", "cnemc-sites", [s[4] for s in sites], grade=PUBLIC),
            Col("AQI", "none", "synthetic", [str(rng.randrange(20, 180)) for _ in sites]),
        ],
    )


def hospital_directory() -> LabelledTable:
    rows = hospitals()
    return LabelledTable(
        "hospital_directory",
        "L1",
        "published hospital directory: addresses and switchboards of institutions",
        [
            Col("医疗机构名称", "none", "hz-hospitals", [r[0] for r in rows], grade=PUBLIC),
            Col("机构地址", "address", "hz-hospitals", [r[1] for r in rows], grade=PUBLIC),
            Col("联系电话", "landline_phone", "hz-hospitals", [r[2] for r in rows], grade=PUBLIC),
        ],
    )


def water_sections() -> LabelledTable:
    rng, _ = v.seeded("water_sections")
    n = 120
    rivers = ["钱塘江", "富春江", "运河", "苕溪", "浦阳江", "曹娥江"]
    return LabelledTable(
        "water_sections",
        "L2",
        "surface-water monitoring sections: jd/wd are coordinates here, not 街道",
        [
            _distractor("dmbm", [f"33{rng.randrange(10**6):06d}" for _ in range(n)]),
            Col("dmmc", "none", "synthetic", v.many(n, lambda: rng.choice(rivers) + "断面")),
            Col(
                "jd",
                "geo_coordinate",
                "synthetic",
                v.many(n, lambda: f"{rng.uniform(119.5, 120.9):.6f}"),
                grade=PUBLIC,
            ),
            Col(
                "wd",
                "geo_coordinate",
                "synthetic",
                v.many(n, lambda: f"{rng.uniform(29.2, 30.6):.6f}"),
                grade=PUBLIC,
            ),
            Col("szlb", "none", "synthetic", v.many(n, lambda: rng.choice(["II", "III", "IV"]))),
            Col(
                "jcsj",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024-05-{rng.randrange(1, 31):02d}"),
            ),
        ],
    )


def bus_stops() -> LabelledTable:
    rng, _ = v.seeded("bus_stops")
    n = 150
    return LabelledTable(
        "bus_stops",
        "L2",
        "bus stops with precise positions (facilities) and stop codes",
        [
            _distractor("zdbm", [f"{rng.randrange(10**7, 10**8)}" for _ in range(n)]),
            Col("zdmc", "none", "synthetic", v.many(n, lambda: rng.choice(v.ROADS) + "站")),
            Col("xlmc", "none", "synthetic", v.many(n, lambda: f"{rng.randrange(1, 400)}路")),
            Col(
                "lng",
                "geo_coordinate",
                "synthetic",
                v.many(n, lambda: f"{rng.uniform(120.0, 120.4):.6f}"),
                grade=PUBLIC,
            ),
            Col(
                "lat",
                "geo_coordinate",
                "synthetic",
                v.many(n, lambda: f"{rng.uniform(30.1, 30.4):.6f}"),
                grade=PUBLIC,
            ),
        ],
    )


def enterprise_registration() -> LabelledTable:
    rng, fake = v.seeded("enterprise_registration")
    n = 160
    scopes = [
        "软件开发；信息技术咨询服务",
        "餐饮服务；食品销售",
        "货物进出口；技术进出口",
        "房屋建筑工程施工",
    ]
    return LabelledTable(
        "enterprise_registration",
        "L1",
        "企业登记 items as the 公示系统 names them: all public, the legal representative too",
        [
            Col(
                "统一社会信用代码",
                "uscc",
                "ent-gsxt+synthetic",
                v.many(n, lambda: v.make_uscc(rng)),
            ),
            Col("企业名称", "none", "ent-gsxt+faker-zh_CN", v.many(n, fake.company), grade=PUBLIC),
            Col(
                "法定代表人",
                "person_name",
                "ent-gsxt+faker-zh_CN",
                v.many(n, fake.name),
                grade=PUBLIC,
            ),
            Col(
                "成立日期",
                "none",
                "ent-gsxt",
                v.many(
                    n, lambda: v.birth(rng, dt.date(1995, 1, 1), dt.date(2024, 5, 1)).isoformat()
                ),
                grade=PUBLIC,
            ),
            Col(
                "注册资本",
                "none",
                "ent-gsxt",
                v.many(n, lambda: f"{rng.randrange(10, 10000)}万元人民币"),
                grade=PUBLIC,
            ),
            Col(
                "经营范围", "none", "ent-gsxt", v.many(n, lambda: rng.choice(scopes)), grade=PUBLIC
            ),
            Col(
                "登记机关",
                "none",
                "ent-gsxt",
                v.many(n, lambda: rng.choice(["杭州市市场监督管理局", "南京市市场监督管理局"])),
                grade=PUBLIC,
            ),
            Col(
                "住所",
                "address",
                "ent-gsxt+synthetic",
                v.many(n, lambda: v.property_address(rng)),
                grade=PUBLIC,
            ),
        ],
    )


def registration_export() -> LabelledTable:
    rng, fake = v.seeded("registration_export")
    n = 150
    return LabelledTable(
        "registration_export",
        "L1",
        "an English camelCase enterprise-information API export (all registration items)",
        [
            Col("name", "none", "ent-amaze+faker-zh_CN", v.many(n, fake.company), grade=PUBLIC),
            Col(
                "unifiedSocialCreditCode",
                "uscc",
                "ent-amaze+synthetic",
                v.many(n, lambda: v.make_uscc(rng)),
            ),
            Col(
                "legalRepresentative",
                "person_name",
                "ent-amaze+faker-zh_CN",
                v.many(n, fake.name),
                grade=PUBLIC,
            ),
            Col(
                "registeredCapital",
                "none",
                "ent-amaze",
                v.many(n, lambda: f"{rng.randrange(50, 90000)}.0万元人民币"),
                grade=PUBLIC,
            ),
            Col(
                "establishmentDate",
                "none",
                "ent-amaze",
                v.many(
                    n, lambda: v.birth(rng, dt.date(1990, 1, 1), dt.date(2024, 1, 1)).isoformat()
                ),
                grade=PUBLIC,
            ),
            Col(
                "operatingStatus",
                "none",
                "ent-amaze",
                v.many(n, lambda: rng.choice(["存续", "在业", "注销"])),
                grade=PUBLIC,
            ),
            Col(
                "address",
                "address",
                "ent-amaze+synthetic",
                v.many(n, lambda: v.property_address(rng)),
                grade=PUBLIC,
            ),
        ],
    )


def licence_disclosure() -> LabelledTable:
    rng, fake = v.seeded("licence_disclosure")
    n = 150
    return LabelledTable(
        "licence_disclosure",
        "L1",
        "双公示 administrative licences of enterprises and institutions",
        [
            Col("行政相对人名称", "none", "synthetic", v.many(n, fake.company), grade=PUBLIC),
            Col(
                "行政相对人代码_1(统一社会信用代码)",
                "uscc",
                "synthetic",
                v.many(n, lambda: v.make_uscc(rng, rng.choice(("91", "12", "52")))),
            ),
            Col("法定代表人", "person_name", "faker-zh_CN", v.many(n, fake.name), grade=PUBLIC),
            Col(
                "许可决定书文号",
                "none",
                "synthetic",
                v.many(n, lambda: f"浙食许〔2024〕{rng.randrange(1, 9999)}号"),
                grade=PUBLIC,
            ),
            Col(
                "许可决定日期",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024/5/{rng.randrange(1, 31)}"),
                grade=PUBLIC,
            ),
            Col("许可机关", "none", "synthetic", ["杭州市市场监督管理局"] * n, grade=PUBLIC),
        ],
    )


def yearbook_statistics() -> LabelledTable:
    rng, _ = v.seeded("yearbook_statistics")
    districts = [d for _, _, ds in v.PLACES for d in ds]
    return LabelledTable(
        "yearbook_statistics",
        "L1",
        "published statistical-yearbook table by district",
        [
            Col("地区", "none", "synthetic", districts, grade=PUBLIC),
            Col(
                "年末常住人口(万人)",
                "none",
                "synthetic",
                [f"{rng.uniform(20, 150):.1f}" for _ in districts],
                grade=PUBLIC,
            ),
            Col(
                "出生率(‰)",
                "none",
                "synthetic",
                [f"{rng.uniform(4, 9):.2f}" for _ in districts],
                grade=PUBLIC,
            ),
        ],
    )


def service_statistics() -> LabelledTable:
    rng, _ = v.seeded("service_statistics")
    n = 120
    return LabelledTable(
        "service_statistics",
        "L2",
        "monthly counts of a service hall (internal, no person)",
        [
            Col("tjyf", "none", "synthetic", v.many(n, lambda: f"2023{rng.randrange(1, 13):02d}")),
            Col("ckbh", "none", "synthetic", v.many(n, lambda: f"{rng.randrange(1, 40):02d}")),
            Col("bjl", "none", "synthetic", v.many(n, lambda: str(rng.randrange(100, 5000)))),
            Col("myl", "none", "synthetic", v.many(n, lambda: f"{rng.uniform(90, 100):.1f}%")),
        ],
    )


def counterparty_payments() -> LabelledTable:
    rng, fake = v.seeded("counterparty_payments")
    n = 160
    return LabelledTable(
        "counterparty_payments",
        "L3",
        "a counterparty column: natural persons in 40% of rows, companies in the rest",
        [
            _distractor("htbh", [f"HT2024{rng.randrange(10**6):06d}" for _ in range(n)]),
            Col(
                "jydf",
                "person_name",
                "faker-zh_CN",
                v.many(n, lambda: fake.name() if rng.random() < 0.4 else fake.company()),
            ),
            Col(
                "xmmc",
                "none",
                "synthetic",
                v.many(n, lambda: rng.choice(["绿化养护", "物业服务", "设备维修"])),
            ),
            Col(
                "qdrq",
                "none",
                "synthetic",
                v.many(n, lambda: f"2024-0{rng.randrange(1, 6)}-{rng.randrange(1, 29):02d}"),
            ),
        ],
    )


def lenders() -> LabelledTable:
    rng, fake = v.seeded("lenders")
    n = 150
    persons = [rng.random() < 0.75 for _ in range(n)]
    return LabelledTable(
        "lenders",
        "L4",
        "出借人列表: realName is a person or an enterprise's legal representative",
        [
            Col("loginName", "none", "p2p-cjr+faker-zh_CN", v.many(n, fake.user_name)),
            Col("realName", "person_name", "p2p-cjr+faker-zh_CN", v.many(n, fake.name)),
            Col(
                "companyName",
                "none",
                "p2p-cjr+faker-zh_CN",
                [None if p else fake.company() for p in persons],
            ),
            Col(
                "card",
                "id_card",
                "p2p-cjr+faker-zh_CN",
                [fake.ssn(min_age=25, max_age=70) for _ in range(n)],
            ),
            Col(
                "cjje",
                "personal_finance",
                "p2p-cjr+synthetic",
                v.many(n, lambda: v.amount(rng, 1e3, 2e5)),
            ),
        ],
    )


def distractor_tables() -> list[LabelledTable]:
    """Numbers and names that look personal and are not (true category ``none``)."""
    rng, fake = v.seeded("distractors")
    n = 150
    phone_like = lambda: f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"  # noqa: E731
    return [
        LabelledTable(
            "logistics_orders",
            "L2",
            "order, waybill and station numbers",
            [
                _distractor("订单编号", [str(rng.randrange(10**17, 10**18)) for _ in range(n)]),
                _distractor("运单号", [f"SF{rng.randrange(10**12):012d}" for _ in range(n)]),
                _distractor("zdbm", [f"ZD{rng.randrange(10**4):04d}" for _ in range(n)]),
                _distractor("hphm_seq", [f"{rng.randrange(10**8):08d}" for _ in range(n)]),
                Col("yf", "none", "synthetic", [f"{rng.uniform(5, 80):.2f}" for _ in range(n)]),
            ],
        ),
        LabelledTable(
            "outpatient_statistics",
            "L2",
            "mz = 门诊 (outpatient departments), zd = 站点; counts only",
            [
                _distractor(
                    "mz", v.many(n, lambda: rng.choice(["第一门诊部", "中医门诊部", "口腔门诊部"]))
                ),
                _distractor("mzrc", v.many(n, lambda: str(rng.randrange(100, 9000)))),
                _distractor(
                    "zd", v.many(n, lambda: rng.choice(["城东服务站", "城西服务站", "江南站"]))
                ),
            ],
        ),
        LabelledTable(
            "construction_projects",
            "L2",
            "xm = 项目 (projects) and amounts of organisations",
            [
                _distractor("xm", v.many(n, lambda: f"{rng.choice(v.ROADS)}提升改造工程")),
                _distractor("xmbh", [f"2024-330106-{rng.randrange(10**6):06d}" for _ in range(n)]),
                Col("jsdw", "none", "faker-zh_CN", v.many(n, fake.company)),
                Col("ztz", "none", "synthetic", v.many(n, lambda: v.amount(rng, 1e5, 5e7))),
            ],
        ),
        LabelledTable(
            "sensor_readings",
            "L2",
            "device serials that look like mobiles; sj = 时间",
            [
                _distractor("sbh", v.many(n, phone_like)),
                _distractor("sj", v.many(n, lambda: f"2024-06-01 {rng.randrange(24):02d}:00:00")),
                _distractor("wd_c", v.many(n, lambda: f"{rng.uniform(15, 35):.1f}")),
            ],
        ),
        LabelledTable(
            "transit_cards",
            "L2",
            "anonymous transit cards: 16-digit card numbers, random digits",
            [
                _distractor("kh", v.many(n, lambda: f"3100{rng.randrange(10**12):012d}")),
                _distractor("jyxh", v.many(n, lambda: str(rng.randrange(10**10, 10**11)))),
                Col(
                    "jyje",
                    "none",
                    "synthetic",
                    v.many(n, lambda: rng.choice(["2.00", "3.00", "4.00"])),
                ),
            ],
        ),
        LabelledTable(
            "invoices",
            "L2",
            "invoices between organisations: codes, numbers and the seller's USCC",
            [
                _distractor("fpdm", [f"0{rng.randrange(10**11):011d}" for _ in range(n)]),
                _distractor("fphm", [f"{rng.randrange(10**8):08d}" for _ in range(n)]),
                Col("xfmc", "none", "faker-zh_CN", v.many(n, fake.company)),
                Col("xfsbh", "uscc", "synthetic", v.many(n, lambda: v.make_uscc(rng))),
                Col("kpje", "none", "synthetic", v.many(n, lambda: v.amount(rng, 100, 1e6))),
            ],
        ),
    ]


def organisation_tables() -> list[LabelledTable]:
    """Tables without a natural person, registration tables and mixed columns."""
    return [
        air_quality_sites(),
        hospital_directory(),
        water_sections(),
        bus_stops(),
        enterprise_registration(),
        registration_export(),
        licence_disclosure(),
        yearbook_statistics(),
        service_statistics(),
        counterparty_payments(),
        lenders(),
        *distractor_tables(),
    ]
