"""Merge-on-read tables: a base Delta table and the entities changed since it was last written.

A table whose rows belong to entities (an integrated repository's records, candidates and
conflicts) can take a small update without rewriting its files: the update appends the
**complete new row set of every entity it touched** to a sibling table, ``<table>__changes``,
tagged with the update's sequence number :data:`SEQ`. Reading resolves the two: an entity's
rows are those of its highest sequence number in the changes, or else the base's. A Delta
table rewrites a whole file for one changed row (delta-rs writes no deletion vectors), so this
is the Delta-compatible form of what Iceberg's equality deletes and Hudi's merge-on-read
tables do: a 1% update of entities spread over every file writes 1% of the rows, not all.

Writing the base again (a full build, or folding the changes in) records the sequence number
it is current to as the application transaction :data:`MERGED_APP` of the base's commit; change
rows at or below it are ignored, so a fold is safe to interrupt between its commits, and the
changes table is emptied only afterwards.

The entity column is marked in both tables' schemas (field metadata :data:`ENTITY`), so a
reader needs nothing but the two tables: :func:`read` for Arrow, :func:`sql` for DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from etl.lake import delta

__all__ = [
    "ENTITY",
    "MERGED_APP",
    "SEQ",
    "SUFFIX",
    "Opened",
    "changes_uri",
    "entity_column",
    "latest_changes",
    "mark_entity",
    "merged_through",
    "open_at",
    "read",
    "sql",
]

#: The change rows' sequence number (the update that wrote them; higher is newer).
SEQ = "_seq"
#: Field metadata key marking a table's entity column (value ``"true"``).
ENTITY = "pubdata.entity"
#: The Delta application transaction a base commit records its sequence number under.
MERGED_APP = "pubdata:merged"
#: The changes table's name after its base table's.
SUFFIX = "__changes"


def changes_uri(base_uri: str) -> str:
    """The changes table of a base table: ``<base>__changes`` beside it (same zone, same modes)."""
    return base_uri + SUFFIX


def mark_entity(schema: pa.Schema, column: str) -> pa.Schema:
    """``schema`` with ``column`` marked as the entity column (its other metadata kept)."""
    index = schema.get_field_index(column)
    if index < 0:
        raise ValueError(f"no column {column!r} to mark as the entity")
    field = schema.field(index)
    marked = field.with_metadata({**(field.metadata or {}), ENTITY.encode(): b"true"})
    return schema.set(index, marked)


def entity_column(schema: pa.Schema) -> str:
    """The column :func:`mark_entity` marked.

    Raises:
        ValueError: no column is marked.
    """
    for field in schema:
        if (field.metadata or {}).get(ENTITY.encode()) == b"true":
            return str(field.name)
    raise ValueError("no column is marked as the entity column")


def merged_through(base: DeltaTable | None) -> int:
    """The sequence number the base is current to (0: none recorded, or no base)."""
    return 0 if base is None else int(base.transaction_version(MERGED_APP) or 0)


class Opened(NamedTuple):
    """A base table's snapshot and files, and its changes table's files as of the same point."""

    base: DeltaTable
    base_files: pads.Dataset
    changes: pads.Dataset | None


def open_at(base_uri: str, as_of: delta.AsOf = None) -> Opened:
    """A base table and its changes as of one point, for :func:`read` (``read(*opened)``).

    Args:
        base_uri: the base table.
        as_of: None: now; the changes are opened first, so a fold committing between the two
            opens is seen whole (its base holds what the changes held). A base version
            (``int``): that version, with the changes as they were when it was committed. An
            instant (``datetime`` or ISO-8601, naive means UTC): both as of that instant.

    Returns:
        The snapshots; ``changes`` is None when there was no changes table at that point.

    Raises:
        TableNotFoundError: there is no base table.
        ValueError: the base has no such version, or did not exist yet at that instant.
    """
    uri = changes_uri(base_uri)
    if as_of is None:
        changes = delta.snapshot(uri)
        base = delta.open_table(base_uri)
    else:
        base = delta.open_table(base_uri, as_of)
        instant = _committed(base_uri, int(base.version())) if isinstance(as_of, int) else as_of
        changes = _changes_at(uri, instant)
    files = None if changes is None else delta.snapshot_dataset(changes, uri)
    return Opened(base, delta.snapshot_dataset(base, base_uri), files)


def _committed(uri: str, version: int) -> datetime:
    """Half a millisecond after the commit of ``version``.

    Commit times are whole milliseconds: the instant is after that commit whatever the float
    rounding of a comparison, and before any later commit.
    """
    millis = next(int(c["timestamp"]) for c in delta.history(uri) if c["version"] == version)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis + 0.5)


def _changes_at(uri: str, instant: delta.AsOf) -> DeltaTable | None:
    """The changes table as of ``instant``; None when it did not exist (yet) then."""
    try:
        return delta.open_table(uri, instant)
    except (TableNotFoundError, ValueError):
        return None


def latest_changes(rows: pa.Table, entity: str, after: int = 0) -> pa.Table:
    """Of change rows, those of each entity's highest sequence number above ``after``."""
    rows = rows.filter(pc.greater(rows.column(SEQ), pa.scalar(after, rows.schema.field(SEQ).type)))
    if rows.num_rows == 0:
        return rows
    highest = rows.group_by(entity).aggregate([(SEQ, "max")])
    wanted = pc.index_in(rows.column(entity), value_set=highest.column(entity))
    top = highest.column(f"{SEQ}_max").take(wanted)
    return rows.filter(pc.equal(rows.column(SEQ), top))


