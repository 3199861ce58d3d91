from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.lineage import SCHEMAS, append_rows, read_meta


def test_empty_meta_table_has_its_schema(tmp_path: Path) -> None:
    table = read_meta(str(tmp_path), "lineage_runs")
    assert table.num_rows == 0
    assert table.schema == SCHEMAS["lineage_runs"]


def test_append_and_read_back(tmp_path: Path) -> None:
    lake = str(tmp_path)
    row = {
        "lineage_run_id": "d/r",
        "dataset": "x",
        "logical_date": date(2024, 6, 1),
        "zone": "shared",
        "source_column": "a",
        "output_column": None,
        "transformation": "dropped",
    }
    assert append_rows(lake, "column_lineage", [row]) == 0
    assert append_rows(lake, "column_lineage", [row]) == 1
    assert append_rows(lake, "column_lineage", []) is None
    table = read_meta(lake, "column_lineage")
    assert table.num_rows == 2
    assert table["transformation"].to_pylist() == ["dropped", "dropped"]


def test_unknown_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no column 'raw_value'"):
        append_rows(str(tmp_path), "classifications", [{"raw_value": "x"}])
