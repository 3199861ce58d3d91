"""The table read as a whole: persons, organisations, facilities, registration items, baseline."""

from __future__ import annotations

import random

import pyarrow as pa
from stdnum.cn import uscc

from etl.classify import ColumnOverride, classify_table
from tests.unit.classify.test_classify_table import (
    column,
    make_address,
    make_id,
    make_mobile,
    make_name,
)

N = 300


def make_uscc(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = (
        "91" + f"{rng.randrange(110000, 659999)}" + "".join(rng.choice(alphabet) for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def grades(table: pa.Table, **kwargs: object) -> dict[str, tuple[str, str]]:
    result = classify_table(table, **kwargs)  # type: ignore[arg-type]
    return {c.name: (c.category, c.grade) for c in result.columns}


def test_an_authority_reads_like_an_address_but_is_not_one() -> None:
    rng = random.Random(1)
    authorities = [f"武汉市公安局江汉分局{rng.choice('民族新华前进')}街派出所" for _ in range(N)]
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "c3": column(authorities),
            "c4": column([make_address(rng) for _ in range(N)]),
        }
    )
    got = grades(table)
    assert got["c3"] == ("none", "L2")
    assert got["c4"] == ("address", "L3")


def test_a_code_list_in_a_table_of_persons_is_not_names() -> None:
    rng = random.Random(2)
    levels = ["小学", "初中", "高中", "大学本科", "研究生", "中专", "大专"]
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "c2": column([rng.choice(levels) for _ in range(N)]),
        }
    )
    assert grades(table)["c2"] == ("none", "L2")


def make_landline(rng: random.Random) -> str:
    # a two-digit area code (Wuhan 027) is followed by eight digits, a three-digit one by seven
    area = rng.choice(["27", "28", "29", "710", "716"])
    return f"0{area}-{rng.randint(2 * 10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)}"


def test_a_persons_landline_under_an_unknown_header_is_theirs() -> None:
    # 备用联络 of a marriage register: home numbers, one per person, no header anyone lists
    rng = random.Random(11)
    office = "027-85550000"
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "备用联络": column([make_landline(rng) for _ in range(N)]),
            "c3": column([make_landline(rng) if i % 2 else make_mobile(rng) for i in range(N)]),
            "登记机关联系": column([office] * N),
        }
    )
    got = grades(table)
    assert got["备用联络"] == ("landline_phone", "L3")
    assert got["c3"][1] == "L3"  # mobiles and landlines together: the persons' contact
    assert got["登记机关联系"] == ("none", "L2")  # the office's one number reaches no person


def test_landlines_in_a_table_without_persons_are_not_personal() -> None:
    rng = random.Random(12)
    table = pa.table({"c1": column([make_landline(rng) for _ in range(N)])})
    assert grades(table)["c1"] == ("none", "L2")


def test_a_mixed_counterparty_takes_its_most_sensitive_share() -> None:
    rng = random.Random(3)
    counterparty = [
        make_name(rng) + rng.choice("明华") if i % 5 < 2 else f"某某{i}商贸有限公司"
        for i in range(N)
    ]
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "dfhm": column(counterparty),
        }
    )
    result = classify_table(table)
    assert (result.column("dfhm").category, result.column("dfhm").grade) == (
        "person_name",
        "L3",
    )
    assert "就高从严" in result.column("dfhm").evidence


def test_a_counterparty_of_persons_and_companies_in_any_table() -> None:
    rng = random.Random(11)
    parties = [
        make_name(rng) + rng.choice("明华") if i % 5 < 2 else f"某某{i}商贸有限公司"
        for i in range(N)
    ]
    table = pa.table(
        {
            "jydf": column(parties),
            "jyje": column([str(rng.randrange(100, 10_000)) for _ in range(N)]),
        }
    )
    result = classify_table(table)
    assert result.column("jydf").category == "person_name"
    assert "counterparty" in result.column("jydf").evidence
    # the same share of names among products is not a counterparty
    goods = [make_name(rng) if i % 5 < 2 else f"商品{i}号" for i in range(N)]
    assert grades(pa.table({"spmc": column(goods)}))["spmc"] == ("none", "L2")


def test_an_id_number_inside_a_code_is_an_id_card() -> None:
    rng = random.Random(4)
    table = pa.table({"kh": column(["G" + make_id(rng) for _ in range(N)])})
    assert grades(table)["kh"] == ("id_card", "L3")


def test_registration_items_and_facility_data_of_organisations_are_public() -> None:
    rng = random.Random(5)
    table = pa.table(
        {
            "tyshxydm": column([make_uscc(rng) for _ in range(N)]),
            "qymc": column([f"某某{i}科技有限公司" for i in range(N)]),
            "jyfw": column(["软件开发；技术服务"] * N),
            "dz": column([make_address(rng) for _ in range(N)]),
            "zjdh": column([f"027-8{rng.randrange(10**6, 10**7)}" for _ in range(N)]),
            "jd": column([f"114.{rng.randrange(10**5, 10**6)}" for _ in range(N)]),
            "wd": column([f"30.{rng.randrange(10**5, 10**6)}" for _ in range(N)]),
        }
    )
    result = classify_table(table)
    got = {c.name: (c.category, c.grade) for c in result.columns}
    assert got == {
        "tyshxydm": ("uscc", "L1"),
        "qymc": ("none", "L1"),
        "jyfw": ("none", "L1"),
        "dz": ("address", "L1"),
        "zjdh": ("landline_phone", "L1"),
        "jd": ("geo_coordinate", "L1"),
        "wd": ("geo_coordinate", "L1"),
    }
    assert result.dataset_grade == "L1"
    assert "registration item" in result.column("qymc").evidence


