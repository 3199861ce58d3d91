"""The publication guard: every value that would go out unprotected is checked."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from faker import Faker
from stdnum.iso7064 import mod_11_2

from etl.classify import ColumnClassification, DatasetClassification
from etl.protect.guard import guard, guarded_columns
from etl.protect.keys import TokenKey
from etl.protect.zones import project_zone
from etl.runtime.records import Withheld

KEY = TokenKey("k1", b"0123456789abcdef0123456789abcdef")
N = 400


def col(name: str, category: str, grade: str, by: str = "detector") -> ColumnClassification:
    return ColumnClassification(name, category, grade, 1.0, "test", by)


def classification(*columns: ColumnClassification) -> DatasetClassification:
    return DatasetClassification(tuple(columns), "L3", (), ())


def id_number(rng: random.Random) -> str:
    body = f"4201{rng.randint(1, 99):02d}{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}"
    body += f"{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + mod_11_2.calc_check_digit(body)


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"


@pytest.fixture(scope="module")
def fake() -> Faker:
    Faker.seed(7)
    return Faker("zh_CN")


def run(table: pa.Table, result: DatasetClassification, batch: int = N) -> list[Withheld]:
    columns = guarded_columns(result, ["restricted", "shared"])
    return guard(table.to_batches(max_chunksize=batch), result, columns)


PERSONS = (col("sfzh", "id_card", "L3"),)


def test_names_missed_by_the_decision_are_withheld_in_a_table_of_persons(fake: Faker) -> None:
    rng = random.Random(1)
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "aac003": [fake.name() for _ in range(N)],
        }
    )
    result = classification(*PERSONS, col("aac003", "none", "L2", "default"))
    [held] = run(table, result)
    assert (held.column, held.category, held.grade) == ("aac003", "person_name", "L3")
    assert held.checked == N and held.values > 0.9 * N


def test_a_code_list_that_reads_like_names_is_not_withheld() -> None:
    # 文化程度: half of the values are two Han characters led by a surname (高中, 初中)
    levels = ["小学", "初中", "高中", "大学本科", "研究生", "中专", "大专", "文盲", "博士"]
    rng = random.Random(2)
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "whcd": [rng.choice(levels) for _ in range(N)],
        }
    )
    result = classification(*PERSONS, col("whcd", "none", "L2", "default"))
    assert run(table, result) == []


def test_id_numbers_inside_codes_are_found_in_a_small_share_of_any_table() -> None:
    rng = random.Random(3)
    codes = [f"ORD{rng.randint(0, 10**12):012d}" for _ in range(N)]
    for i in range(0, N, 25):  # 4%: a counterparty that is sometimes a natural person
        codes[i] = "G" + id_number(rng)
    table = pa.table({"dfzh": codes})
    [held] = run(table, classification(col("dfzh", "none", "L2", "default")))
    assert held.category == "id_card"
    assert held.values == N // 25


def test_random_serials_are_not_bank_cards() -> None:
    # Luhn passes one random number in ten: order numbers with a card-like prefix stay
    rng = random.Random(4)
    serials = [f"62{rng.randint(0, 10**14):014d}" for _ in range(N)]
    table = pa.table({"ddh": serials})
    assert run(table, classification(col("ddh", "none", "L2", "default"))) == []


def test_mobile_numbers_need_a_larger_share_without_persons() -> None:
    rng = random.Random(5)
    quarter = [mobile(rng) if i % 4 == 0 else f"工单{i}" for i in range(N)]
    most = [mobile(rng) if i % 4 else f"工单{i}" for i in range(N)]
    table = pa.table({"quarter": quarter, "most": most})
    result = classification(
        col("quarter", "none", "L2", "default"), col("most", "none", "L2", "default")
    )
    assert [w.column for w in run(table, result)] == ["most"]
    with_persons = table.append_column("sfzh", pa.array([id_number(rng) for _ in range(N)]))
    result_persons = classification(*PERSONS, *result.columns)
    assert [w.column for w in run(with_persons, result_persons)] == ["quarter", "most"]


def landline(rng: random.Random) -> str:
    area, sep, digits = rng.choice([("027", "-", 8), ("(0710)", "", 7), ("028", " ", 8)])
    return f"{area}{sep}{rng.randint(2 * 10 ** (digits - 1), 10**digits - 1)}"


def test_landlines_of_persons_are_withheld_and_an_offices_number_is_not() -> None:
    rng = random.Random(9)
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "bylx": [landline(rng) for _ in range(N)],
            "djjgdh": ["027-85550000"] * N,
        }
    )
    result = classification(
        *PERSONS, col("bylx", "none", "L2", "default"), col("djjgdh", "none", "L2", "default")
    )
    [held] = run(table, result)
    assert (held.column, held.category, held.grade) == ("bylx", "landline_phone", "L3")
    assert held.values == N
    # without persons in the table, landlines are an organisation's or a facility's
    nobody = table.drop_columns(["sfzh"])
    assert run(nobody, classification(*result.columns[1:])) == []


def test_integer_columns_holding_phone_numbers_are_checked() -> None:
    rng = random.Random(6)
    table = pa.table({"lxfs": pa.array([int(mobile(rng)) for _ in range(N)], pa.int64())})
    [held] = run(table, classification(col("lxfs", "none", "L2", "default")))
    assert held.category == "mobile_phone"


def test_facility_addresses_are_not_a_persons(fake: Faker) -> None:
    table = pa.table(
        {
            "jgmc": [fake.company() for _ in range(N)],
            "jgdz": [fake.address() for _ in range(N)],
            "zjdh": [fake.phone_number() if False else "027-87654321" for _ in range(N)],
        }
    )
    result = classification(
        col("jgmc", "none", "L2", "default"),
        col("jgdz", "address", "L1"),
        col("zjdh", "landline_phone", "L1"),
    )
    assert run(table, result) == []


def test_addresses_and_names_in_a_table_of_persons(fake: Faker) -> None:
    rng = random.Random(8)
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "fwzl": [fake.address() for _ in range(N)],
        }
    )
    result = classification(*PERSONS, col("fwzl", "none", "L2", "default"))
    [held] = run(table, result)
    assert held.category == "address"


def test_diagnoses_are_withheld_in_a_table_of_persons_only() -> None:
    rng = random.Random(9)
    diagnoses = ["高血压", "2型糖尿病", "J18.9", "急性上呼吸道感染", "腰椎间盘突出", "无"]
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "bz": [rng.choice(diagnoses) for _ in range(N)],
        }
    )
    result = classification(*PERSONS, col("bz", "none", "L2", "default"))
    [held] = run(table, result)
    assert (held.column, held.category, held.grade) == ("bz", "health", "L4")
    # a clinic's list of the conditions it treats is no one's diagnosis
    clinics = classification(col("bz", "none", "L2", "default"))
    assert run(table.select(["bz"]), clinics) == []


def test_columns_a_person_cleared_and_protected_columns_are_not_guarded() -> None:
    result = classification(
        col("xm", "person_name", "L3"),
        col("zdmc", "none", "L1", "registry"),
        col("bz", "none", "L2", "default"),
        col("yhkh", "bank_card", "L4"),
    )
    assert guarded_columns(result, ["restricted", "shared"], cleared=["zdmc"]) == ["bz"]
    assert guarded_columns(result, ["restricted"]) == []


def test_the_verdict_does_not_depend_on_the_batch_size(fake: Faker) -> None:
    rng = random.Random(9)
    table = pa.table(
        {
            "sfzh": [id_number(rng) for _ in range(N)],
            "jhrxm": [fake.name() for _ in range(N)],
            "jhrdh": [mobile(rng) for _ in range(N)],
        }
    )
    result = classification(
        *PERSONS, col("jhrxm", "none", "L2", "default"), col("jhrdh", "none", "L2", "default")
    )
    whole = run(table, result)
    assert [w.category for w in whole] == ["person_name", "mobile_phone"]
    batched = run(table, result, batch=37)
    assert [(w.column, w.category, w.checked) for w in batched] == [
        (w.column, w.category, w.checked) for w in whole
    ]


def test_withheld_columns_stay_out_of_shared_and_open_and_say_so_in_lineage() -> None:
    table = pa.table({"_run_id": ["r"], "a": ["x"], "b": ["y"]})
    result = DatasetClassification(
        (col("a", "none", "L1", "default"), col("b", "none", "L1", "default")), "L1", (), ()
    )
    for zone in ("shared", "open"):
        out = project_zone(table, result, zone, KEY, withheld=frozenset({"b"}))
        # the column stays, of its type, without a value, and says why
        assert out.table.column_names == ["_run_id", "a", "b"]
        assert out.table.column("b").to_pylist() == [None]
        assert out.table.schema.field("b").type == pa.string()
        assert out.table.schema.field("b").metadata[b"pubdata.status"] == b"withheld"
        assert [(c.source, c.transformation) for c in out.columns] == [
            ("a", "identity"),
            ("b", "withheld"),
        ]
    restricted = project_zone(table, result, "restricted", KEY, withheld=frozenset({"b"}))
    assert restricted.table.column_names == ["_run_id", "a", "b"]


def test_the_record_holds_counts_only() -> None:
    held = Withheld(column="aac003", category="person_name", grade="L3", values=398, checked=400)
    assert held.to_dict() == {
        "column": "aac003",
        "category": "person_name",
        "grade": "L3",
        "values": 398,
        "checked": 400,
    }
