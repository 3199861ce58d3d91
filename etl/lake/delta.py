"""Delta Lake reads and writes (delta-rs through the ``deltalake`` package).

Readers must go through the Delta log: a Parquet glob over a table directory also sees files that
a later commit replaced, and double-counts re-run days.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import TableNotFoundError

log = logging.getLogger(__name__)

PARTITION_COLUMN = "_logical_date"
_WRITER = WriterProperties(compression="ZSTD")


def _prepare(uri: str) -> None:
    if "://" not in uri:
        Path(uri).mkdir(parents=True, exist_ok=True)


def _commit(metadata: Mapping[str, Any]) -> CommitProperties:
    # Commit metadata values must be JSON; keep them flat strings so every reader shows them.
    flat = {
        k: (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str))
        for k, v in metadata.items()
    }
    return CommitProperties(custom_metadata=flat)


def table_exists(uri: str) -> bool:
    """Whether a Delta table exists at ``uri``."""
    try:
        DeltaTable(uri)
    except TableNotFoundError:
        return False
    return True


def replace_partition(
    uri: str,
    table: pa.Table,
    logical_date: date,
    metadata: Mapping[str, Any],
) -> int:
    """Replace the rows of one logical date with ``table`` in one atomic commit.

    Re-running a date replaces that date and never duplicates it; rows of other dates are
    untouched; an empty ``table`` clears the date. New columns are merged into the schema.

    Returns:
        The Delta version written.
    """
    day = logical_date.isoformat()
    if PARTITION_COLUMN not in table.column_names:
        raise ValueError(f"table lacks the partition column {PARTITION_COLUMN}")
    _prepare(uri)
    write_deltalake(
        uri,
        table,
        mode="overwrite",
        predicate=f"{PARTITION_COLUMN} = '{day}'",
        partition_by=[PARTITION_COLUMN],
        schema_mode="merge",
        writer_properties=_WRITER,
        commit_properties=_commit(metadata),
    )
    return int(DeltaTable(uri).version())


def replace_all(uri: str, table: pa.Table, metadata: Mapping[str, Any]) -> int:
    """Replace the whole table (snapshot loads) in one atomic commit; returns the version."""
    _prepare(uri)
    write_deltalake(
        uri,
        table,
        mode="overwrite",
        schema_mode="overwrite",
        writer_properties=_WRITER,
        commit_properties=_commit(metadata),
    )
    return int(DeltaTable(uri).version())


def append(uri: str, table: pa.Table, metadata: Mapping[str, Any] | None = None) -> int:
    """Append rows (used by the ``_meta`` tables); returns the version written."""
    _prepare(uri)
    write_deltalake(
        uri,
        table,
        mode="append",
        schema_mode="merge",
        writer_properties=_WRITER,
        commit_properties=_commit(metadata or {}),
    )
    return int(DeltaTable(uri).version())


def _filesystem(uri: str) -> pafs.FileSystem | None:
    # delta-rs' default reader goes through a Python filesystem handler whose pyarrow I/O threads
    # abort the interpreter at exit ("terminate called without an active exception"); a native
    # pyarrow filesystem rooted at the table avoids that for local tables.
    if "://" in uri and not uri.startswith("file://"):
        return None
    root = uri.removeprefix("file://")
    return pafs.SubTreeFileSystem(root, pafs.LocalFileSystem())


def read(uri: str, *, columns: list[str] | None = None, version: int | None = None) -> pa.Table:
    """Read a Delta table through its log (never by globbing Parquet files)."""
    dt = DeltaTable(uri, version=version)
    return dt.to_pyarrow_table(columns=columns, filesystem=_filesystem(uri))


AsOf = int | datetime | str | None


def open_table(uri: str, as_of: AsOf = None) -> DeltaTable:
    """Open a Delta table, optionally as of a version or a point in time.

    Args:
        uri: the table URI.
        as_of: None for the latest version, an ``int`` version, or a ``datetime``/ISO-8601
            string (naive means UTC): the version that was current at that instant.

    Returns:
        The table at that version.

    Raises:
        TableNotFoundError: there is no table at ``uri``.
        ValueError: the version or instant does not exist (before the table was created, or a
            version not yet written).
    """
    if as_of is None:
        return DeltaTable(uri)
    if isinstance(as_of, bool):
        raise ValueError("as_of must be a version or an instant, not a bool")
    if isinstance(as_of, int):
        latest = int(DeltaTable(uri).version())
        if not 0 <= as_of <= latest:
            raise ValueError(f"version {as_of} does not exist (latest is {latest})")
        return DeltaTable(uri, version=as_of)
    instant = datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    millis = instant.timestamp() * 1000
    commits = [c for c in DeltaTable(uri).history() if int(c["timestamp"]) <= millis]
    if not commits:
        raise ValueError(f"the table did not exist yet at {instant.isoformat()}")
    return DeltaTable(uri, version=max(int(c["version"]) for c in commits))


def schema(uri: str, as_of: AsOf = None) -> pa.Schema:
    """The Arrow schema of a table at one version (read from the log, no data file opened)."""
    return pa.schema(open_table(uri, as_of).schema().to_arrow())


def dataset(uri: str, as_of: AsOf = None) -> pads.Dataset:
    """The table's files at one version as a pyarrow dataset (for DuckDB or lazy scans).

    The file list comes from the Delta log, so files a later commit replaced are never read.
    """
    return open_table(uri, as_of).to_pyarrow_dataset(filesystem=_filesystem(uri))


def version(uri: str) -> int | None:
    """The current version of the table at ``uri``, or None when there is no table."""
    try:
        return int(DeltaTable(uri).version())
    except TableNotFoundError:
        return None


def history(uri: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Commit history (newest first), including the custom commit metadata."""
    return list(DeltaTable(uri).history(limit))
