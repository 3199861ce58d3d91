from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.lake import delta, meta_table_uri, quarantine_table_uri, zone_table_uri

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)


def day(values: list[str], d: date) -> pa.Table:
    return pa.table({"v": values, "_logical_date": pa.array([d] * len(values), pa.date32())})


def test_layout() -> None:
    assert zone_table_uri("/lake", "shared", "population", "hr") == "/lake/shared/population/hr"
    assert quarantine_table_uri("s3://b/l", "p", "hr") == "s3://b/l/restricted/p/hr__quarantine"
    assert meta_table_uri("/lake", "lineage_runs") == "/lake/_meta/lineage_runs"
    with pytest.raises(ValueError):
        meta_table_uri("/lake", "nope")


def test_rerunning_a_date_replaces_it_and_keeps_other_dates(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, day(["a", "b"], D1), D1, {"run": "1"})
    delta.replace_partition(uri, day(["c"], D2), D2, {"run": "2"})
    version = delta.replace_partition(uri, day(["a", "b"], D1), D1, {"run": "3"})
    assert version == 2
    assert sorted(delta.read(uri).column("v").to_pylist()) == ["a", "b", "c"]
    assert delta.history(uri, 1)[0]["run"] == "3"


def test_empty_table_clears_the_date(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, day(["a"], D1), D1, {})
    delta.replace_partition(uri, day([], D1), D1, {})
    assert delta.read(uri).num_rows == 0


def test_new_columns_merge(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, day(["a"], D1), D1, {})
    delta.replace_partition(uri, day(["b"], D2).append_column("w", pa.array([1])), D2, {})
    assert delta.read(uri).schema.names == ["v", "_logical_date", "w"]


def test_snapshot_replaces_everything(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_all(uri, day(["a", "b"], D1), {})
    delta.replace_all(uri, day(["c"], D2), {})
    assert delta.read(uri).column("v").to_pylist() == ["c"]
    assert delta.read(uri, version=0).num_rows == 2  # time travel


def test_rows_outside_the_partition_are_rejected(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    with pytest.raises(Exception):  # noqa: B017 - delta-rs raises its own error type
        delta.replace_partition(uri, day(["a"], D2), D1, {})
    assert delta.version(uri) is None or delta.read(uri).num_rows == 0
