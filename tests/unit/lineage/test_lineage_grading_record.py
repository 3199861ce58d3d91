"""The grading record in ``_meta.classifications``: who decided a grade, when, on what basis."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from etl.classify import ColumnOverride, classify_table
from etl.lake import delta
from etl.lake.layout import meta_table_uri
from etl.lineage import read_meta
from etl.lineage.meta import SCHEMAS, append_rows
from etl.pipeline.steps_record import _classification_rows
from etl.runtime.records import Delivery, ExtractResult


def test_an_override_carries_its_reviewer_into_the_record() -> None:
    table = pa.table({"bz": ["a", "b"], "xm": ["张伟", "王芳"]})
    override = ColumnOverride("none", "L2", "notes", reviewer="王五", reviewed=date(2024, 6, 3))
    result = classify_table(table, overrides={"bz": override})
    column = result.column("bz")
    assert (column.decided_by, column.reviewer, column.reviewed) == (
        "registry",
        "王五",
        date(2024, 6, 3),
    )
    rows = _classification_rows(
        {"lineage_run_id": "r", "dataset": "d", "logical_date": date(2024, 6, 1)},
        result,
        "",
        ExtractResult(
            delivery=Delivery(uri=None, relative_path="d.csv", sha256=None),
            label="d.csv",
            files=(),
            column_comments={"xm": "姓名"},
            rows_in=2,
        ),
        datetime(2024, 6, 4),
    )
    by_column = {r["column"]: r for r in rows}
    assert by_column["bz"]["reviewer"] == "王五" and by_column["bz"]["reviewed"] == date(2024, 6, 3)
    assert by_column["xm"]["reviewer"] is None and by_column["xm"]["decided_by"] == "detector"
    assert by_column["xm"]["column_comment"] == "姓名"


def test_older_classification_tables_stay_readable_and_gain_the_columns(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    old_schema = pa.schema(
        [
            f
            for f in SCHEMAS["classifications"]
            if f.name not in ("reviewer", "reviewed", "lifted_by", "column_comment")
        ]
    )
    old = pa.Table.from_pylist(
        [{"lineage_run_id": "r0", "dataset": "d", "column": "a", "category": "none"}],
        schema=old_schema,
    )
    delta.append(meta_table_uri(lake, "classifications"), old)
    append_rows(
        lake,
        "classifications",
        [
            {
                "lineage_run_id": "r1",
                "dataset": "d",
                "column": "a",
                "reviewer": "王五",
                "reviewed": date(2024, 6, 3),
            }
        ],
    )
    rows = {r["lineage_run_id"]: r for r in read_meta(lake, "classifications").to_pylist()}
    assert rows["r0"]["reviewer"] is None and rows["r1"]["reviewer"] == "王五"
    assert rows["r1"]["reviewed"] == date(2024, 6, 3)
