from __future__ import annotations

import pyarrow as pa

from etl.protect.masks import (
    generalize_birth_date,
    mask_address,
    mask_bank_card,
    mask_id_card,
    mask_mobile_phone,
    mask_person_name,
    mask_uscc,
)


def run(fn: object, values: list[str | None]) -> list[str | None]:
    assert callable(fn)
    out = fn(pa.array(values, pa.string()))
    assert len(out) == len(values)
    return list(out.to_pylist())


def test_mask_id_card() -> None:
    assert run(mask_id_card, ["110101199003071234", "11010519491231002x", "110105491231002"]) == [
        "110101********1234",
        "110105********002X",
        "110105*****1002",
    ]
    assert run(mask_id_card, ["1234567890", "123", None]) == ["**********", "***", None]


def test_mask_mobile_phone() -> None:
    assert run(
        mask_mobile_phone, ["13812345678", "+86 138-1234-5678", "8613812345678", "1234567", None]
    ) == ["138****5678", "138****5678", "138****5678", "*******", None]


def test_mask_bank_card() -> None:
    assert run(mask_bank_card, ["6222021234561234", "6222 0212 3456 7890 128"]) == [
        "6222********1234",
        "6222***********0128",
    ]


def test_mask_person_name() -> None:
    assert run(
        mask_person_name,
        ["张三", "张三丰", "欧阳娜娜", "司马光", "欧阳", "阿依古丽·买买提", "王", " 李四 ", None],
    ) == ["张*", "张**", "欧阳**", "司马*", "欧*", "阿*******", "*", "李*", None]


def test_mask_address() -> None:
    assert run(
        mask_address,
        [
            "北京市朝阳区建国路88号",
            "浙江省杭州市西湖区文三路90号3幢2单元501室",
            "河北省某某县某某镇某某村3组",
            "某某镇某某村3组",
            "短地址",
            None,
        ],
    ) == ["北京市朝阳区", "浙江省杭州市西湖区", "河北省某某县", "某某镇某某村***", "***", None]


def test_mask_uscc_is_identity() -> None:
    assert run(mask_uscc, ["91110000600037341L"]) == ["91110000600037341L"]


def test_generalize_birth_date() -> None:
    assert run(
        generalize_birth_date,
        [
            "1990-05-12",
            "19900512",
            "1990年5月12日",
            "1990/5/12",
            "1990",
            "12/05/1990",
            "199005",
            None,
        ],
    ) == ["1990", "1990", "1990", "1990", "1990", None, None, None]


def test_masks_accept_chunked_and_non_string_input() -> None:
    chunked = pa.chunked_array([["13812345678"], ["13912345678"]])
    assert mask_mobile_phone(chunked).to_pylist() == ["138****5678", "139****5678"]
    ints = pa.array([13812345678], pa.int64())
    assert mask_mobile_phone(ints).to_pylist() == ["138****5678"]


def test_mask_address_equals_its_definition_on_random_text() -> None:
    # The byte search must give what the definition says: up to the first 区 or 县, else the
    # first six characters and ***, a short value ***; whitespace trimmed, nulls null.
    import random
    import re

    rng = random.Random(7)
    alphabet = "北京市朝阳区县路号村镇 12ab😀"
    values = [
        None if rng.random() < 0.1 else "".join(rng.choices(alphabet, k=rng.randint(0, 14)))
        for _ in range(5000)
    ]
    expected = []
    for value in values:
        text = None if value is None else value.strip(" \t\n\r\f\v\u00a0\u3000")
        if text is None:
            expected.append(None)
        elif match := re.match(r"(?s)(.*?[区县])", text):
            expected.append(match.group(1))
        else:
            expected.append(text[:6] + "***" if len(text) > 6 else "***")
    assert run(mask_address, values) == expected
    sliced = pa.array(values, pa.string()).slice(7, 3000)
    assert mask_address(sliced).to_pylist() == expected[7:3007]


def test_generalize_typed_birth_dates_like_text() -> None:
    import datetime as dt

    days = [
        dt.date(1990, 5, 12),
        None,
        dt.date(1799, 12, 31),
        dt.date(2099, 1, 1),
        dt.date(2100, 1, 1),
    ]
    typed = generalize_birth_date(pa.array(days, pa.date32())).to_pylist()
    assert typed == ["1990", None, None, "2099", None]
    assert typed == run(generalize_birth_date, [d.isoformat() if d else None for d in days])
