"""Lake maintenance: compact small files, vacuum replaced ones within the retention window.

Daily partitions and per-run ``_meta`` appends leave many small Parquet files; a re-run date
leaves the files it replaced on storage until a vacuum. Maintenance:

- **compacts** every curated, quarantine and ``_meta`` table (Delta ``OPTIMIZE``: small files of
  one partition are rewritten into one; rows, versions and commit history are unchanged, the
  old files become tombstones);
- **vacuums** files that stopped being part of the table more than ``retention_hours`` ago
  (the integrated repositories' tables too: a fold or a full build replaces them whole)
  (``PUBDATA_RETENTION_HOURS``, default 168 h = 7 days, never below Delta's own default),
  with Delta's retention check on: time travel and ``pubdata trace`` keep working for at least
  that long, and a reader or writer that started before the last commit never loses a file.

``_meta`` housekeeping prunes no row: ``lineage_runs``, ``source_files``, validation results,
classifications, column lineage and reviews are the audit record and are kept forever; only
their many one-run files are compacted and the superseded small files vacuumed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from deltalake import CommitProperties, WriterProperties
from deltalake.exceptions import CommitFailedError

from etl.lake import delta, private, store_probe
from etl.lake.layout import (
    INTEGRATED_TABLES,
    META_TABLES,
    integrated_table_uri,
    meta_table_uri,
    quarantine_table_uri,
    zone_table_uri,
)
from etl.lake.merge_on_read import changes_uri
from etl.lake.storage import is_s3
from etl.registry import Registry
from etl.registry.loader import domain_ids
from etl.settings import Settings
from etl.zones import ZONES, Zone

log = logging.getLogger(__name__)

TableKind = Literal["curated", "quarantine", "integrated", "meta"]
_WRITER = WriterProperties(compression="ZSTD")


@dataclass(frozen=True)
class LakeTable:
    """One Delta table maintenance looks after."""

    kind: TableKind
    uri: str


@dataclass(frozen=True)
class Counts:
    """What one maintenance step did, summed over tables (small enough for XCom).

    Attributes:
        tables: tables looked at.
        files_compacted: small files rewritten into larger ones (and tombstoned).
        files_written: files the compaction wrote.
        files_removed: files a vacuum deleted from storage.
        tables_skipped: tables left for the next run (a concurrent commit won the race).
    """

    tables: int = 0
    files_compacted: int = 0
    files_written: int = 0
    files_removed: int = 0
    tables_skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts as a plain dict (the DAG tasks' return value)."""
        return {
            "tables": self.tables,
            "files_compacted": self.files_compacted,
            "files_written": self.files_written,
            "files_removed": self.files_removed,
            "tables_skipped": self.tables_skipped,
        }


def lake_tables(
    settings: Settings, registry: Registry, kinds: Iterable[TableKind]
) -> list[LakeTable]:
    """The existing tables of ``kinds`` (integrated: each repository's base, changes and shared)."""
    wanted = set(kinds)
    candidates: list[LakeTable] = []
    for ds in sorted(registry.datasets.values(), key=lambda d: d.id):
        if "curated" in wanted:
            candidates += [
                LakeTable("curated", zone_table_uri(settings, z, ds.domain, ds.id)) for z in ZONES
            ]
        if "quarantine" in wanted:
            candidates.append(
                LakeTable("quarantine", quarantine_table_uri(settings, ds.domain, ds.id))
            )
    if "integrated" in wanted:
        for domain in domain_ids(registry.root):
            for table in INTEGRATED_TABLES:
                base = integrated_table_uri(settings, domain, table)
                candidates += [
                    LakeTable("integrated", base),
                    LakeTable("integrated", changes_uri(base)),
                ]
            shared = integrated_table_uri(settings, domain, "records", Zone.SHARED)
            candidates.append(LakeTable("integrated", shared))
    if "meta" in wanted:
        candidates += [LakeTable("meta", meta_table_uri(settings.lake, t)) for t in META_TABLES]
    return [t for t in candidates if delta.table_exists(t.uri)]


def _before_commit(settings: Settings, uri: str) -> None:
    if is_s3(uri):
        store_probe.probe(uri, settings.s3_for(uri))


def compact_table(settings: Settings, uri: str) -> tuple[int, int]:
    """Compact one table's small files; returns (files compacted, files written).

    Raises:
        CommitFailedError: a concurrent commit touched the same files (retry later).
    """
    _before_commit(settings, uri)
    dt = delta.open_table(uri)
    metrics = dt.optimize.compact(
        writer_properties=_WRITER,
        commit_properties=CommitProperties(custom_metadata={"pubdata.maintenance": "compact"}),
    )
    private.seal(uri)  # the compacted files of a restricted table are owner-only too
    return int(metrics.get("numFilesRemoved", 0)), int(metrics.get("numFilesAdded", 0))


def vacuum_table(settings: Settings, uri: str) -> int:
    """Delete files replaced more than ``settings.retention_hours`` ago; returns how many.

    The vacuum is ``full``: files no commit ever named (written by a load killed before its
    commit, or by a run that lost the date to another) go too once they are older than the
    retention; the default ("lite") vacuum only sees files the log removed.
    """
    _before_commit(settings, uri)
    removed = delta.open_table(uri).vacuum(
        retention_hours=settings.retention_hours,
        dry_run=False,
        enforce_retention_duration=True,
        full=True,
    )
    return len(removed)


def compact(settings: Settings, registry: Registry, kinds: Iterable[TableKind]) -> Counts:
    """Compact every existing table of ``kinds``; a table a concurrent run is writing is skipped."""
    tables = lake_tables(settings, registry, kinds)
    compacted = written = skipped = 0
    for table in tables:
        try:
            removed, added = compact_table(settings, table.uri)
        except CommitFailedError:
            # An ingest run committed to the same partition meanwhile; its files are fresh
            # anyway and the next maintenance run compacts them.
            log.warning("compaction of %s lost a race with a concurrent commit", table.uri)
            skipped += 1
            continue
        compacted += removed
        written += added
        if removed:
            log.info("compacted %d files into %d in %s", removed, added, table.uri)
    return Counts(len(tables), compacted, written, 0, skipped)


def vacuum(settings: Settings, registry: Registry, kinds: Iterable[TableKind]) -> Counts:
    """Vacuum every existing table of ``kinds`` within the configured retention."""
    tables = lake_tables(settings, registry, kinds)
    removed = skipped = 0
    for table in tables:
        try:
            count = vacuum_table(settings, table.uri)
        except CommitFailedError:
            log.warning("vacuum of %s lost a race with a concurrent commit", table.uri)
            skipped += 1
            continue
        removed += count
        if count:
            log.info("vacuumed %d files from %s", count, table.uri)
    return Counts(len(tables), 0, 0, removed, skipped)
