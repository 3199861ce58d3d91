"""Merge-on-read tables (etl.lake.merge_on_read): a base and its changes, resolved."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import CommitProperties, write_deltalake
from deltalake.exceptions import TableNotFoundError
from deltalake.transaction import Transaction

from etl.lake import merge_on_read
from etl.lake.delta import AsOf
from etl.lake.merge_on_read import MERGED_APP, SEQ, changes_uri, mark_entity

SCHEMA = pa.schema([("k", pa.string()), ("v", pa.int64()), ("note", pa.string())])


def rows(*triples: tuple[str, int, str | None]) -> pa.Table:
    return pa.Table.from_pylist([{"k": k, "v": v, "note": n} for k, v, n in triples], schema=SCHEMA)


def write_base(uri: str, table: pa.Table, merged: int | None = None) -> None:
    """Write (overwrite) the base; ``merged``: the sequence a fold or full build recorded."""
    txns = [] if merged is None else [Transaction(MERGED_APP, merged)]
    write_deltalake(
        uri, table, mode="overwrite", commit_properties=CommitProperties(app_transactions=txns)
    )


def append_changes(uri: str, table: pa.Table, seq: int) -> None:
    """Append entities' complete row sets as update ``seq`` (partitioned by it)."""
    tagged = table.append_column(SEQ, pa.array([seq] * table.num_rows, pa.int64()))
    tagged = tagged.cast(mark_entity(tagged.schema, "k"))
    write_deltalake(changes_uri(uri), tagged, mode="append", partition_by=[SEQ])


def resolved(
    uri: str, where: pc.Expression | None = None, as_of: AsOf = None
) -> list[tuple[str, int, str | None]]:
    found = merge_on_read.read(*merge_on_read.open_at(uri, as_of), where=where)
    return sorted((r["k"], r["v"], r["note"]) for r in found.to_pylist())


@pytest.fixture
def uri(tmp_path: Path) -> str:
    return str(tmp_path / "records")


def test_each_entity_reads_its_latest_update_or_else_the_base(uri: str) -> None:
    write_base(uri, rows(("a", 1, "base"), ("a", 2, "base"), ("b", 1, "base"), ("c", 1, "base")))
    append_changes(uri, rows(("a", 10, "seq1"), ("b", 10, "seq1")), 1)
    append_changes(uri, rows(("a", 20, "seq2"), ("a", 21, "seq2"), ("d", 20, "seq2")), 2)
    assert resolved(uri) == [
        ("a", 20, "seq2"),
        ("a", 21, "seq2"),  # a's two updates: the later one's complete row set
        ("b", 10, "seq1"),
        ("c", 1, "base"),  # untouched
        ("d", 20, "seq2"),  # an entity only in the changes
    ]


def test_a_filter_dropping_an_entitys_new_rows_still_hides_its_old_ones(uri: str) -> None:
    write_base(uri, rows(("a", 1, "base"), ("b", 1, "base")))
    append_changes(uri, rows(("a", 5, "seq1")), 1)
    assert resolved(uri, where=pc.field("v") == 1) == [("b", 1, "base")]
    assert resolved(uri, where=pc.field("v") > 1) == [("a", 5, "seq1")]


def test_columns_without_the_entity_column(uri: str) -> None:
    write_base(uri, rows(("a", 1, "base"), ("b", 2, "base")))
    append_changes(uri, rows(("a", 5, "seq1")), 1)
    found = merge_on_read.read(*merge_on_read.open_at(uri), columns=["v"])
    assert found.schema == pa.schema([("v", pa.int64())])
    assert sorted(found.column("v").to_pylist()) == [2, 5]


def test_change_rows_the_base_is_merged_through_are_ignored(uri: str) -> None:
    append_changes(uri, rows(("a", 10, "seq1"), ("b", 10, "seq1")), 1)
    append_changes(uri, rows(("b", 20, "seq2")), 2)
    # a fold wrote the base through sequence 1; the changes are not emptied yet
    write_base(uri, rows(("a", 10, "folded"), ("b", 10, "folded"), ("c", 1, "folded")), merged=1)
    assert resolved(uri) == [("a", 10, "folded"), ("b", 20, "seq2"), ("c", 1, "folded")]
    write_base(uri, rows(("a", 10, "folded"), ("b", 20, "folded"), ("c", 1, "folded")), merged=2)
    assert resolved(uri) == [("a", 10, "folded"), ("b", 20, "folded"), ("c", 1, "folded")]


