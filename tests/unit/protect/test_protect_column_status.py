"""Each column of a shared or open projection: kept, typed, and saying why it is empty."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pyarrow as pa

from etl.classify import ColumnClassification, DatasetClassification
from etl.classify.categories import CATEGORIES
from etl.classify.category import Shared
from etl.lake.dictionary import REASON, STATUS, STATUS_DATE, ColumnStatus
from etl.protect.keys import TokenKey
from etl.protect.zones import ZoneTarget, project_zone

KEY = TokenKey("k1", b"0123456789abcdef0123456789abcdef")
DAY = date(2024, 6, 1)


def col(
    name: str, category: str, grade: str, base: str | None = None, rule: str | None = None
) -> ColumnClassification:
    return ColumnClassification(name, category, grade, 1.0, "test", "detector", base, rule)


def meta(table: pa.Table, name: str) -> dict[str, str]:
    raw = table.schema.field(name).metadata or {}
    return {k.decode(): v.decode() for k, v in raw.items()}


def test_every_status_and_reason_names_grades_and_rules_not_values() -> None:
    table = pa.table(
        {
            "xm": ["张三"],
            "csrq": pa.array([date(2015, 3, 1)], pa.date32()),
            "mz": ["汉族"],
            "pwd": ["hunter2"],
            "zd": ["糖尿病"],
            "lx": ["1"],
            "dm": ["110105"],
            "_run_id": ["r"],
        }
    )
    classification = DatasetClassification(
        (
            col("xm", "person_name", "L4", "L3", "R4"),
            col("csrq", "birth_date", "L4", "L3", "R4"),
            col("mz", "ethnicity", "L3"),
            col("pwd", "credential", "L1"),
            col("zd", "health", "L4"),
            col("lx", "none", "L1"),
            col("dm", "none", "L2"),
        ),
        "L4",
        (),
        (),
    )
    shared = project_zone(table, classification, "shared", KEY, target=ZoneTarget(day=DAY)).table
    assert shared.column_names == table.column_names
    assert {n: meta(shared, n)[STATUS] for n in shared.column_names if n[0] != "_"} == {
        "xm": "removed",
        "csrq": "removed",
        "mz": "removed",
        "pwd": "removed",
        "zd": "removed",
        "lx": "published",
        "dm": "published",
    }
    assert meta(shared, "xm")[REASON] == (
        "grade L4 (lifted from L3 by R4): no L4 column leaves the restricted zone"
    )
    assert meta(shared, "mz")[REASON] == "category ethnicity is not shared"
    assert meta(shared, "pwd")[REASON] == "category credential stays in the restricted zone"
    assert meta(shared, "zd")[REASON] == "grade L4: no L4 column leaves the restricted zone"
    assert meta(shared, "lx")[STATUS_DATE] == "2024-06-01"
    assert shared.schema.field("_run_id").metadata is None  # pipeline columns carry none
    # a birth date lifted by R4 has the type it has on a date without minors: the year
    assert shared.schema.field("csrq").type == pa.string()
    assert shared.schema.field("zd").type == pa.string()
    for name in ("xm", "csrq", "mz", "pwd", "zd"):
        assert shared[name].null_count == 1

    opened = project_zone(table, classification, "open", KEY, withheld=frozenset({"lx"})).table
    assert meta(opened, "dm")[REASON] == "grade L2: the open zone publishes L1 columns only"
    assert meta(opened, "lx")[STATUS] == "withheld"
    assert STATUS_DATE not in meta(opened, "lx")  # no date given
    assert opened.schema.field("csrq").type == pa.date32()  # open publishes values as they are
    every = "".join(v for n in opened.column_names for v in meta(opened, n).values())
    for value in ("张三", "汉族", "hunter2", "糖尿病", "2015"):
        assert value not in every + "".join(
            v for n in shared.column_names for v in meta(shared, n).values()
        )

    restricted = project_zone(table, classification, "restricted", KEY).table
    assert restricted.equals(table)
    assert all(f.metadata is None for f in restricted.schema)


#: The statuses of a column that holds only nulls for the date.
EMPTY_STATUSES = {ColumnStatus.WITHHELD, ColumnStatus.REMOVED, ColumnStatus.NOT_DELIVERED}


def test_a_kept_out_column_has_the_type_it_is_published_with_for_every_category() -> None:
    # typed as departments deliver them: the published type may differ from the delivered one
    # (a date generalized to its year, coordinates rounded), and the kept-out column must follow
    # the published type, not the delivered one
    typed = {
        "birth_date": pa.array([dt.date(1990, 5, 1), None], pa.date32()),
        "geo_coordinate": pa.array([30.123456, None], pa.float64()),
        "personal_finance": pa.array([12.5, None], pa.float64()),
    }
    text = pa.array(["鄂A12345", None], pa.string())
    table = pa.table({c.id: typed.get(c.id, text) for c in CATEGORIES})
    mine = tuple(col(c.id, c.id, "L3") for c in CATEGORIES)
    lifted = tuple(col(c.id, c.id, "L4", "L3", "R4") for c in CATEGORIES)
    published = project_zone(table, DatasetClassification(mine, "L3", (), ()), "shared", KEY)
    kept_out = project_zone(table, DatasetClassification(lifted, "L4", (), ()), "shared", KEY)
    assert kept_out.table.schema.names == published.table.schema.names
    for c in CATEGORIES:
        assert kept_out.table[c.id].null_count == 2
        assert meta(kept_out.table, c.id)[STATUS] in EMPTY_STATUSES
        if c.shared not in (Shared.DROPPED, Shared.RESTRICTED):
            assert kept_out.table.schema.field(c.id).type == published.table[c.id].type, c.id


def test_the_table_decides_types_and_order_and_keeps_columns_the_date_lacks() -> None:
    table = pa.table({"b": ["x"], "a": ["1"], "_logical_date": pa.array([DAY], pa.date32())})
    classification = DatasetClassification(
        (col("b", "none", "L1"), col("a", "none", "L4")), "L4", (), ()
    )
    current = pa.schema(
        [
            ("a", pa.large_string()),
            ("gone", pa.int64()),
            ("_logical_date", pa.date32()),
            ("b", pa.string()),
        ]
    )
    out = project_zone(table, classification, "shared", KEY, target=ZoneTarget(current, DAY)).table
    assert out.schema.names == ["a", "gone", "_logical_date", "b"]
    assert out.schema.field("a").type == pa.large_string()  # the table's type, not the date's
    assert out.schema.field("gone").type == pa.int64()
    assert out["gone"].to_pylist() == [None]
    assert meta(out, "gone")[STATUS] == ColumnStatus.NOT_DELIVERED
    assert meta(out, "a")[STATUS] == ColumnStatus.REMOVED
    assert out["b"].to_pylist() == ["x"]
