from __future__ import annotations

import json
import random

import pyarrow as pa
import pytest
from stdnum import luhn
from stdnum.iso7064 import mod_11_2

from etl.classify import (
    ColumnClassification,
    ColumnOverride,
    DatasetClassification,
    classify_table,
)
from etl.errors import ConfigError, DataError

N = 1200


def make_id(rng: random.Random) -> str:
    prefix = rng.choice(["110105", "310101", "440305", "420111", "510104"])
    birth = f"{rng.randrange(1940, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    body = prefix + birth + f"{rng.randrange(1000):03d}"
    return body + mod_11_2.calc_check_digit(body)


def make_mobile(rng: random.Random) -> str:
    return rng.choice(["138", "139", "150", "186", "199"]) + f"{rng.randrange(10**8):08d}"


def make_card(rng: random.Random) -> str:
    body = "622202" + "".join(str(rng.randrange(10)) for _ in range(12))
    return body + luhn.calc_check_digit(body)


SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def make_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randrange(1, 3)))


def make_address(rng: random.Random) -> str:
    district = rng.choice(["朝阳区", "海淀区", "西湖区", "洪山区"])
    return f"某某市{district}{rng.choice(['建国', '文三', '关山'])}路{rng.randrange(1, 300)}号"


def column(values: list[str | None]) -> pa.Array:
    return pa.array(values, pa.string())


@pytest.fixture(scope="module")
def people() -> pa.Table:
    rng = random.Random(42)
    return pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(N)]),
            "xm": column([make_name(rng) for _ in range(N)]),
            "lxdh": column([make_mobile(rng) for _ in range(N)]),
            "jzdz": column([make_address(rng) for _ in range(N)]),
            "visits": column([str(rng.randrange(1000)) for _ in range(N)]),
            "_run_id": column(["run-1"] * N),
        }
    )


def test_people_columns(people: pa.Table) -> None:
    result = classify_table(people)
    got = {c.name: (c.category, c.grade, c.decided_by) for c in result.columns}
    assert got == {
        "sfzh": ("id_card", "L3", "detector"),
        "xm": ("person_name", "L3", "detector"),
        "lxdh": ("mobile_phone", "L3", "detector"),
        "jzdz": ("address", "L3", "detector"),
        "visits": ("none", "L2", "default"),
    }
    sfzh = result.column("sfzh")
    assert sfzh.confidence == 1.0
    assert sfzh.evidence == "name hint 'sfzh'; 100% of 1000 sampled values pass id_card check"
    assert result.dataset_grade == "L3"


def test_pipeline_columns_are_skipped(people: pa.Table) -> None:
    result = classify_table(people)
    assert "_run_id" not in [c.name for c in result.columns]
    with pytest.raises(KeyError):
        result.column("_run_id")


def test_same_data_same_answer(people: pa.Table) -> None:
    assert classify_table(people) == classify_table(people)
    assert classify_table(people, seed=3).columns == classify_table(people, seed=3).columns


def test_evidence_never_contains_values(people: pa.Table) -> None:
    result = classify_table(people)
    for col in result.columns:
        for value in people.column(col.name).to_pylist():
            assert len(value) < 4 or value not in col.evidence


def test_strong_types_on_content_alone_and_weak_types_need_a_name() -> None:
    rng = random.Random(1)
    table = pa.table(
        {
            "col_b": column([make_card(rng) for _ in range(200)]),
            "col_c": column([make_mobile(rng) for _ in range(200)]),
            "col_e": column([make_address(rng) for _ in range(200)]),
        }
    )
    got = {c.name: c.category for c in classify_table(table).columns}
    assert got == {"col_b": "bank_card", "col_c": "none", "col_e": "none"}
    assert classify_table(table).column("col_b").grade == "L4"


def test_in_a_table_about_persons_weak_types_are_decided_on_content_alone() -> None:
    # An ID number makes the table about persons: opaque headers (AAC003, AAE005, c5) no
    # longer hide names, mobiles and addresses.
    rng = random.Random(1)
    table = pa.table(
        {
            "col_a": column([make_id(rng) for _ in range(200)]),
            "col_c": column([make_mobile(rng) for _ in range(200)]),
            "col_d": column([make_name(rng) for _ in range(200)]),
            "col_e": column([make_address(rng) for _ in range(200)]),
        }
    )
    result = classify_table(table)
    got = {c.name: (c.category, c.grade) for c in result.columns}
    assert got == {
        "col_a": ("id_card", "L3"),
        "col_c": ("mobile_phone", "L3"),
        "col_d": ("person_name", "L3"),
        "col_e": ("address", "L3"),
    }
    assert "content alone in a table about persons" in result.column("col_d").evidence


def test_strong_type_at_half_with_a_name_hint_only() -> None:
    rng = random.Random(2)
    values = [make_id(rng) if i % 10 < 6 else f"{rng.randrange(10**17):018d}" for i in range(300)]
    table = pa.table({"sfzh": column(values), "col_x": column(values)})
    result = classify_table(table)
    assert result.column("sfzh").category == "id_card"
    assert 0.5 <= result.column("sfzh").confidence < 0.9
    assert result.column("col_x").category == "none"


