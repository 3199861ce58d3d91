"""Distractor tables: values and names that look personal but are not (all true category none)."""

from __future__ import annotations

from tests.eval import makers as mk
from tests.eval.corpus import LabelledColumn, LabelledTable
from tests.eval.makers import many, seeded


def _col(name: str, values: list[str | None]) -> LabelledColumn:
    return LabelledColumn(name, "none", "synthetic", values, distractor=True)


def distractor_tables() -> list[LabelledTable]:
    """Order numbers, serials, phone-like and card-like numbers, pinyin look-alikes."""
    rng, fake = seeded("distractors")
    n = 300
    eighteen = lambda: str(rng.randrange(10**17, 10**18))  # noqa: E731
    phone_like = lambda: f"1{rng.randrange(3, 10)}{rng.randrange(10**9):09d}"  # noqa: E731
    card_like = lambda: "62" + f"{rng.randrange(10**14):014d}"  # noqa: E731
    works = ["道路改造", "学校扩建", "管网改造"]
    project = lambda: f"2024年{fake.district()}区{rng.choice(works)}项目"  # noqa: E731
    return [
        LabelledTable(
            "orders",
            "L2",
            "order numbers and serials",
            [
                _col("ddh", many(n, eighteen)),
                _col("order_no", many(n, eighteen)),
                _col("zjhm", many(n, eighteen)),
                _col(
                    "lsh",
                    many(n, lambda: f"2024060{rng.randrange(1, 10)}{rng.randrange(10**8):08d}"),
                ),
                _col("jzlsh", many(n, lambda: f"20240601{rng.randrange(10**6):06d}")),
            ],
        ),
        LabelledTable(
            "phone_like",
            "L2",
            "random 11-digit numbers starting 1[3-9] under phone-like names",
            [
                _col("dh", many(n, phone_like)),
                _col("sjhm", many(n, phone_like)),
                _col("lxdh", many(n, phone_like)),
            ],
        ),
        LabelledTable(
            "card_like",
            "L2",
            "random 16-digit numbers starting 62",
            [
                _col("kh", many(n, card_like)),
                _col("yhkh", many(n, card_like)),
                _col("ticket", many(n, card_like)),
            ],
        ),
        LabelledTable(
            "projects",
            "L2",
            "xm = 项目 (project), not 姓名",
            [
                _col("xm", many(n, project)),
                _col("xmbm", many(n, lambda: f"420100{rng.randrange(10**12):012d}")),
                LabelledColumn(
                    "ysje", "none", "synthetic", many(n, lambda: str(rng.randrange(10**4, 10**8)))
                ),
            ],
        ),
        LabelledTable(
            "outpatient",
            "L2",
            "mz = 门诊 (outpatient) numbers, not 民族",
            [
                _col("mz", many(n, lambda: f"MZ20240601{rng.randrange(10**5):05d}")),
                _col("mzh", many(n, lambda: f"{rng.randrange(10**9, 10**10)}")),
                LabelledColumn(
                    "ksmc", "none", "synthetic", many(n, lambda: rng.choice(["内科", "儿科"]))
                ),
            ],
        ),
        LabelledTable(
            "stations",
            "L2",
            "zd = 站点 (station), not 诊断; jd = 街道 (sub-district), not 经度",
            [
                _col("zd", many(n, lambda: rng.choice(mk.STATIONS))),
                _col("zdmc", many(n, lambda: rng.choice(mk.STATIONS))),
                _col("zddm", many(n, lambda: f"{rng.randrange(1000, 2000)}A")),
                _col("jd", many(n, lambda: fake.street_name() + "街道")),
                LabelledColumn(
                    "pm25", "none", "synthetic", many(n, lambda: str(rng.randrange(5, 150)))
                ),
            ],
        ),
        LabelledTable(
            "times",
            "L2",
            "sj = 时间 (time), not 手机; dh = 单号",
            [
                _col(
                    "sj",
                    many(
                        n, lambda: f"2024-06-01 {rng.randrange(24):02d}:{rng.randrange(60):02d}:00"
                    ),
                ),
                _col("dh", many(n, lambda: f"DH{rng.randrange(10**10):010d}")),
                _col("bz", many(n, lambda: f"订单{rng.randrange(10**17, 10**18)}已发货")),
            ],
        ),
    ]
