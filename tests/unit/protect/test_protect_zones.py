from __future__ import annotations

import pyarrow as pa
import pytest

from etl.classify import ColumnClassification, DatasetClassification
from etl.classify.categories import CATEGORIES
from etl.classify.category import Shared
from etl.errors import PolicyError
from etl.protect.keys import TokenKey
from etl.protect.tokens import tokenize_one
from etl.protect.zones import FORMS, ColumnLineage, project_zone, shared_treatment

KEY = TokenKey("k1", b"0123456789abcdef0123456789abcdef")


def col(name: str, category: str, grade: str) -> ColumnClassification:
    return ColumnClassification(name, category, grade, 1.0, "test", "detector")


CLASSIFICATION = DatasetClassification(
    columns=(
        col("sfzh", "id_card", "L3"),
        col("xm", "person_name", "L3"),
        col("jzdz", "address", "L3"),
        col("csrq", "birth_date", "L3"),
        col("email", "email", "L3"),
        col("mz", "ethnicity", "L3"),
        col("yhkh", "bank_card", "L4"),
        col("qymc", "none", "L1"),
        col("amount", "none", "L2"),
    ),
    dataset_grade="L4",
    flags=(),
    rules=(),
)


@pytest.fixture
def table() -> pa.Table:
    return pa.table(
        {
            "_run_id": ["r1", "r1", "r1"],
            "sfzh": ["11010519491231002X", "1101051949123100", None],  # a typo, and a null
            "xm": ["张三", "Zhang San", "欧阳娜娜"],
            "jzdz": ["北京市朝阳区建国路88号", "somewhere", "短"],
            "csrq": ["1949-12-31", "unknown", "19800101"],
            "email": ["a@example.com", "b@example.com", ""],
            "mz": ["汉族", "回族", "汉族"],
            "yhkh": ["6222021234567890128", "x", None],
            "qymc": ["某某有限公司", "某某合作社", "某某厂"],
            "amount": ["1", "2", "3"],
            "_source_row": pa.array([1, 2, 3], pa.int64()),
        }
    )


def test_restricted_keeps_everything_raw(table: pa.Table) -> None:
    out = project_zone(table, CLASSIFICATION, "restricted", KEY)
    assert out.table.equals(table)
    assert all(c.transformation == "identity" for c in out.columns)
    assert [c.source for c in out.columns] == [c.name for c in CLASSIFICATION.columns]


def test_shared_zone(table: pa.Table) -> None:
    out = project_zone(table, CLASSIFICATION, "shared", KEY)
    t = out.table
    assert t.column_names == table.column_names  # every column stays, in its order
    # L3 ethnicity (not shared) and L4 bank cards: columns of nulls, of their type
    for removed in ("mz", "yhkh"):
        assert t.column(removed).null_count == 3
        assert t.schema.field(removed).type == pa.string()
    assert t.column("sfzh").to_pylist() == [
        tokenize_one("11010519491231002X", "id_card", KEY),
        tokenize_one("1101051949123100", "id_card", KEY),  # failed the check, still protected
        None,
    ]
    assert t.column("xm").to_pylist() == ["张*", "Z********", "欧阳**"]
    assert t.column("jzdz").to_pylist() == ["北京市朝阳区", "somewh***", "***"]
    assert t.column("csrq").to_pylist() == ["1949", None, "1980"]
    assert t.column("email").to_pylist() == ["a***@example.com", "b***@example.com", ""]
    assert t.column("amount").to_pylist() == ["1", "2", "3"]
    assert t.column("_source_row").to_pylist() == [1, 2, 3]
    assert out.columns == (
        ColumnLineage("sfzh", "sfzh", "tokenized"),
        ColumnLineage("xm", "xm", "masked"),
        ColumnLineage("jzdz", "jzdz", "generalized"),
        ColumnLineage("csrq", "csrq", "generalized"),
        ColumnLineage("email", "email", "masked"),
        ColumnLineage("mz", None, "dropped"),
        ColumnLineage("yhkh", None, "dropped"),
        ColumnLineage("qymc", "qymc", "identity"),
        ColumnLineage("amount", "amount", "identity"),
    )


def test_no_raw_l3_or_any_l4_value_leaves_restricted(table: pa.Table) -> None:
    for zone in ("shared", "open"):
        out = project_zone(table, CLASSIFICATION, zone, KEY).table
        cells = {str(v) for c in out.columns for v in c.to_pylist() if v}
        for name in ("sfzh", "xm", "jzdz", "email", "mz", "yhkh"):
            for raw in table.column(name).to_pylist():
                if raw and len(raw) > 1:
                    assert raw not in cells, (zone, name)