def test_comment_counts_as_name_evidence() -> None:
    rng = random.Random(3)
    table = pa.table({"c1": column([make_mobile(rng) for _ in range(100)])})
    assert classify_table(table).column("c1").category == "none"
    result = classify_table(table, comments={"c1": "手机号码"})
    assert result.column("c1").category == "mobile_phone"
    assert "comment hint '手机号码'" in result.column("c1").evidence


def test_distractors_stay_non_personal() -> None:
    rng = random.Random(4)
    projects = ["道路改造工程", "管网改造项目", "绿化提升工程", "市政道路维修", "学校扩建工程"]
    table = pa.table(
        {
            "order_no": column([str(rng.randrange(10**17, 10**18)) for _ in range(N)]),
            "zjhm": column([str(rng.randrange(10**17, 10**18)) for _ in range(N)]),
            "serial_no": column([str(rng.randrange(13 * 10**9, 2 * 10**10)) for _ in range(N)]),
            "dh": column([str(rng.randrange(13 * 10**9, 2 * 10**10)) for _ in range(N)]),
            "ticket": column([str(rng.randrange(10**15, 10**16)) for _ in range(N)]),
            "xm": column([rng.choice(projects) for _ in range(N)]),
            "company_name": column([f"某某{rng.randrange(99)}有限公司" for _ in range(N)]),
        }
    )
    result = classify_table(table)
    assert {c.name: c.category for c in result.columns} == dict.fromkeys(table.column_names, "none")
    assert result.dataset_grade == "L2"


def test_higher_share_wins_among_accepted_categories() -> None:
    rng = random.Random(5)
    both: list[str] = []
    only_id: list[str] = []
    while len(both) < 95 or len(only_id) < 5:
        value = make_id(rng)
        if value[-1] == "X":
            continue
        (both if luhn.is_valid(value) else only_id).append(value)
    table = pa.table({"col": column(both[:95] + only_id[:5])})
    col = classify_table(table).column("col")
    assert (col.category, col.confidence) == ("id_card", 1.0)


def test_legal_representative_name_is_l1() -> None:
    rng = random.Random(6)
    names = column([make_name(rng) for _ in range(100)])
    result = classify_table(pa.table({"fddbr": names, "法定代表人": names, "xm": names}))
    assert result.column("fddbr").category == "person_name"
    assert result.column("fddbr").grade == "L1"
    assert result.column("法定代表人").grade == "L1"
    assert "legal representative" in result.column("fddbr").evidence
    assert result.column("xm").grade == "L3"


def test_registry_overrides_win() -> None:
    rng = random.Random(7)
    table = pa.table(
        {
            "sfzh": column([make_id(rng) for _ in range(100)]),
            "remark": column(["ok"] * 100),
            "status": column(["1"] * 100),
        }
    )
    overrides = {
        "sfzh": ColumnOverride("none", "L1", reason="test data"),
        "remark": ColumnOverride("health"),
        "status": ColumnOverride("none", "L1"),
        "missing": ColumnOverride("id_card"),
    }
    result = classify_table(table, overrides=overrides)
    assert result.column("sfzh") == ColumnClassification(
        "sfzh", "none", "L1", 1.0, "registry override: none L1 (test data)", "registry"
    )
    assert (result.column("remark").category, result.column("remark").grade) == ("health", "L4")
    assert result.column("status").grade == "L1"


def test_bad_override_is_a_config_error() -> None:
    table = pa.table({"a": column(["x"])})
    with pytest.raises(ConfigError, match="unknown category"):
        classify_table(table, overrides={"a": ColumnOverride("secret_sauce")})
    with pytest.raises(ConfigError, match="unknown grade"):
        classify_table(table, overrides={"a": ColumnOverride("none", "L9")})


def test_empty_and_odd_columns() -> None:
    table = pa.table(
        {
            "sfzh": column([None, "", "  "]),
            "n": pa.array([1, 2, 3], pa.int64()),
            "b": pa.array([b"\xff", b"\xfe", None], pa.binary()),
        }
    )
    result = classify_table(table)
    assert result.column("sfzh").category == "none"
    assert "no non-empty values" in result.column("sfzh").evidence
    assert result.column("n").category == "none"
    assert result.column("b").category == "none"


def test_sample_size_is_respected_and_validated() -> None:
    rng = random.Random(8)
    table = pa.table({"sfzh": column([make_id(rng) for _ in range(500)])})
    assert "of 100 sampled" in classify_table(table, sample_size=100).column("sfzh").evidence
    assert "of 30 sampled" in classify_table(table, sample_size=5).column("sfzh").evidence
    with pytest.raises(ValueError):
        classify_table(table, sample_size=0)


def test_round_trip_through_json(people: pa.Table) -> None:
    result = classify_table(people, floor="L3", flags=["IMP"])
    text = json.dumps(result.to_dict(), ensure_ascii=False)
    assert DatasetClassification.from_dict(json.loads(text)) == result


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"columns": "x", "dataset_grade": "L1", "flags": [], "rules": []},
        {"columns": [], "dataset_grade": "L9", "flags": [], "rules": []},
        {"columns": [], "dataset_grade": "L1", "flags": [1], "rules": []},
        {"columns": [{"name": "a"}], "dataset_grade": "L1", "flags": [], "rules": []},
    ],
)
def test_from_dict_rejects_bad_input(bad: dict[str, object]) -> None:
    with pytest.raises((DataError, ConfigError)):
        DatasetClassification.from_dict(bad)
