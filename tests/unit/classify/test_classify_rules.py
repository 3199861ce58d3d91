from __future__ import annotations

import pyarrow as pa
import pytest

from etl.classify import GRADES, ColumnOverride, classify_table, grade_rank, max_grade
from etl.classify.decide import ColumnFinding
from etl.classify.model import ColumnClassification
from etl.classify.rules import DatasetVerdict, apply_rules
from etl.errors import ConfigError


def finding(name: str, category: str, grade: str, qi: str | None = None) -> ColumnFinding:
    return ColumnFinding(ColumnClassification(name, category, grade, 1.0, "test", "detector"), qi)


def texts(verdict: DatasetVerdict) -> list[str]:
    return [hit.text for hit in verdict.rules]


def test_grade_helpers() -> None:
    assert GRADES == ("L1", "L2", "L3", "L4")
    assert max_grade("L2", "L3", "L1") == "L3"
    assert max_grade(["L1", "L4"]) == "L4"
    assert grade_rank("L1") == 0
    with pytest.raises(ValueError):
        max_grade()
    with pytest.raises(ConfigError):
        max_grade("L5")


def test_r1_max_column_grade() -> None:
    verdict = apply_rules([finding("a", "none", "L2"), finding("b", "id_card", "L3")])
    assert verdict.grade == "L3"
    assert texts(verdict) == ["R1 max column grade: L3 from 'b'"]


def test_no_columns() -> None:
    assert apply_rules([]).grade == "L2"


def test_r2_three_quasi_identifiers_without_direct_identifier() -> None:
    cols = [
        finding("xb", "none", "L2", "gender"),
        finding("mz", "none", "L2", "ethnicity"),
        finding("csrq", "none", "L2", "birth_date/age"),
    ]
    verdict = apply_rules(cols)
    assert verdict.grade == "L3"
    assert any(r.text.startswith("R2 quasi-identifiers: 3") for r in verdict.rules)
    two = apply_rules([*cols[::2], finding("nl", "none", "L2", "birth_date/age")])
    assert two.grade == "L2"
    assert not any(r.text.startswith("R2") for r in two.rules)


def test_r2_counts_labelled_categories() -> None:
    cols = [
        finding("a", "gender", "L2"),
        finding("b", "birth_date", "L3"),
        finding("c", "none", "L2", "postcode"),
    ]
    assert any(r.text.startswith("R2") for r in apply_rules(cols).rules)


def test_r3_linkage() -> None:
    verdict = apply_rules([finding("sfzh", "id_card", "L3"), finding("yhkh", "bank_card", "L4")])
    assert verdict.grade == "L4"
    assert "R3 linkage: direct identifier 'sfzh' with L4 column 'yhkh' → L4" in texts(verdict)
    alone = apply_rules([finding("yhkh", "bank_card", "L4")])
    assert not any(r.text.startswith("R3") for r in alone.rules)
    public_name = apply_rules([finding("fddbr", "person_name", "L1"), finding("d", "health", "L4")])
    assert not any(r.text.startswith("R3") for r in public_name.rules)


def test_r3_from_quasi_identifiers() -> None:
    cols = [
        finding("xb", "none", "L2", "gender"),
        finding("mz", "none", "L2", "ethnicity"),
        finding("nl", "none", "L2", "birth_date/age"),
        finding("zd", "health", "L4"),
    ]
    assert any(r.text.startswith("R3 linkage: quasi-identifiers") for r in apply_rules(cols).rules)


def test_r6_floor_and_flags() -> None:
    verdict = apply_rules([finding("a", "none", "L2")], floor="L4", flags=["CORE", "IMP", "IMP"])
    assert verdict.grade == "L4"
    assert "R6 domain floor L4 (raised from L2)" in texts(verdict)
    assert verdict.flags == ("IMP", "CORE")
    assert "flag IMP from registry" in texts(verdict)
    met = apply_rules([finding("a", "id_card", "L3")], floor="L2")
    assert met.grade == "L3" and "R6 domain floor L2 (already met)" in texts(met)
    with pytest.raises(ConfigError):
        apply_rules([], floor="L7")
    with pytest.raises(ConfigError):
        apply_rules([], flags=["SECRET"])


def test_rules_through_classify_table() -> None:
    n = 50
    table = pa.table(
        {
            "xb": ["男"] * n,
            "mz": ["汉族"] * n,
            "csrq": ["1990-01-01"] * n,
            "zd": ["J45"] * n,
        }
    )
    result = classify_table(table, overrides={"zd": ColumnOverride("health")}, floor="L3")
    assert result.dataset_grade == "L4"
    kinds = [r.id for r in result.rules]
    assert kinds == ["R1", "R2", "R3", "R6"]
    r2 = classify_table(table.drop_columns(["zd"]))
    assert r2.dataset_grade == "L3"
    assert [r.id for r in r2.rules] == ["R1", "R2"]
    assert (r2.column("xb").category, r2.column("xb").grade) == ("gender", "L2")
    assert (r2.column("csrq").category, r2.column("csrq").grade) == ("birth_date", "L3")
    # unlabelled quasi-identifiers still count by name
    coded = pa.table({"xb": ["x"] * n, "nl": ["30-39"] * n, "yb": ["430000"] * n})
    r3 = classify_table(coded)
    assert r3.dataset_grade == "L3"
    assert "quasi-identifier name hint 'xb' (gender)" in r3.column("xb").evidence
