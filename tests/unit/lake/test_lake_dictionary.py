"""A table's name, description and field docs: written at load, read back by any reader."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from etl.lake import delta
from etl.lake.dictionary import (
    COMMENT,
    DESCRIPTION,
    SOURCE_COLUMN,
    TITLE,
    TRANSFORMATION,
    FieldDoc,
    TableDoc,
)

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)
DOC = TableDoc(
    "户籍人口登记",
    "公安人口系统每日登记抽取",
    {
        "gmsfhm": FieldDoc(
            "公民身份号码", "18位身份证号", "tokenized", "已令牌化", source_column="sfzh"
        ),
        "_logical_date": FieldDoc("数据日期"),
    },
)


def rows(ids: list[str], day: date) -> pa.Table:
    return pa.table(
        {
            "gmsfhm": ids,
            "n": list(range(len(ids))),
            "_logical_date": pa.array([day] * len(ids), pa.date32()),
        }
    )


def meta(field: pa.Field) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}


def test_a_new_table_carries_its_name_description_and_field_docs(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    assert delta.replace_partition(uri, rows(["a"], D1), D1, {}, DOC) == 0
    table = DeltaTable(uri)
    assert (table.metadata().name, table.metadata().description) == (
        "户籍人口登记",
        "公安人口系统每日登记抽取",
    )
    expected = {
        COMMENT: "公民身份号码：18位身份证号（已令牌化）",
        TITLE: "公民身份号码",
        DESCRIPTION: "18位身份证号",
        TRANSFORMATION: "tokenized",
        SOURCE_COLUMN: "sfzh",
    }
    # deltalake's schema, the Arrow schema a reader gets, and each Parquet file's footer
    assert meta(pa.schema(table.schema().to_arrow()).field("gmsfhm")) == expected
    read = delta.read(uri).schema
    assert meta(read.field("gmsfhm")) == expected
    assert meta(read.field("_logical_date")) == {COMMENT: "数据日期", TITLE: "数据日期"}
    assert meta(read.field("n")) == {}  # not documented: nothing said
    [file] = [str(p) for p in (tmp_path / "t").rglob("*.parquet")]
    assert meta(pq.read_schema(file).field("gmsfhm")) == expected
    assert len(table.history()) == 1  # the name and description came with the first commit


def test_a_later_load_updates_the_dictionary_and_one_without_keeps_it(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, rows(["a"], D1), D1, {})  # a table from before the dictionary
    edited = TableDoc("户籍人口", "新描述", {"gmsfhm": FieldDoc("身份号码")})
    delta.replace_partition(uri, rows(["b"], D2), D2, {"run": "2"}, edited)
    table = DeltaTable(uri)
    assert (table.metadata().name, table.metadata().description) == ("户籍人口", "新描述")
    assert meta(delta.schema(uri).field("gmsfhm")) == {COMMENT: "身份号码", TITLE: "身份号码"}
    assert delta.read(uri).num_rows == 2
    delta.replace_partition(uri, rows(["c"], D2), D2, {})
    assert DeltaTable(uri).metadata().name == "户籍人口"
    assert meta(delta.schema(uri).field("gmsfhm"))[TITLE] == "身份号码"
    described = len(DeltaTable(uri).history())
    delta.replace_partition(uri, rows(["d"], D2), D2, {}, edited)  # nothing changed
    assert len(DeltaTable(uri).history()) == described + 1  # the data commit only


def test_a_snapshot_table_is_documented_too(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_all(uri, rows(["a"], D1), {}, DOC)
    delta.replace_all(uri, rows(["b"], D2), {}, TableDoc("预算执行", None, DOC.fields))
    table = DeltaTable(uri)
    assert table.metadata().name == "预算执行"
    assert meta(delta.schema(uri).field("gmsfhm"))[SOURCE_COLUMN] == "sfzh"


def test_field_keys_other_writers_set_are_kept() -> None:
    status = {"pubdata.status": "dropped", COMMENT: "old"}
    schema = pa.schema(
        [pa.field("gmsfhm", pa.string(), metadata=status), pa.field("n", pa.int64())]
    )
    annotated = DOC.annotate(schema)
    assert meta(annotated.field("gmsfhm"))["pubdata.status"] == "dropped"
    assert meta(annotated.field("gmsfhm"))[COMMENT] == "公民身份号码：18位身份证号（已令牌化）"
    assert annotated.field("n").metadata is None
