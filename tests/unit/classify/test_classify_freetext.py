"""Free-text columns: every value scanned with CJK-safe boundaries, narrative is L4."""

from __future__ import annotations

import random

import pyarrow as pa

from etl.classify import classify_table
from etl.classify.freetext import MAX_CONFIRM, looks_like_prose, scan_free_text


def remarks(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    words = ["已核实", "材料齐全", "同意办理", "待补充材料", "按规定发放", "本人到场", "代办"]
    return [f"{rng.choice(words)}，{rng.choice(words)}，编号{i}" for i in range(n)]


def test_phone_glued_to_han_characters_is_found() -> None:
    scan = scan_free_text(pa.array(["电话13812345678", "联系13912345678号", "x13812345678"]))
    assert scan.hits == {"mobile_phone": 2}  # the Latin-glued one is not a phone


def test_every_kind_of_identifier_in_prose() -> None:
    values = [
        "身份证11010519491231002X办理",
        "邮箱 a.b@example.com 谢谢",
        "车牌鄂A12345违停",
        "固话027-87654321",
        "卡号6222021234567890128",
        "订单号123456789012345678",
        "普通备注",
        None,
    ]
    scan = scan_free_text(pa.array(values))
    assert scan.scanned == 7
    assert scan.hits == {
        "id_card": 1,
        "email": 1,
        "license_plate": 1,
        "landline_phone": 1,
        "bank_card": 1,
    }


def test_rare_phones_in_a_large_column_are_all_found() -> None:
    rng = random.Random(3)
    values = remarks(200_000)
    for i in rng.sample(range(len(values)), 25):
        values[i] = f"请联系13{rng.randrange(3, 10)}{rng.randrange(10**8):08d}处理"
    table = pa.table({"bz": values})
    column = classify_table(table).column("bz")
    assert (column.category, column.grade) == ("mobile_phone", "L3")
    assert "every value scanned (200000)" in column.evidence
    assert "mobile_phone in 25 values" in column.evidence


def test_many_candidates_are_estimated_from_a_sample() -> None:
    values = [f"电话1381234{i % 10000:04d}" for i in range(MAX_CONFIRM * 2)]
    scan = scan_free_text(pa.array(values))
    assert scan.hits["mobile_phone"] == MAX_CONFIRM * 2


def test_prose_without_personal_data_stays_none() -> None:
    table = pa.table({"bz": remarks(500), "comment_2": remarks(500, seed=2)})
    result = classify_table(table)
    assert {c.category for c in result.columns} == {"none"}


def test_case_and_medical_narrative_is_l4() -> None:
    cases = [f"嫌疑人某某于{i}日涉嫌盗窃被行政拘留" for i in range(100)]
    notes = [f"患者主诉头痛{i}天，诊断为偏头痛，予对症治疗" for i in range(100)]
    result = classify_table(pa.table({"jyaq": cases, "bz": notes}))
    assert (result.column("jyaq").category, result.column("jyaq").grade) == (
        "criminal_record",
        "L4",
    )
    assert (result.column("bz").category, result.column("bz").grade) == ("health", "L4")
    assert "health narrative" in result.column("bz").evidence


def test_narrative_threshold_is_lower_with_a_name() -> None:
    mixed = [f"涉嫌诈骗{i}" if i % 10 == 0 else f"情况正常第{i}号" for i in range(300)]
    scan = scan_free_text(pa.array(mixed))
    assert scan.narrative() is None
    assert scan.narrative("criminal_record") == "criminal_record"


def test_looks_like_prose() -> None:
    assert looks_like_prose(pa.array(remarks(100)))
    assert not looks_like_prose(pa.array(["男", "女"] * 50))
    assert not looks_like_prose(pa.array([f"ORD{i:012d}" for i in range(100)]))
    assert not looks_like_prose(pa.array([], pa.string()))


def test_evidence_of_a_scan_has_no_values() -> None:
    values = [*remarks(50), "联系人电话13812345678", "身份证号11010519491231002X"]
    column = classify_table(pa.table({"备注": values})).column("备注")
    assert column.category == "id_card"
    assert "13812345678" not in column.evidence and "11010519491231002X" not in column.evidence
