"""Every table a run loads carries the registry's dictionary, zone by zone, without values."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from deltalake import DeltaTable

from etl.extract.reserved import RESERVED_COLUMNS
from etl.lake import delta
from etl.lake.dictionary import COMMENT, DESCRIPTION, TITLE, TRANSFORMATION
from etl.pipeline.table_docs import PIPELINE_COLUMNS, table_doc
from etl.protect.transformations import TRANSFORMATIONS
from etl.protect.zones import ColumnLineage
from etl.registry import Dataset
from tests.unit.pipeline.test_pipeline_steps import IDS, ctx, run_all, setup

COLUMNS = {
    "xm": {"title": "姓名"},
    "sfzh": {"type": "string", "title": "公民身份号码", "description": "18位身份证号"},
    "sjhm": "string",
    "amount": {"type": "float64", "description": "救助金额（元）"},
}


def meta(field: pa.Field) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in (field.metadata or {}).items()}


def test_each_zone_names_its_table_and_documents_its_columns(tmp_path: Path) -> None:
    settings, dataset = setup(
        tmp_path,
        columns=COLUMNS,
        description="每日人口登记抽取",
        department_title="市公安局",
    )
    summary = run_all(settings, dataset, ctx())
    for zone in ("restricted", "shared", "open", "quarantine"):
        uri = summary["tables"].get(zone) or summary["quarantine_table"]
        info = DeltaTable(uri).metadata()
        assert info.name == "人口", zone
        assert info.description.startswith("每日人口登记抽取\n\n市公安局 (public_security) · ")
    restricted = delta.schema(summary["tables"]["restricted"])
    assert meta(restricted.field("sfzh")) == {
        COMMENT: "公民身份号码：18位身份证号",
        TITLE: "公民身份号码",
        DESCRIPTION: "18位身份证号",
        TRANSFORMATION: "identity",
    }
    assert meta(restricted.field("amount"))[COMMENT] == "amount：救助金额（元）"  # header as title
    assert meta(restricted.field("_source_row"))[TITLE] == "来源行号"
    shared = delta.read(summary["tables"]["shared"]).schema
    sfzh = meta(shared.field("sfzh"))
    assert sfzh[TRANSFORMATION] == "tokenized" and sfzh[TITLE] == "公民身份号码"
    assert sfzh[COMMENT] == f"公民身份号码：18位身份证号（{TRANSFORMATIONS['tokenized'].note}）"
    assert meta(shared.field("xm"))[COMMENT] == f"姓名（{TRANSFORMATIONS['masked'].note}）"
    assert meta(delta.schema(summary["tables"]["open"]).field("_run_id"))[TITLE] == "运行编号"
    quarantine = delta.schema(summary["quarantine_table"])
    assert meta(quarantine.field("sfzh"))[TITLE] == "公民身份号码"
    assert TRANSFORMATION not in meta(quarantine.field("sfzh"))  # as delivered
    assert meta(quarantine.field("_reasons"))[TITLE] == "隔离原因"
    every = " ".join(str(delta.schema(u)) for u in [*summary["tables"].values()])
    assert not [value for value in IDS if value in every]


def test_a_renamed_or_dropped_column_keeps_its_source_title() -> None:
    dataset = Dataset.model_validate(
        {
            "id": "people",
            "title": "人口",
            "department": "public_security",
            "domain": "population",
            "source": {"kind": "file", "format": "csv", "path": "a.csv"},
            "columns": COLUMNS,
        }
    )
    lineage = [
        ColumnLineage("sfzh", "sfzh_token", "tokenized"),
        ColumnLineage("xm", None, "dropped"),
    ]
    doc = table_doc(dataset, "shared", ["sfzh_token", "xm", "_run_id"], lineage)
    assert (
        doc.description
        == "public_security (public_security) · 共享区 (shared) · pubdata dataset people"
    )
    fields = doc.fields or {}
    renamed = fields["sfzh_token"]
    assert (renamed.title, renamed.source_column, renamed.transformation) == (
        "公民身份号码",
        "sfzh",
        "tokenized",
    )
    # a dropped column kept as a (null) column of the zone carries its status
    assert (fields["xm"].title, fields["xm"].transformation) == ("姓名", "dropped")
    assert fields["_run_id"] == PIPELINE_COLUMNS["_run_id"]


def test_every_pipeline_column_is_described() -> None:
    assert set(PIPELINE_COLUMNS) == RESERVED_COLUMNS
