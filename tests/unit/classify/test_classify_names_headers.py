"""Headers as departments write them: roles, qualifiers, exports, codes, finance, entities."""

from __future__ import annotations

import pytest

from etl.classify.name_terms import CATEGORY_TERMS, LEGAL_REPRESENTATIVE, MINOR_ROLE, PERSON_ROLE
from etl.classify.name_terms_codes import HEALTH_CODES, SOCIAL_SECURITY_CODES
from etl.classify.names import (
    NameHint,
    category_hints,
    entity_hint,
    free_text_hint,
    quasi_identifier_hint,
    tokenize,
)


def only(name: str) -> NameHint:
    hints = category_hints(name)
    assert len(hints) == 1, hints
    return hints[0]


def summary(name: str) -> tuple[str, bool, str | None]:
    hint = only(name)
    return hint.category, hint.ambiguous, hint.role


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("jkrxm", ("person_name", False, PERSON_ROLE)),
        ("jhrdh", ("mobile_phone", False, PERSON_ROLE)),
        ("hzxm", ("person_name", False, PERSON_ROLE)),
        ("lxrsj", ("mobile_phone", False, PERSON_ROLE)),
        ("jjlxrdh", ("mobile_phone", False, PERSON_ROLE)),
        ("frsfzh", ("id_card", False, LEGAL_REPRESENTATIVE)),
        ("frxm", ("person_name", False, LEGAL_REPRESENTATIVE)),
        ("jhrsjhm", ("mobile_phone", False, PERSON_ROLE)),
        ("sqrlxdh", ("mobile_phone", False, PERSON_ROLE)),
        ("etxm", ("person_name", False, MINOR_ROLE)),
        ("xse_csrq", ("birth_date", False, MINOR_ROLE)),
        ("JKR_XM", ("person_name", False, PERSON_ROLE)),
        ("jhr_dh", ("mobile_phone", False, PERSON_ROLE)),
        ("czsfzh", ("id_card", False, PERSON_ROLE)),
    ],
)
def test_pinyin_role_and_field(name: str, expected: tuple[str, bool, str | None]) -> None:
    assert summary(name) == expected


def test_the_role_makes_an_ambiguous_field_a_persons() -> None:
    assert only("xm").ambiguous and not only("jkrxm").ambiguous
    assert only("dh").ambiguous and not only("jhrdh").ambiguous


@pytest.mark.parametrize("name", ["czsj", "xsdh", "xssj", "ygdh"])
def test_weak_initials_with_an_ambiguous_field_do_not_hint(name: str) -> None:
    # 操作时间, 销售单号, 销售时间, 预估单号: far more common than 车主手机 or 学生电话.
    assert category_hints(name) == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fwzl", ("address", False, None)),
        ("xzz", ("address", False, None)),
        ("hjd", ("address", False, None)),
        ("jtdz", ("address", False, None)),
        ("房屋坐落", ("address", False, None)),
        ("zl", ("address", True, None)),
    ],
)
def test_address_compounds(name: str, expected: tuple[str, bool, str | None]) -> None:
    assert summary(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("监护人电话", ("mobile_phone", False, PERSON_ROLE)),
        ("借款人姓名", ("person_name", False, PERSON_ROLE)),
        ("紧急联系人手机", ("mobile_phone", False, PERSON_ROLE)),
        ("监护人_电话", ("mobile_phone", False, PERSON_ROLE)),
        ("儿童姓名", ("person_name", False, MINOR_ROLE)),
        ("受种者出生日期", ("birth_date", False, MINOR_ROLE)),
        ("法定代表人身份证号", ("id_card", False, LEGAL_REPRESENTATIVE)),
        ("监护人", ("person_name", False, PERSON_ROLE)),
        ("企业法定代表人", ("person_name", False, LEGAL_REPRESENTATIVE)),
    ],
)
def test_chinese_role_and_field(name: str, expected: tuple[str, bool, str | None]) -> None:
    assert summary(name) == expected


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("身份证号（18位）", "id_card"),
        ("居住地址(详细)", "address"),
        ("姓名【必填】", "person_name"),
        ("姓名必填", "person_name"),
        ("出生日期(yyyy-mm-dd)", "birth_date"),
        ("csrq_YYYYMMDD", "birth_date"),
        ("手机号码*", "mobile_phone"),
        ("证件号码：", "id_card"),
        ("身份证号码（加密）", "id_card"),
    ],
)
def test_qualifiers_neither_stop_nor_add_a_match(name: str, category: str) -> None:
    assert [h.category for h in category_hints(name)] == [category]


