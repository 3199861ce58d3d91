from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pytest

from etl.runtime import staging
from etl.runtime.staging import RAW, Purged, purge


def make_run(root: Path, name: str, age_days: float) -> Path:
    run = root / "people" / name
    run.mkdir(parents=True)
    raw = staging.write_table(run, RAW, pa.table({"x": ["v" * 100]}))
    old = time.time() - age_days * 86400
    os.utime(raw, (old, old))
    return run


def test_old_runs_are_purged_recent_ones_kept(tmp_path: Path) -> None:
    old = make_run(tmp_path, "old", 10)
    recent = make_run(tmp_path, "recent", 1)
    size = (old / RAW).stat().st_size
    # the recent run (a day idle) is over too: its values go, its folder stays
    purged = purge(tmp_path, keep_days=7)
    assert (purged.folders_removed, purged.runs_emptied) == (1, 1)
    assert size < purged.bytes_freed < 2 * size
    assert not old.exists() and staging.count_rows(recent, RAW) == 0


def test_missing_staging_folder(tmp_path: Path) -> None:
    assert purge(tmp_path / "nope", keep_days=7) == Purged()


def test_batches_come_back_with_their_boundaries_and_columns_in_the_order_asked(
    tmp_path: Path,
) -> None:
    first = pa.table({"a": [1, 2, 3], "b": ["x", None, "z"]})
    chunked = pa.concat_tables(
        [first.slice(0, 0), pa.table({"a": [4], "b": ["w"]}), pa.table({"a": [5], "b": ["v"]})]
    )
    with staging.TableWriter(tmp_path, staging.TYPED) as writer:
        writer.write(first)
        writer.write(chunked)  # two chunks, still one batch
        assert not (tmp_path / staging.TYPED).exists()  # appears on close only
    assert staging.count_rows(tmp_path, staging.TYPED) == 5
    assert staging.row_groups(tmp_path, staging.TYPED) == 2
    assert staging.table_schema(tmp_path, staging.TYPED) == first.schema
    batches = list(staging.iter_tables(tmp_path, staging.TYPED, ["b", "a"]))
    assert [b.column_names for b in batches] == [["b", "a"], ["b", "a"]]
    assert [b.to_pydict() for b in batches] == [
        {"b": ["x", None, "z"], "a": [1, 2, 3]},
        {"b": ["w", "v"], "a": [4, 5]},
    ]
    assert staging.read_table(tmp_path, staging.TYPED, ["a"]).column("a").to_pylist() == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_an_empty_table_keeps_its_schema_and_an_aborted_one_leaves_the_previous(
    tmp_path: Path,
) -> None:
    schema = pa.schema([("a", pa.int64())])
    staging.TableWriter(tmp_path, staging.VALID).close(empty=schema)
    assert staging.count_rows(tmp_path, staging.VALID) == 0
    assert [t.schema for t in staging.iter_tables(tmp_path, staging.VALID)] == [schema]
    writer = staging.TableWriter(tmp_path, staging.VALID)
    writer.write(pa.table({"a": [1]}))
    writer.abort()
    assert staging.count_rows(tmp_path, staging.VALID) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [staging.VALID]


def test_an_unknown_column_is_named(tmp_path: Path) -> None:
    staging.write_table(tmp_path, staging.REJECTED, pa.table({"a": [1]}))
    with pytest.raises(KeyError, match="no column"):
        staging.read_table(tmp_path, staging.REJECTED, ["nope"])