def read(
    base: DeltaTable | None,
    base_files: pads.Dataset | None,
    changes: pads.Dataset | None,
    *,
    columns: Sequence[str] | None = None,
    where: pc.Expression | None = None,
    within: pc.Expression | None = None,
) -> pa.Table:
    """The resolved rows: the base's, with each changed entity's latest row set in its place.

    Args:
        base: the base table's snapshot (for :func:`merged_through`); None when there is none.
        base_files: its files as a dataset (the same snapshot), None when there is no base.
        changes: the changes table's files (None: no changes table).
        columns: the columns wanted (None: the base's).
        where: rows wanted, applied after the resolution (an entity's newer rows that the
            filter drops still hide its older ones).
        within: a filter that keeps or drops whole entities (their key, or a partition
            column derived from it), applied to both tables before resolving: it prunes the
            changes read as well as the base.

    Returns:
        The rows, in the base's schema (restricted to ``columns``).
    """
    if base_files is None:
        raise ValueError("a merge-on-read read needs the base table")
    wanted = list(columns) if columns is not None else base_files.schema.names
    where = _both(within, where)
    if changes is None:
        return base_files.to_table(columns=wanted, filter=where)
    entity = entity_column(changes.schema)
    fresh = latest_changes(changes.to_table(filter=within), entity, merged_through(base))
    if fresh.num_rows == 0:
        return base_files.to_table(columns=wanted, filter=where)
    hidden = pc.unique(fresh.column(entity))
    keep = pc.invert(pc.field(entity).isin(hidden))
    held = base_files.to_table(columns=wanted, filter=_both(keep, where))
    newer = fresh.filter(where) if where is not None else fresh
    schema = pa.schema([base_files.schema.field(name) for name in wanted])
    return pa.concat_tables([held, newer.select(wanted).cast(schema)])


def _both(a: pc.Expression | None, b: pc.Expression | None) -> pc.Expression | None:
    if a is None:
        return b
    return a if b is None else a & b


def sql(base: str, changes: str, entity: str, after: int) -> str:
    """A DuckDB query resolving the base and changes relations registered as ``base``/``changes``.

    Args:
        base: the base relation's (quoted-safe) name.
        changes: the changes relation's name.
        entity: the entity column.
        after: :func:`merged_through` of the base: change rows at or below it are ignored.
    """
    quoted = '"' + entity.replace('"', '""') + '"'
    fresh = (
        f'SELECT * FROM "{changes}" WHERE "{SEQ}" > {int(after)} '
        f'QUALIFY "{SEQ}" = max("{SEQ}") OVER (PARTITION BY {quoted})'
    )
    return (
        f'SELECT b.* FROM "{base}" AS b ANTI JOIN ({fresh}) AS c USING ({quoted}) '
        f'UNION ALL BY NAME SELECT * EXCLUDE ("{SEQ}") FROM ({fresh})'
    )
