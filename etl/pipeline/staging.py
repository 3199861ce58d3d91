"""Staging files that carry a run's data between its tasks (tasks pass references, never data)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

RAW = "raw.parquet"  # every source column as delivered (strings) + _source_file/_sha256/_row
TYPED = "typed.parquet"  # declared types applied + _source_file, _source_sha256, _source_row
REJECTED = "rejected.parquet"  # ragged rows (raw text, line, reason): quarantined by validate
VALID = "valid.parquet"  # rows that passed casting and validation (typed)
QUARANTINE = "quarantine.parquet"  # raw rows that failed, with _reasons
SOURCE = "source.json"
RUN = "run.json"
VALIDATION = "validation.json"
CLASSIFICATION = "classification.json"
DRIFT = "drift.json"  # classification drift that holds shared/open publishing
LOAD = "load.json"


def write_table(folder: Path, name: str, table: pa.Table) -> Path:
    """Write one staging table (zstd Parquet) atomically."""
    path = folder / name
    tmp = folder / f".{name}.tmp"
    pq.write_table(table, tmp, compression="zstd")
    tmp.replace(path)
    return path


def read_table(folder: Path, name: str) -> pa.Table:
    """Read one staging table."""
    return pq.read_table(folder / name)


def purge(root: Path, keep_days: float, now: float | None = None) -> tuple[int, int]:
    """Remove run staging folders untouched for ``keep_days`` (they hold raw personal values).

    Staging is ``<root>/<dataset>/<run>/``; a folder whose newest file is younger than the
    retention is kept, so running and recently failed runs (whose failure record and a re-try
    read staging) are never touched.

    Returns:
        (folders removed, bytes freed).
    """
    import shutil
    import time

    cutoff = (time.time() if now is None else now) - keep_days * 86400
    removed = freed = 0
    if not root.is_dir():
        return 0, 0
    for run in sorted(p for p in root.glob("*/*") if p.is_dir()):
        files = [f for f in run.rglob("*") if f.is_file()]
        newest = max((f.stat().st_mtime for f in files), default=run.stat().st_mtime)
        if newest >= cutoff:
            continue
        freed += sum(f.stat().st_size for f in files)
        shutil.rmtree(run)
        removed += 1
    return removed, freed
