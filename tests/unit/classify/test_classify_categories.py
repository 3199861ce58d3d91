"""The category table: one record per category, and every derived table agrees with it."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.classify import DEFAULT_GRADES, detectors, get_detector
from etl.classify.canonical import canonical_one, form_of
from etl.classify.categories import CATEGORIES, NONE, by_id, find_category, get_category
from etl.classify.category import Category, InText, Shared, Words
from etl.classify.detectors.registry import detector_table
from etl.classify.freetext import PATTERNS, free_text_patterns, scan_free_text
from etl.classify.grades import DIRECT_IDENTIFIERS, default_grades, direct_identifiers
from etl.classify.name_terms import CATEGORY_TERMS, Term, category_terms
from etl.classify.names import category_hints
from etl.classify.rules_persons import NOT_PERSONAL
from etl.text.canonical import FORMS
from etl.text.strings import regex_mask
from etl.validate.suggest import CATEGORY_FORMATS

#: The category ids of classification.md §3 (plus personal_finance and online_account, GB/T
#: 35273's 个人财产信息 and 网络身份标识信息).
SPEC_IDS = {
    *("id_card", "uscc", "org_code", "mobile_phone", "landline_phone", "bank_card", "passport"),
    "online_account",
    *("license_plate", "email", "ip_address", "geo_coordinate", "address", "person_name"),
    *("birth_date", "gender", "ethnicity", "religion", "health", "biometric", "property_cert"),
    *("social_security", "credential", "criminal_record", "personal_finance"),
}


def _check_vin(values: pa.Array) -> pa.Array:
    return regex_mask(pc.ascii_upper(values), r"^[A-HJ-NPR-Z0-9]{17}$")


#: A category the table does not have: 车辆识别代号 (VIN), as someone would add it.
VIN = Category(
    id="vin",
    title="车辆识别代号",
    grade="L3",
    check=_check_vin,
    description="车辆识别代号: 17 characters without I, O, Q",
    strong=True,
    headers=(Words("vin,clsbdh,车辆识别代号,车架号"), Words("cjh", ambiguous=True)),
    in_text=InText("[A-HJ-NPR-Z0-9]{17}", lambda m: any(ch.isdigit() for ch in m)),
    canonical="plate",
    suite_format=r"^[A-HJ-NPR-Z0-9]{17}$",
    identifies_person=True,
)


def test_every_category_has_exactly_one_record() -> None:
    ids = [c.id for c in CATEGORIES]
    assert len(ids) == len(set(ids))
    assert set(ids) == SPEC_IDS
    assert NONE not in ids and find_category(NONE) is None
    for c in CATEGORIES:
        assert get_category(c.id) is c
        assert c.title and c.description and c.headers
    with pytest.raises(ValueError, match="defined twice"):
        by_id([*CATEGORIES, replace(get_category("email"), title="邮箱")])
    with pytest.raises(ValueError, match="reserved"):
        by_id([replace(get_category("email"), id=NONE)])


def test_the_detector_registry_is_the_table() -> None:
    assert [d.category for d in detectors()] == [c.id for c in CATEGORIES]
    for c in CATEGORIES:
        d = get_detector(c.id)
        assert (d.default_grade, d.strong, d.clear_name_only) == (
            c.grade,
            c.strong,
            c.clear_name_only,
        )
        assert d.check is c.check and d.description == c.description


def test_derived_tables_agree_with_the_records() -> None:
    assert {NONE: "L2", **{c.id: c.grade for c in CATEGORIES}} == DEFAULT_GRADES
    assert {c.id for c in CATEGORIES if c.identifies_person} == DIRECT_IDENTIFIERS
    assert {NONE, "uscc", "org_code"} == NOT_PERSONAL
    assert {info.category for info in CATEGORY_TERMS.values()} == {c.id for c in CATEGORIES}
    for c in CATEGORIES:
        for words in c.headers:
            for word in words.words.split(","):
                term = CATEGORY_TERMS[word.replace("_", " ")]
                assert term == Term(c.id, words.ambiguous, words.role)
    assert set(PATTERNS) == {c.id for c in CATEGORIES if c.in_text is not None}
    assert {c.id: c.suite_format for c in CATEGORIES if c.suite_format} == CATEGORY_FORMATS
    for c in CATEGORIES:
        assert c.canonical in FORMS and form_of(c.id) == c.canonical
        has_form = c.shared in (Shared.MASKED, Shared.GENERALIZED)
        assert (c.shared_form is not None) == has_form, c.id
    assert form_of(NONE) == "text"


def test_a_new_record_reaches_every_derived_table() -> None:
    table = (*CATEGORIES, VIN)
    assert list(detector_table(table))[-1] == "vin"
    assert detector_table(table)["vin"].check(pa.array(["LSVAU2180N2183294"])).to_pylist() == [True]
    assert default_grades(table)["vin"] == "L3"
    assert "vin" in direct_identifiers(table)
    terms = category_terms(table)
    assert terms["车架号"] == Term("vin") and terms["cjh"] == Term("vin", ambiguous=True)
    assert terms["车牌号"] == CATEGORY_TERMS["车牌号"]  # the others stay as they were
    assert list(free_text_patterns(table)) == [*PATTERNS, "vin"]
    assert VIN.shared is Shared.TOKENIZED  # fail closed unless the record says otherwise


def test_records_drive_hints_scan_and_canonical_forms() -> None:
    assert {h.category for h in category_hints("hphm")} == {"license_plate"}
    scan = scan_free_text(pa.array(["车主电话13812345678，车牌鄂A12345"]))
    assert set(scan.hits) == {"mobile_phone", "license_plate"}
    assert canonical_one(" 鄂A·12345 ", "license_plate") == "鄂A12345"
    assert canonical_one("130503670401001", "social_security") == "130503196704010016"