def test_a_persons_wage_is_sensitive_and_an_operational_amount_is_not() -> None:
    rng = random.Random(6)
    wages = column([f"{rng.randrange(2000, 30000)}.00" for _ in range(N)])
    people = pa.table({"sfzh": column([make_id(rng) for _ in range(N)]), "jfjs": wages})
    result = classify_table(people, overrides={"jfjs": ColumnOverride("personal_finance")})
    assert (result.column("jfjs").category, result.column("jfjs").grade) == (
        "personal_finance",
        "L4",
    )
    assert result.dataset_grade == "L4"


def test_a_money_amount_in_a_table_of_persons_is_the_persons() -> None:
    rng = random.Random(10)
    ids = column([make_id(rng) for _ in range(N)])
    amounts = column([f"{rng.randrange(100, 9000)}.{rng.randrange(100):02d}" for _ in range(N)])
    counts = column([str(rng.randrange(1, 30)) for _ in range(N)])
    got = grades(pa.table({"sfzh": ids, "je": amounts, "cs": counts}))
    assert got["je"] == ("personal_finance", "L4")  # 金额 paid to or by the person
    assert got["cs"] == ("none", "L2")  # a count is not money
    # without persons the same amount is operational data
    assert grades(pa.table({"je": amounts, "cs": counts}))["je"] == ("none", "L2")


def test_amounts_kept_to_the_fen_under_an_unknown_header_are_the_persons() -> None:
    rng = random.Random(11)
    ids = column([make_id(rng) for _ in range(N)])
    amounts = column([f"{rng.randrange(2000, 30000)}.{rng.randrange(100):02d}" for _ in range(N)])
    rates = column([rng.choice(["0.08", "0.12", "0.02"]) for _ in range(N)])
    whole = column([str(rng.randrange(1000, 9000)) for _ in range(N)])
    got = grades(pa.table({"sfzh": ids, "x1": amounts, "x2": rates, "x3": whole}))
    assert got["x1"] == ("personal_finance", "L4")  # 元 to the fen: money, nothing else
    assert got["x2"] == ("none", "L2")  # a rate repeats a few values
    assert got["x3"] == ("none", "L2")  # whole numbers may be anything: counts, codes, sizes
    # nobody in the table: the same amounts are operational data
    assert grades(pa.table({"x1": amounts}))["x1"] == ("none", "L2")


def test_the_registry_baseline_grades_unclaimed_columns() -> None:
    rng = random.Random(7)
    table = pa.table(
        {
            "zdmc": column([f"{rng.choice('东西南北')}湖监测站" for _ in range(N)]),
            "pm25": column([str(rng.randrange(5, 200)) for _ in range(N)]),
        }
    )
    assert grades(table) == {"zdmc": ("none", "L2"), "pm25": ("none", "L2")}
    result = classify_table(table, baseline="L1")
    assert result.dataset_grade == "L1"
    assert "registry baseline L1" in result.column("pm25").evidence


def test_names_under_an_unknown_header_make_the_table_about_persons() -> None:
    rng = random.Random(8)
    table = pa.table(
        {
            "c1": column([make_name(rng) for _ in range(N)]),
            "c2": column([make_mobile(rng) for _ in range(N)]),
        }
    )
    assert grades(table) == {"c1": ("person_name", "L3"), "c2": ("mobile_phone", "L3")}
    # names under a header that names stations are station names
    stations = table.rename_columns(["stationName", "c2"])
    assert grades(stations) == {"stationName": ("none", "L2"), "c2": ("none", "L2")}


def test_a_column_naming_an_organisation_is_not_a_persons_name() -> None:
    rng = random.Random(9)
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "hospitalName": column([make_name(rng) for _ in range(N)]),  # 协和, 同济 …
            "c3": column([make_name(rng) for _ in range(N)]),
        }
    )
    got = grades(table)
    assert got["hospitalName"] == ("none", "L2")
    assert got["c3"] == ("person_name", "L3")


def test_coordinates_in_a_table_with_nobody_are_a_place() -> None:
    rng = random.Random(12)
    lng = column([f"114.{rng.randrange(10**5, 10**6)}" for _ in range(N)])
    lat = column([f"30.{rng.randrange(10**5, 10**6)}" for _ in range(N)])
    readings = column([str(rng.randrange(5, 300)) for _ in range(N)])
    got = grades(pa.table({"jd": lng, "wd": lat, "aqi": readings}))
    assert got["jd"] == ("geo_coordinate", "L1") and got["wd"] == ("geo_coordinate", "L1")
    # beside a mobile number the same coordinates may be where a person is
    phones = column([make_mobile(rng) for _ in range(N)])
    got = grades(pa.table({"jd": lng, "wd": lat, "lxdh": phones}))
    assert got["jd"] == ("geo_coordinate", "L3")


def test_an_organisation_identifier_alone_does_not_make_a_registration_table() -> None:
    rng = random.Random(13)
    codes = column([make_uscc(rng) for _ in range(N)])
    amounts = column([str(rng.randrange(100, 10_000)) for _ in range(N)])
    tax = grades(pa.table({"nsrsbh": codes, "ynse": amounts}))
    assert tax["ynse"] == ("none", "L2")  # tax due: operational data of the enterprise
    registry = grades(pa.table({"nsrsbh": codes, "zczb": amounts}))
    assert registry["zczb"] == ("none", "L1")  # 注册资本: a public registration item
