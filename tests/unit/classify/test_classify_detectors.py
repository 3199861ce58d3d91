from __future__ import annotations

import random

import pyarrow as pa
import pytest
from stdnum import luhn
from stdnum.cn import uscc
from stdnum.iso7064 import mod_11_2

from etl.classify import DEFAULT_GRADES, detectors, get_detector, register
from etl.classify.detectors.id_card import normalize_one, to_18


def make_id(prefix: str = "110105", birth: str = "19900307", seq: str = "123") -> str:
    body = prefix + birth + seq
    return body + mod_11_2.calc_check_digit(body)


def make_card(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def check(category: str, values: list[str | None]) -> list[bool]:
    return get_detector(category).check(pa.array(values, pa.string())).to_pylist()


def test_registry_holds_a_detector_for_every_category() -> None:
    cats = [d.category for d in detectors()]
    assert set(cats) == set(DEFAULT_GRADES) - {"none"}
    assert cats[:4] == ["id_card", "uscc", "org_code", "bank_card"]
    for d in detectors():
        assert d.default_grade == DEFAULT_GRADES[d.category]
        assert d.description
    strong = {d.category for d in detectors() if d.strong}
    assert strong == {
        "id_card",
        "uscc",
        "org_code",
        "bank_card",
        "email",
        "ip_address",
        "license_plate",
        "biometric",
        "property_cert",
    }


def test_register_refuses_duplicate_category() -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(get_detector("id_card"))


def test_id_card_public_vectors_and_normalization() -> None:
    valid = [
        "11010519491231002X",
        "11010519491231002x",
        "440524188001010014",
        " 110105 19491231 002X ",
        "110105-19491231-002X",
        make_id("810000", "19850101", "001"),  # 港澳台居住证
        make_id("911000", "19800101", "001"),  # foreign permanent residence ID (2023 form)
        "110105491231002",  # legacy 15-digit
    ]
    assert all(check("id_card", valid))


def test_id_card_rejects_bad_checksum_province_date_and_shape() -> None:
    good = make_id()
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad = [
        wrong_check,
        make_id(prefix="990105"),  # province 99 does not exist
        make_id(prefix="000105"),
        make_id(birth="19900230"),  # 30 February
        make_id(birth="18000101"),  # before 1850
        make_id(birth="29990101"),  # in the future
        "110105491331002",  # 15-digit with month 13
        good[:17],
        good + "1",
        "",
        None,
        "abcdefghijklmnopqr",
    ]
    assert not any(check("id_card", bad))


def test_to_18_and_normalize() -> None:
    assert to_18("110105491231002") == "11010519491231002X"
    assert normalize_one("110105491231002") == "11010519491231002X"
    assert normalize_one(" 11010519491231002x ") == "11010519491231002X"
    with pytest.raises(ValueError):
        to_18("1234")


def test_random_18_digit_numbers_rarely_pass_id_card() -> None:
    rng = random.Random(7)
    values = [str(rng.randrange(10**17, 10**18)) for _ in range(2000)]
    share = sum(check("id_card", values)) / len(values)
    assert share < 0.01


def test_uscc_vectors_including_letter_department_codes() -> None:
    letter = "N2110000MA0000000"
    letter_code = letter + uscc.calc_check_digit(letter)
    assert not uscc.is_valid(letter_code)  # stdnum's validate rejects it; we must not
    values = ["91110000600037341L", "91110000600037341l", letter_code, "91110108MA01ABCDEN"]
    assert all(check("uscc", values))
    assert not any(check("uscc", ["91110000600037341M", "91110000600037341", "9111000060003734IL"]))


def test_bank_card_luhn() -> None:
    assert all(
        check(
            "bank_card",
            [
                "4111111111111111",
                make_card("622202123456789012"),
                "6222 0212 3456 7890 128",
                make_card("621700000001"),  # 13 digits
            ],
        )
    )
    assert not any(check("bank_card", ["4111111111111112", "411111111111", "62220212345678901234"]))


def test_mobile_phone_formats() -> None:
    ok = [
        "13812345678",
        "+86 138-1234-5678",
        "86 150 1234 5678",
        "0086 19912345678",
        "(+86)13912345678",
    ]
    assert all(check("mobile_phone", ok))
    bad = ["12345678901", "10012345678", "1381234567", "138123456789", "01012345678", "hello"]
    assert not any(check("mobile_phone", bad))


def test_person_name() -> None:
    ok = ["张三", "王小明", "欧阳娜娜", "司马相如", "诸葛亮", "阿依古丽·买买提", " 李四 "]
    assert all(check("person_name", ok))
    bad = ["道路改造工程", "张", "Zhang San", "好人好事", "张三丰李四", "有限公司", "123"]
    assert not any(check("person_name", bad))


def test_address() -> None:
    ok = [
        "北京市朝阳区建国路88号",
        "浙江省杭州市西湖区文三路90号3幢2单元501室",
        "湖北省武汉市洪山区关山村5组",
        "建国路88号",
        "430022 武汉市江汉区建设大道568号",  # a postal code first
        "84177 臺東市中華街507號9樓",  # traditional characters (港澳台居民)
        "100 臺北市大安區忠孝東路四段100號5樓",
        "幸福小区3栋2单元501室",  # a residential compound without its city
    ]
    assert all(check("address", ok))
    bad = ["道路改造工程", "北京市", "市政道路改造", "13812345678", "张三", "430022", "中心城区"]
    assert not any(check("address", bad))


def test_checks_accept_chunked_and_non_string_arrays() -> None:
    chunked = pa.chunked_array([["13812345678"], ["12345678901"]])
    assert get_detector("mobile_phone").check(chunked).to_pylist() == [True, False]
    ints = pa.array([4111111111111111, 4111111111111112], pa.int64())
    assert get_detector("bank_card").check(ints).to_pylist() == [True, False]