def test_both_halves_of_a_slashed_header_hint() -> None:
    assert {h.term for h in category_hints("联系电话/手机")} == {"联系电话", "手机"}


def test_a_bracket_counts_when_the_rest_says_nothing() -> None:
    assert [h.category for h in category_hints("c7(身份证号)")] == ["id_card"]
    assert [h.category for h in category_hints("姓名(XM)")] == ["person_name"]
    assert not category_hints("姓名(XM)")[0].ambiguous


def test_a_date_mask_is_no_password() -> None:
    assert category_hints("dt(yyyy-mm-dd hh24:mi:ss)") == ()
    assert quasi_identifier_hint("出生日期(yyyy-mm-dd)") is not None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("guardianPhone", ("mobile_phone", False, PERSON_ROLE)),
        ("childName", ("person_name", False, MINOR_ROLE)),
        ("patientIdNo", ("id_card", False, PERSON_ROLE)),
        ("borrowerName", ("person_name", False, PERSON_ROLE)),
        ("borrower_name", ("person_name", False, PERSON_ROLE)),
        ("propertyAddress", ("address", False, None)),
        ("contactMobile", ("mobile_phone", False, PERSON_ROLE)),
        ("homeAddr", ("address", False, PERSON_ROLE)),
        ("idCardNumber", ("id_card", False, None)),
        ("emergencyContactTel", ("mobile_phone", False, PERSON_ROLE)),
        ("legalPersonName", ("person_name", False, LEGAL_REPRESENTATIVE)),
        ("studentIdCard", ("id_card", False, MINOR_ROLE)),
        ("insured_name", ("person_name", False, PERSON_ROLE)),
        ("stationContactName", ("person_name", False, PERSON_ROLE)),
        ("holderCertNo", ("id_card", False, PERSON_ROLE)),
    ],
)
def test_english_exports(name: str, expected: tuple[str, bool, str | None]) -> None:
    assert summary(name) == expected


def test_a_certificate_number_alone_is_weak() -> None:
    assert summary("certNo") == ("id_card", True, None)
    assert summary("certificateNo") == ("id_card", True, None)


@pytest.mark.parametrize(
    "name", ["stationName", "hospital_name", "orgName", "companyName", "单位姓名"]
)
def test_an_entitys_name_is_no_persons(name: str) -> None:
    assert category_hints(name) == ()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("hospitalAddress", ("address", False, "org_address")),
        ("stationAddr", ("address", False, "org_address")),
        ("orgTel", ("mobile_phone", True, "org_contact")),
        ("companyPhone", ("mobile_phone", False, "org_contact")),
        ("医院地址", ("address", False, "org_address")),
        ("监测站点电话", ("mobile_phone", True, "org_contact")),
    ],
)
def test_an_entitys_address_and_phone(name: str, expected: tuple[str, bool, str | None]) -> None:
    assert summary(name) == expected


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("AAC003", "person_name"),
        ("aac003", "person_name"),
        ("t.aac003", "person_name"),
        ("AAC003_1", "person_name"),
        ("prm_aac003", "person_name"),
        ("AAC002", "id_card"),
        ("AAC147", "id_card"),
        ("AAC001", "social_security"),
        ("AAE005", "mobile_phone"),
        ("AAE006", "address"),
        ("AAE010", "bank_card"),
        ("AAE180", "personal_finance"),
        ("AAC040", "personal_finance"),
        ("DE02.01.039.00", "person_name"),
        ("DE02_01_039_00", "person_name"),
        ("WS02_01_039_001", "person_name"),
        ("DE02.01.039.00.178", "person_name"),
        ("de02.01.030.00", "id_card"),
        ("DE02.01.005.01", "birth_date"),
    ],
)
def test_data_element_codes(name: str, category: str) -> None:
    assert summary(name)[:2] == (category, False)


@pytest.mark.parametrize(
    ("name", "kind"),
    [("AAC004", "gender"), ("AAC006", "birth_date/age"), ("AAE007", "postcode")],
)
def test_data_element_codes_of_quasi_identifiers(name: str, kind: str) -> None:
    hint = quasi_identifier_hint(name)
    assert hint is not None and hint.category == kind