def test_a_base_without_changes_reads_as_it_is(uri: str) -> None:
    write_base(uri, rows(("a", 1, "base")))
    opened = merge_on_read.open_at(uri)
    assert opened.changes is None
    assert merge_on_read.read(*opened).to_pylist() == [{"k": "a", "v": 1, "note": "base"}]


def test_no_base_table_is_an_error(uri: str) -> None:
    with pytest.raises(TableNotFoundError):
        merge_on_read.open_at(uri)


def test_time_travel_takes_the_changes_as_of_the_same_point(uri: str) -> None:
    def pause() -> None:  # commit times are milliseconds: keep the commits apart
        time.sleep(0.02)

    write_base(uri, rows(("a", 1, "v0")))  # base version 0
    pause()
    append_changes(uri, rows(("a", 2, "seq1")), 1)
    pause()
    between = datetime.now(UTC)
    pause()
    write_base(uri, rows(("a", 2, "v1"), ("b", 1, "v1")), merged=1)  # base version 1
    pause()
    append_changes(uri, rows(("b", 3, "seq2")), 2)

    assert resolved(uri) == [("a", 2, "v1"), ("b", 3, "seq2")]
    assert resolved(uri, as_of=0) == [("a", 1, "v0")]  # version 0 as committed: no changes yet
    assert resolved(uri, as_of=between) == [("a", 2, "seq1")]  # version 0 and the first update
    assert resolved(uri, as_of=between.isoformat()) == [("a", 2, "seq1")]
    assert resolved(uri, as_of=1) == [("a", 2, "v1"), ("b", 1, "v1")]  # not the second update
    with pytest.raises(ValueError, match="version 5 does not exist"):
        merge_on_read.open_at(uri, 5)
    with pytest.raises(ValueError, match="did not exist yet"):
        merge_on_read.open_at(uri, datetime(2000, 1, 1, tzinfo=UTC))


def test_latest_changes_keeps_each_entitys_highest_sequence_above_a_floor() -> None:
    changes = rows(("a", 1, None), ("a", 2, None), ("a", 3, None), ("b", 4, None))
    changes = changes.append_column(SEQ, pa.array([1, 2, 2, 1], pa.int64()))
    latest = merge_on_read.latest_changes(changes, "k")
    assert sorted(latest.column("v").to_pylist()) == [2, 3, 4]
    assert merge_on_read.latest_changes(changes, "k", after=1).column("v").to_pylist() == [2, 3]
    assert merge_on_read.latest_changes(changes, "k", after=2).num_rows == 0


def test_the_entity_column_is_the_one_marked() -> None:
    marked = mark_entity(SCHEMA, "k")
    assert merge_on_read.entity_column(marked) == "k"
    with pytest.raises(ValueError, match="no column is marked"):
        merge_on_read.entity_column(SCHEMA)
    with pytest.raises(ValueError, match="no column 'x'"):
        mark_entity(SCHEMA, "x")


@pytest.mark.parametrize("seed", range(5))
def test_the_duckdb_view_resolves_exactly_as_the_arrow_read(uri: str, seed: int) -> None:
    rng = random.Random(seed)
    entities = [f"e{i:03d}" for i in range(60)]

    def some(name: str, keys: list[str]) -> pa.Table:
        return rows(
            *(
                (k, rng.randrange(100), rng.choice([name, None]))
                for k in keys
                for _ in range(rng.randrange(1, 4))
            )
        )

    merged = rng.randrange(0, 3)
    write_base(uri, some("base", entities[:40]), merged=merged or None)
    for seq in range(1, 6):
        append_changes(uri, some(f"seq{seq}", rng.sample(entities, 12)), seq)
    opened = merge_on_read.open_at(uri)
    assert opened.changes is not None
    where = pc.field("v") < 50
    con = duckdb.connect()
    con.register("base", opened.base_files)
    con.register("changes", opened.changes)
    view = merge_on_read.sql("base", "changes", "k", merge_on_read.merged_through(opened.base))
    for query, expected in (
        (view, merge_on_read.read(*opened)),
        (f"SELECT * FROM ({view}) WHERE v < 50", merge_on_read.read(*opened, where=where)),
    ):
        found = con.sql(query).to_arrow_table()
        assert found.schema.names == SCHEMA.names
        key = [(name, "ascending") for name in SCHEMA.names]
        assert found.sort_by(key).to_pylist() == expected.sort_by(key).to_pylist()
        assert found.num_rows > 0
