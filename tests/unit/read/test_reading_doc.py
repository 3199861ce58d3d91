"""docs/reading.md holds: its warnings are true and its Python examples run, on a lake with a
re-run date (old files still on disk beside the table's current ones)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from etl.lake import delta, zone_table_uri
from tests.conftest import REPO
from tests.unit.read.conftest import D1, build_lake

DOC = REPO / "docs" / "reading.md"
DOC_TABLE = ".pubdata/lake/shared/population/household_register"


def _python_blocks(heading: str) -> list[str]:
    """The ```python blocks of one ``## heading`` section of the reading guide."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def _shared_table(tmp_path: Path) -> str:
    lake = build_lake(tmp_path)
    return zone_table_uri(lake.settings.lake, "shared", "population", "people")


def test_the_wrong_ways_fail_as_the_guide_says(tmp_path: Path) -> None:
    uri = _shared_table(tmp_path)
    (wrong,) = _python_blocks("Why a Parquet glob over a Delta table is wrong")
    assert DOC_TABLE in wrong
    rows = delta.read(uri).num_rows
    assert rows > 0
    assert len(pd.read_parquet(uri)) == 0  # "no rows at all"
    (counted,) = duckdb.sql(f"select count(*) from '{uri}/**/*.parquet'").fetchall()[0]
    assert counted > rows  # "re-run dates counted again"


def test_the_pyarrow_pandas_and_duckdb_examples_read_the_table(tmp_path: Path) -> None:
    uri = _shared_table(tmp_path)
    expected = delta.read(uri)
    blocks = [
        *_python_blocks("pandas and pyarrow with `deltalake`"),
        *_python_blocks("DuckDB"),
    ]
    assert len(blocks) == 2 and DOC_TABLE in blocks[0]
    namespace: dict[str, Any] = {}
    for block in blocks:
        exec(block.replace(DOC_TABLE, uri), namespace)
    table: pa.Table = namespace["table"]
    assert table.num_rows == expected.num_rows
    assert len(namespace["df"]) == expected.num_rows
    on_d1 = expected.filter(pa.compute.equal(expected["_logical_date"], pa.scalar(D1)))
    assert namespace["day"].num_rows == on_d1.num_rows > 0
    dataset = namespace["dataset"]  # the DuckDB example's Arrow dataset, scanned lazily
    (counted,) = duckdb.sql("SELECT count(*) FROM dataset").fetchall()[0]
    assert dataset is not None and counted == expected.num_rows