def test_codes_keep_their_digits_and_other_tokens_do_not() -> None:
    assert tokenize("t.AAC003_1") == (["t", "aac003"], [])
    assert tokenize("DE02.01.039.00") == (["de02.01.039"], [])
    assert tokenize("sfzh_1") == (["sfzh"], [])
    assert tokenize("xm2") == (["xm"], [])
    # An unknown code is not its letters: AAC031 is no 'aac'.
    assert category_hints("AAC031") == () and category_hints("AAC9999") == ()
    # A code-shaped token no code list knows is read as its letters, as before.
    assert [h.term for h in category_hints("sjh123")] == ["sjh"]


def test_every_code_is_a_whole_token_term() -> None:
    for code in (*SOCIAL_SECURITY_CODES, *HEALTH_CODES):
        assert tokenize(code.upper())[0] == [code]
        assert code in CATEGORY_TERMS


@pytest.mark.parametrize(
    "name",
    [
        "应发工资",
        "实发工资",
        "月收入",
        "缴费基数",
        "个人缴费",
        "贷款金额",
        "贷款余额",
        "存款余额",
        "账户余额",
        "救助金额",
        "养老金",
        "jfjs",
        "jfgz",
        "yfgz",
        "sfgz",
        "dkje",
        "jkje",
        "dkye",
        "ckye",
        "ffje",
        "bzje",
        "jzje",
        "btje",
        "ylj",
        "txj",
        "salary",
        "wage",
        "contributionBase",
        "loanAmount",
        "deposit",
        "pensionAmount",
        "monthlyIncome",
        "缴费基数（元）",
    ],
)
def test_personal_finance_headers(name: str) -> None:
    assert summary(name)[:2] == ("personal_finance", False)


@pytest.mark.parametrize("name", ["金额", "je", "amount", "gz", "balance", "余额", "营业收入"])
def test_bare_amounts_are_weak(name: str) -> None:
    assert summary(name) == ("personal_finance", True, None)


@pytest.mark.parametrize(
    "name",
    [
        "xmmc",
        "xmbm",
        "ddh",
        "order_no",
        "创建时间",
        "项目名称",
        "station_code",
        "czsj",
        "jdmc",
    ],
)
def test_negatives(name: str) -> None:
    assert category_hints(name) == ()


@pytest.mark.parametrize(("name", "category"), [("zdmc", "health"), ("jd", "geo_coordinate")])
def test_ambiguous_initials_stay_weak(name: str, category: str) -> None:
    assert summary(name) == (category, True, None)


@pytest.mark.parametrize(
    "name",
    [
        "机构名称",
        "单位名称",
        "站点名称",
        "监测点名称",
        "医院名称",
        "学校名称",
        "企业名称",
        "场所名称",
        "机构代码",
        "jgmc",
        "dwmc",
        "yymc",
        "xxmc",
        "qymc",
        "dwbm",
        "stationName",
        "station_id",
        "hospital_name",
        "orgName",
        "companyName",
        "facility",
        "site",
        "AAB004",
        "单位名称【必填】",
    ],
)
def test_entity_hints(name: str) -> None:
    hint = entity_hint(name)
    assert hint is not None and hint.category == "entity" and not hint.ambiguous


@pytest.mark.parametrize("name", ["zdmc", "单位", "dept"])
def test_ambiguous_entity_hints(name: str) -> None:
    hint = entity_hint(name)
    assert hint is not None and hint.ambiguous


@pytest.mark.parametrize(
    "name",
    [
        "工作单位名称",
        "所属机构",
        "patientHospital",
        "stationContactName",
        "stationLng",
        "医院地址",
        "医疗机构地址",
        "xm",
        "姓名",
    ],
)
def test_not_entity_hints(name: str) -> None:
    assert entity_hint(name) is None


def test_entity_hint_from_a_comment() -> None:
    hint = entity_hint("c3", "监测站名称")
    assert hint is not None and hint.source == "comment"


def test_role_compounds_of_quasi_identifiers() -> None:
    hint = quasi_identifier_hint("etcsrq")
    assert hint is not None and (hint.category, hint.role) == ("birth_date/age", MINOR_ROLE)


def test_free_text_hints_ignore_bracketed_qualifiers() -> None:
    assert free_text_hint("备注(选填)") is not None
    assert free_text_hint("金额(元)") is None


def test_hints_never_carry_the_raw_header() -> None:
    # Terms are dictionary words: a header's free part (here a value pasted into it) is not.
    for hint in category_hints("监护人电话13812345678"):
        assert "138" not in hint.describe()
