"""Partition rewrites (etl.lake.delta.stage_partitions): the integrated tables' MERGE."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.errors import ConcurrentRun
from etl.lake import delta

SCHEMA = pa.schema([("_bucket", pa.int16()), ("k", pa.string()), ("v", pa.int64())])
APP = "pubdata:test"


def rows(bucket: int, *pairs: tuple[str, int]) -> pa.Table:
    return pa.table(
        {
            "_bucket": pa.array([bucket] * len(pairs), pa.int16()),
            "k": [k for k, _ in pairs],
            "v": [v for _, v in pairs],
        },
        schema=SCHEMA,
    )


def rewrite(
    uri: str, parts: dict[int, pa.Table], *, whole: bool = False, schema: pa.Schema = SCHEMA
) -> int:
    base = delta.snapshot(uri)
    staged = delta.stage_partitions(uri, base, schema, ("_bucket",), whole=whole)
    for bucket, part in parts.items():
        delta.write_partition(staged, {"_bucket": str(bucket)}, part)
    return delta.commit(staged, {"pubdata.run_id": "test"}, delta.claim(base, APP))


def live(uri: str) -> set[str]:
    actions = pa.table(delta.open_table(uri).get_add_actions(flatten=True))
    return set(actions.column("path").to_pylist())


def content(uri: str) -> list[tuple[int, str, int]]:
    table = delta.read(uri).sort_by([("_bucket", "ascending"), ("k", "ascending")])
    return [(r["_bucket"], r["k"], r["v"]) for r in table.to_pylist()]


def test_a_new_table_then_one_partition_rewritten(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1)), 2: rows(2, ("b", 2), ("c", 3))})
    assert delta.partition_rows(delta.snapshot(uri), ("_bucket",)) == {("1",): 1, ("2",): 2}
    assert delta.partition_rows(delta.snapshot(uri), ()) == {(): 3}
    before = live(uri)
    version = rewrite(uri, {2: rows(2, ("b", 20), ("c", 3), ("d", 4))})
    assert content(uri) == [(1, "a", 1), (2, "b", 20), (2, "c", 3), (2, "d", 4)]
    after = live(uri)
    kept = before & after
    assert kept and all(p.startswith("_bucket=1/") for p in kept)
    assert all(p.startswith("_bucket=2/") for p in (before ^ after))
    history = delta.history(uri, limit=1)[0]
    assert (history["version"], history["pubdata.run_id"]) == (version, "test")
    assert delta.generation(uri, APP) == 2


def test_an_empty_partition_is_removed(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1)), 2: rows(2, ("b", 2))})
    rewrite(uri, {2: rows(2)})
    assert content(uri) == [(1, "a", 1)]


def test_a_whole_rewrite_replaces_every_partition_and_the_schema(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1)), 2: rows(2, ("b", 2))})
    wider = SCHEMA.append(pa.field("w", pa.string()))
    part = rows(3, ("c", 3)).append_column("w", pa.array(["x"]))
    rewrite(uri, {3: part}, whole=True, schema=wider)
    assert delta.read(uri).to_pylist() == [{"_bucket": 3, "k": "c", "v": 3, "w": "x"}]


def test_a_commit_since_the_base_was_read_stops_the_rewrite(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1))})
    base = delta.snapshot(uri)
    staged = delta.stage_partitions(uri, base, SCHEMA, ("_bucket",))
    delta.write_partition(staged, {"_bucket": "1"}, rows(1, ("a", 2)))
    written = [Path(uri) / name for name, _ in staged.files]
    assert all(p.exists() for p in written)
    rewrite(uri, {1: rows(1, ("a", 3))})  # another writer, with its own claim
    with pytest.raises(ConcurrentRun):
        delta.commit(staged, {}, delta.claim(base, APP))
    assert content(uri) == [(1, "a", 3)]
    assert not any(p.exists() for p in written)  # the loser's files are deleted


def test_a_later_table_of_the_same_claim_is_not_retried_on_a_newer_version(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1))})
    base = delta.snapshot(uri)
    staged = delta.stage_partitions(uri, base, SCHEMA, ("_bucket",))
    delta.write_partition(staged, {"_bucket": "1"}, rows(1, ("a", 2)))
    # a commit that is no claim (a table description, a compaction) lands first
    delta.open_table(uri).alter.set_table_description("changed")
    with pytest.raises(ConcurrentRun, match="changed while it was rewritten"):
        delta.commit(staged, {}, delta.claim(base, APP), owner=lambda: True)
    assert content(uri) == [(1, "a", 1)]


def test_partition_values_must_be_plain(tmp_path: Path) -> None:
    staged = delta.stage_partitions(str(tmp_path / "t"), None, SCHEMA, ("_bucket",))
    with pytest.raises(ValueError, match="identifiers or numbers"):
        delta.write_partition(staged, {"_bucket": "../1"}, rows(1, ("a", 1)))


def test_a_partition_larger_than_a_file_is_split(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delta, "FILE_ROWS", 2)
    uri = str(tmp_path / "t")
    rewrite(uri, {1: rows(1, ("a", 1), ("b", 2), ("c", 3))})
    assert len(live(uri)) == 2
    assert pc.sum(delta.read(uri).column("v")).as_py() == 6
