"""Inventory snapshots recorded before the data dictionary stay readable."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from etl.lake import delta
from etl.lineage.inventory import COLUMN_ENTRY, SCHEMA, inventory_table_uri, read_snapshot


def test_a_snapshot_without_column_descriptions_reads_them_as_none(tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    old = pa.schema([f for f in SCHEMA if f.name != "column_description"])
    row = dict.fromkeys(old.names) | {
        "entry": COLUMN_ENTRY,
        "dataset": "people",
        "dataset_title": "人口",
        "department": "public_security",
        "domain": "population",
        "column": "xm",
        "column_title": "姓名",
        "category": "person_name",
        "grade": "L3",
        "basis": "header",
        "decided_by": "detector",
        "decided_on": date(2024, 6, 1),
        "logical_date": date(2024, 6, 1),
        "lineage_run_id": "r1",
        "snapshot_at": datetime(2024, 6, 2, tzinfo=UTC),
    }
    delta.append(inventory_table_uri(lake), pa.Table.from_pylist([row], schema=old))
    snapshot = read_snapshot(lake)
    assert snapshot is not None
    [entry] = snapshot.columns
    assert (entry.column_title, entry.column_description) == ("姓名", None)
