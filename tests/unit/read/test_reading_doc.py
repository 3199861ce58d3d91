"""docs/reading.md holds: its warnings are true and its Python examples run, on a lake with a
re-run date (old files still on disk beside the table's current ones)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from etl.errors import PolicyError
from etl.lake import delta, zone_table_uri
from tests.conftest import REPO
from tests.unit.read.conftest import D1, Lake, build_lake

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


def _reader_env(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (
        ("PUBDATA_HOME", str(lake.settings.home)),
        ("PUBDATA_LAKE", lake.settings.lake),
        ("PUBDATA_REGISTRY", str(lake.settings.registry)),
        ("PUBDATA_CLEARANCE", "shared"),
    ):
        monkeypatch.setenv(name, value)


def _mapped(block: str, mapped: dict[str, str]) -> str:
    """The guide's dataset, columns, version and instant, mapped onto the test lake's."""
    for theirs, ours in mapped.items():
        assert theirs in block, f"docs/reading.md no longer shows {theirs}"
        block = block.replace(theirs, ours)
    return block


def test_the_reader_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = build_lake(tmp_path)
    _reader_env(lake, monkeypatch)
    (block,) = _python_blocks("The pubdata reader (Python)")
    before = datetime.fromtimestamp(lake.before_rerun_ms / 1000, tz=UTC).isoformat()
    code = _mapped(
        block,
        {
            '"household_register"': '"people"',
            '["hh", "djrq", "_source_row"]': '["xm", "n", "_source_row"]',
            "as_of=3": "as_of=1",
            '"2024-06-02T08:00:00+08:00"': f'"{before}"',
        },
    )
    *lines, refused = code.strip().splitlines()
    assert 'zone="restricted"' in refused and "PolicyError" in refused
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)
    assert namespace["table"].num_rows == delta.read(_shared_uri(lake)).num_rows
    assert list(namespace["df"].columns) == ["xm", "n", "_source_row"]
    assert len(namespace["df"]) == 3  # D1 after its re-run
    assert namespace["old"].num_rows == 3 and namespace["then"].num_rows == 3  # before the re-run
    with pytest.raises(PolicyError):
        exec(refused, namespace)


def _shared_uri(lake: Lake) -> str:
    return zone_table_uri(lake.settings.lake, "shared", "population", "people")


def test_the_polars_examples_read_through_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lake = build_lake(tmp_path)
    uri = _shared_uri(lake)
    _reader_env(lake, monkeypatch)
    scan, through_reader = _python_blocks("polars")
    code = _mapped(
        scan,
        {
            DOC_TABLE: uri,
            '"hh"': '"xm"',
            "version=3": "version=1",
            "datetime(2024, 6, 2, 8, tzinfo=cst)": (
                f"datetime.fromtimestamp({lake.before_rerun_ms / 1000}, tz=timezone.utc)"
            ),
        },
    )
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    # D1 once, after its re-run (a glob would hold its replaced files too)
    assert namespace["day"].rows() == [("甲", 1), ("乙", 2), ("戊", 3)]
    assert [(d.isoformat(), n) for d, n in namespace["per_date"].rows()] == [
        ("2024-06-01", 3),
        ("2024-06-02", 1),
    ]
    assert namespace["v3"].height == namespace["then"].height == 3  # before the re-run
    exec(_mapped(through_reader, {'"household_register"': '"people"'}), namespace)
    frame = namespace["frame"]  # through the reader: the same rows, every column
    assert frame.select("xm", "_source_row").rows() == namespace["day"].rows()
    assert frame.columns == delta.read(uri).column_names