def test_open_zone_keeps_only_l1(table: pa.Table) -> None:
    out = project_zone(table, CLASSIFICATION, "open", KEY)
    assert out.table.column_names == table.column_names
    assert out.table.column("qymc").equals(table.column("qymc"))
    for name in out.table.column_names:
        if name not in ("qymc", "_run_id", "_source_row"):
            assert out.table.column(name).null_count == 3, name
    assert [c.transformation for c in out.columns] == ["dropped"] * 7 + ["identity", "dropped"]


def test_policy_refusals(table: pa.Table) -> None:
    imp = DatasetClassification(CLASSIFICATION.columns, "L4", ("IMP",), ())
    assert project_zone(table, imp, "restricted", KEY).table.equals(table)
    with pytest.raises(PolicyError, match="IMP"):
        project_zone(table, imp, "shared", KEY)
    core = DatasetClassification(CLASSIFICATION.columns, "L4", ("CORE",), ())
    with pytest.raises(PolicyError, match="CORE"):
        project_zone(table, core, "restricted", KEY)
    with pytest.raises(PolicyError, match="no classification"):
        project_zone(table.append_column("new", pa.array(["x"] * 3)), CLASSIFICATION, "shared", KEY)
    with pytest.raises(ValueError, match="unknown zone"):
        project_zone(table, CLASSIFICATION, "public", KEY)


def test_chunked_columns(table: pa.Table) -> None:
    doubled = pa.concat_tables([table, table])
    out = project_zone(doubled, CLASSIFICATION, "shared", KEY).table
    assert out.num_rows == 6
    assert out.column("xm").to_pylist()[3:] == ["张*", "Z********", "欧阳**"]


def test_every_category_gets_the_spec_protection_in_the_shared_zone() -> None:
    values = {
        "id_card": "11010519491231002X",
        "mobile_phone": "13812345678",
        "landline_phone": "027-87654321",
        "passport": "E12345678",
        "license_plate": "鄂A12345",
        "social_security": "SB12345678",
        "email": "zhangsan@example.com",
        "ip_address": "192.168.10.20",
        "geo_coordinate": "114.305123",
        "address": "湖北省武汉市江汉区建设大道350号",
        "person_name": "张三",
        "birth_date": "1990-05-12",
        "ethnicity": "汉族",
        "credential": "hunter2",
        "none": "x",
    }
    expected = {
        "id_card": "tokenized",
        "mobile_phone": "tokenized",
        "landline_phone": "masked",
        "passport": "tokenized",
        "license_plate": "tokenized",
        "social_security": "tokenized",
        "email": "masked",
        "ip_address": "generalized",
        "geo_coordinate": "generalized",
        "address": "generalized",
        "person_name": "masked",
        "birth_date": "generalized",
        "ethnicity": "dropped",
        "credential": "dropped",
        "none": "tokenized",  # an L3 column without a dedicated protection: fail closed
    }
    table = pa.table({c: [v] for c, v in values.items()})
    cls = DatasetClassification(tuple(col(c, c, "L3") for c in values), "L3", (), ())
    out = project_zone(table, cls, "shared", KEY)
    assert {c.source: c.transformation for c in out.columns} == expected
    cells = {v for c in out.table.columns for v in c.to_pylist()}
    assert not cells & set(values.values())
    assert out.table.column("ip_address").to_pylist() == ["192.168.0.0/16"]
    assert out.table.column("geo_coordinate").to_pylist() == ["114.31"]
    assert out.table.column("address").to_pylist() == ["湖北省武汉市江汉区"]


def test_credentials_never_leave_restricted_even_if_pinned_l1() -> None:
    table = pa.table({"pwd": ["hunter2"], "a": ["1"]})
    cls = DatasetClassification(
        (col("pwd", "credential", "L1"), col("a", "none", "L1")), "L1", (), ()
    )
    for zone in ("shared", "open"):
        out = project_zone(table, cls, zone, KEY).table
        assert out.column("pwd").null_count == 1
        assert out.column("a").to_pylist() == ["1"]
    assert project_zone(table, cls, "restricted", KEY).table.equals(table)


def test_every_category_is_projected_as_its_record_says() -> None:
    values = pa.array(["鄂A12345", None], pa.string())
    for grade in ("L1", "L3"):
        cols = tuple(col(c.id, c.id, grade) for c in CATEGORIES)
        table = pa.table({c.id: values for c in CATEGORIES})
        done = project_zone(table, DatasetClassification(cols, grade, (), ()), "shared", KEY)
        got = {line.source: line.transformation for line in done.columns}
        for c in CATEGORIES:
            assert shared_treatment(c.id) is c.shared
            if c.shared is Shared.RESTRICTED:
                assert got[c.id] == "dropped"  # whatever grade a registry gives it
            elif grade == "L1":
                assert got[c.id] == "identity"
            else:
                assert got[c.id] == ("dropped" if c.shared is Shared.DROPPED else str(c.shared))
            if c.shared_form is not None:
                assert c.shared_form in FORMS
    assert shared_treatment("none") is Shared.TOKENIZED  # fail closed
