"""The extract + normalize flow as the pipeline's extract step will wire it (no Airflow)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from etl.extract import cast_columns, extract_source
from etl.registry import Dataset

DATASET = Dataset.model_validate(
    {
        "id": "enterprise_registry",
        "title": "企业登记",
        "department": "market_regulation",
        "domain": "legal_entity",
        "source": {"kind": "file", "format": "csv", "path": "mr/{ds}/*.csv"},
        "columns": {"tyshxydm": "string", "zczb": "float64", "clrq": "date"},
        "normalize": {
            "rename": {
                "统一社会信用代码": "tyshxydm",
                "注册资本（万元）": "zczb",
                "成立日期": "clrq",
            },
            "numbers": {"zczb": {"scale": 10000, "suffixes": {"万元": 10000, "元": 1}}},
            "dates": {"excel_serial": True},
        },
    }
)


def test_rows_in_equals_loaded_plus_quarantined(tmp_path: Path) -> None:
    folder = tmp_path / "mr" / "2024-06-01"
    folder.mkdir(parents=True)
    (folder / "a.csv").write_text(
        "统一社会信用代码,注册资本(万元),成立日期,备注\n"
        '０１２３,"1,000",2023年5月12日,无\n'
        "0456,5万元,45058,\n"
        "0789,abc,2023.05.12,x,extra-field\n",
        encoding="utf-8",
    )
    (folder / "b.csv").write_text(
        "统一社会信用代码,注册资本（万元）,成立日期,备注\n0999,/,20230512,　正常　\n",
        encoding="utf-8",
    )
    extracted = extract_source(
        DATASET.source,
        landing=tmp_path,
        logical_date=date(2024, 6, 1),
        normalize=DATASET.normalize,  # headers are cleaned and renamed per file
    )
    raw = extracted.table
    cast = cast_columns(
        raw, DATASET.column_types, source_name="mr/2024-06-01", normalize=DATASET.normalize
    )
    typed = cast.table
    assert typed.column_names == ["tyshxydm", "zczb", "clrq", "备注"]
    assert typed.column("tyshxydm").to_pylist() == ["0123", "0456", "0999"]
    assert typed.column("zczb").to_pylist() == [10_000_000.0, 50_000.0, None]
    assert typed.column("clrq").type == pa.date32()
    assert typed.column("备注").to_pylist() == [None, None, "正常"]
    assert cast.failed_count == 0
    quarantined = extracted.quarantine_rows(raw.column_names)
    assert quarantined.column("_reasons").to_pylist() == ["ragged:5/4"]
    loaded = int(pc.sum(pc.invert(cast.failed_rows)).as_py())
    assert extracted.rows_in == loaded + quarantined.num_rows == 4
    provenance = extracted.provenance()
    assert provenance["_source_file"].to_pylist() == [
        "mr/2024-06-01/a.csv",
        "mr/2024-06-01/a.csv",
        "mr/2024-06-01/b.csv",
    ]
    assert provenance["_source_row"].to_pylist() == [1, 2, 1]
