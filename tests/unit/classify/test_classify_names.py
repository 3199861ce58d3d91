from __future__ import annotations

import pytest

from etl.classify.names import category_hints, quasi_identifier_hint, tokenize


def cats(name: str, comment: str | None = None) -> set[str]:
    return {h.category for h in category_hints(name, comment)}


def terms(name: str) -> list[str]:
    return [h.term for h in category_hints(name)]


@pytest.mark.parametrize(
    ("name", "latin", "chinese"),
    [
        ("sfzh", ["sfzh"], []),
        ("SFZH_2", ["sfzh"], []),
        ("idCardNo", ["id", "card", "no"], []),
        ("IDCard", ["id", "card"], []),
        ("lxdh-1", ["lxdh"], []),
        ("hjdz_户籍地址", ["hjdz"], ["户籍地址"]),
        ("公民身份号码（加密）", [], ["公民身份号码", "加密"]),
    ],
)
def test_tokenize(name: str, latin: list[str], chinese: list[str]) -> None:
    assert tokenize(name) == (latin, chinese)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("sfzh", "id_card"),
        ("GMSFHM", "id_card"),
        ("zjhm", "id_card"),
        ("id_card", "id_card"),
        ("idCardNo", "id_card"),
        ("身份证号", "id_card"),
        ("申请人身份证号码", "id_card"),
        ("公民身份号码", "id_card"),
        ("xm", "person_name"),
        ("姓名", "person_name"),
        ("lxdh", "mobile_phone"),
        ("sjhm", "mobile_phone"),
        ("手机号", "mobile_phone"),
        ("联系电话", "mobile_phone"),
        ("hjdz", "address"),
        ("户籍地址", "address"),
        ("住址", "address"),
        ("yhkh", "bank_card"),
        ("银行卡号", "bank_card"),
        ("tyshxydm", "uscc"),
        ("credit_code", "uscc"),
        ("统一社会信用代码", "uscc"),
        ("fddbr", "person_name"),
        ("法定代表人", "person_name"),
    ],
)
def test_category_hints(name: str, category: str) -> None:
    assert category in cats(name)


@pytest.mark.parametrize(
    "name", ["xmmc", "xmbh", "sfzhx", "dzzt", "project_id", "地址类型", "项目名称"]
)
def test_no_substring_matches(name: str) -> None:
    assert cats(name) == set()


def test_ambiguous_and_roles() -> None:
    (xm,) = category_hints("xm")
    assert xm.ambiguous and xm.describe() == "name hint 'xm' (ambiguous)"
    (sfzh,) = category_hints("sfzh")
    assert not sfzh.ambiguous and sfzh.describe() == "name hint 'sfzh'"
    (rep,) = category_hints("fddbr")
    assert rep.role == "legal_representative"
    assert category_hints("dh")[0].ambiguous


def test_longest_match_wins() -> None:
    assert terms("idCardNo") == ["id card no"]
    assert terms("户籍地址") == ["户籍地址"]


def test_comment_is_extra_evidence() -> None:
    hints = category_hints("c7", "身份证号码（脱敏前）")
    assert [(h.category, h.source) for h in hints] == [("id_card", "comment")]
    assert hints[0].describe() == "comment hint '身份证号码'"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("xb", "gender"),
        ("性别", "gender"),
        ("mz", "ethnicity"),
        ("csrq", "birth_date/age"),
        ("出生日期", "birth_date/age"),
        ("nl", "birth_date/age"),
        ("区县", "district"),
        ("zy", "occupation"),
        ("工作单位", "employer"),
        ("邮编", "postcode"),
    ],
)
def test_quasi_identifier_hints(name: str, kind: str) -> None:
    hint = quasi_identifier_hint(name)
    assert hint is not None and hint.category == kind


def test_no_quasi_identifier_hint() -> None:
    assert quasi_identifier_hint("amount") is None
    assert quasi_identifier_hint("xbmc_code_extra") is None
