"""Name hints for every category, ambiguity, roles and free-text names."""

from __future__ import annotations

from dataclasses import replace

import pytest

from etl.classify.categories import CATEGORIES, get_category
from etl.classify.name_terms import CATEGORY_TERMS, category_terms
from etl.classify.name_terms_codes import HEALTH_CODES, SOCIAL_SECURITY_CODES
from etl.classify.name_terms_kinds import FREE_TEXT_TERMS
from etl.classify.names import category_hints, free_text_hint


def cats(name: str) -> set[str]:
    return {h.category for h in category_hints(name)}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("zzjgdm", "org_code"),
        ("组织机构代码", "org_code"),
        ("gddh", "landline_phone"),
        ("固定电话", "landline_phone"),
        ("hzhm", "passport"),
        ("护照号码", "passport"),
        ("hphm", "license_plate"),
        ("车牌号码", "license_plate"),
        ("email", "email"),
        ("E-mail", "email"),
        ("电子邮箱", "email"),
        ("clientIp", "ip_address"),
        ("ip_addr", "ip_address"),
        ("lng", "geo_coordinate"),
        ("经度", "geo_coordinate"),
        ("csrq", "birth_date"),
        ("出生日期", "birth_date"),
        ("xb", "gender"),
        ("性别", "gender"),
        ("民族", "ethnicity"),
        ("zjxy", "religion"),
        ("宗教信仰", "religion"),
        ("zdmc", "health"),
        ("诊断名称", "health"),
        ("残疾类别", "health"),
        ("rlzp", "biometric"),
        ("人脸照片", "biometric"),
        ("bdcqzh", "property_cert"),
        ("不动产权证号", "property_cert"),
        ("sbkh", "social_security"),
        ("社会保障号码", "social_security"),
        ("password", "credential"),
        ("验证码", "credential"),
        ("jyaq", "criminal_record"),
        ("简要案情", "criminal_record"),
        ("hzxm", "person_name"),
        ("患者姓名", "person_name"),
    ],
)
def test_every_category_has_names(name: str, category: str) -> None:
    assert category in cats(name)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("xm", "person_name"),
        ("mz", "ethnicity"),
        ("zd", "health"),
        ("jd", "geo_coordinate"),
        ("sj", "mobile_phone"),
        ("dh", "mobile_phone"),
        ("zh", "bank_card"),
        ("mm", "credential"),
    ],
)
def test_ambiguous_abbreviations_are_weak(name: str, category: str) -> None:
    (hint,) = category_hints(name)
    assert (hint.category, hint.ambiguous) == (category, True)


def test_roles() -> None:
    assert category_hints("zcdz")[0].role == "org_address"
    assert category_hints("办公电话")[0].role == "org_contact"
    assert category_hints("xzcf")[0].role == "public_penalty"


def test_free_text_names() -> None:
    assert free_text_hint("bz") is not None and free_text_hint("备注信息") is not None
    assert free_text_hint("remark_2") is not None
    assert free_text_hint("c1", "情况说明") is not None
    assert free_text_hint("bzxx") is None and free_text_hint("amount") is None
    assert "bz" in FREE_TEXT_TERMS


def test_no_term_is_listed_twice() -> None:
    listed = [w for c in CATEGORIES for words in c.headers for w in words.words.split(",")]
    assert len(CATEGORY_TERMS) == len(listed) + len(SOCIAL_SECURITY_CODES) + len(HEALTH_CODES)
    twice = replace(get_category("email"), id="email_copy")
    with pytest.raises(ValueError, match="listed twice"):
        category_terms([*CATEGORIES, twice])


@pytest.mark.parametrize("name", ["xmmc", "mzh", "jdmc", "zdbh_x", "项目名称", "门诊号"])
def test_substrings_do_not_hint(name: str) -> None:
    assert cats(name) == set()
