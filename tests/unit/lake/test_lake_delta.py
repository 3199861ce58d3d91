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


def test_a_commit_states_its_columns_metadata_and_takes_no_column_away(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")

    def with_status(table: pa.Table, status: str) -> pa.Table:
        field = pa.field("v", pa.string(), metadata={"pubdata.status": status})
        return table.cast(table.schema.set(0, field))

    delta.replace_partition(uri, with_status(day([None], D1), "withheld"), D1, {})
    delta.replace_partition(uri, with_status(day(["b"], D2), "published"), D2, {})
    assert delta.schema(uri).field("v").metadata == {b"pubdata.status": b"published"}
    # a commit without the column (or a null-typed one) leaves the column and its metadata
    without = pa.table({"w": [1], "_logical_date": pa.array([D1], pa.date32())})
    delta.replace_partition(uri, without, D1, {})
    assert delta.schema(uri).names == ["v", "_logical_date", "w"]
    assert delta.schema(uri).field("v").metadata == {b"pubdata.status": b"published"}
    assert sorted(delta.read(uri).column("v").to_pylist(), key=str) == [None, "b"]


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


def _reader(rows: list[dict], day: str, batch: int = 2) -> pa.RecordBatchReader:
    table = pa.Table.from_pylist(rows)
    table = table.append_column(
        "_logical_date", pa.array([date.fromisoformat(day)] * len(rows), pa.date32())
    )
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=batch))


def test_a_streamed_partition_replacement_is_one_commit(tmp_path, monkeypatch) -> None:
    uri = str(tmp_path / "t")
    monkeypatch.setattr(delta, "FILE_ROWS", 2)  # several files per partition
    rows = [{"id": i, "name": f"n{i}"} for i in range(5)]
    v0 = delta.replace_partition(uri, _reader(rows, "2024-06-01"), date(2024, 6, 1), {"k": "a"})
    v1 = delta.replace_partition(uri, _reader(rows[:2], "2024-06-02"), date(2024, 6, 2), {})
    # the same date again, with a new column: replaced, never duplicated; the column is added
    again = [{"id": 9, "name": "n9", "extra": "x"}]
    v2 = delta.replace_partition(uri, _reader(again, "2024-06-01"), date(2024, 6, 1), {})
    assert (v0, v1, v2) == (0, 1, 2)
    table = delta.read(uri).sort_by("id")
    assert table["id"].to_pylist() == [0, 1, 9]
    assert table["extra"].to_pylist() == [None, None, "x"]
    assert delta.history(uri, 3)[-1]["k"] == "a"
    assert len(list((tmp_path / "t" / "_logical_date=2024-06-01").glob("*.parquet"))) == 4


def test_a_failed_streamed_write_leaves_the_table_and_no_files(tmp_path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, _reader([{"id": 1}], "2024-06-01"), date(2024, 6, 1), {})
    schema = pa.schema([("id", pa.int64()), ("_logical_date", pa.date32())])

    def broken():
        yield pa.record_batch([pa.array([7]), pa.array([date(2024, 6, 1)], pa.date32())], schema)
        raise RuntimeError("the source broke half way")

    reader = pa.RecordBatchReader.from_batches(schema, broken())
    with pytest.raises(Exception, match="broke half way"):
        delta.replace_partition(uri, reader, date(2024, 6, 1), {})
    assert delta.read(uri)["id"].to_pylist() == [1]
    assert len(list((tmp_path / "t" / "_logical_date=2024-06-01").glob("*.parquet"))) == 1


def test_a_streamed_write_refuses_a_retyped_column(tmp_path) -> None:
    uri = str(tmp_path / "t")
    delta.replace_partition(uri, _reader([{"id": 1}], "2024-06-01"), date(2024, 6, 1), {})
    with pytest.raises(ValueError, match="column id is int64 in the table, not string"):
        delta.replace_partition(uri, _reader([{"id": "1"}], "2024-06-02"), date(2024, 6, 2), {})
