"""Delta Lake reads and writes (delta-rs through the ``deltalake`` package).

Readers must go through the Delta log: a Parquet glob over a table directory also sees files that
a later commit replaced, and double-counts re-run days.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
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


def version(uri: str) -> int | None:
    """The current version of the table at ``uri``, or None when there is no table."""
    try:
        return int(DeltaTable(uri).version())
    except TableNotFoundError:
        return None


def history(uri: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Commit history (newest first), including the custom commit metadata."""
    return list(DeltaTable(uri).history(limit))
