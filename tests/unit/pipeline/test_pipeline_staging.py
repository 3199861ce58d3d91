from __future__ import annotations

import os
import time
from pathlib import Path

from etl.pipeline.staging import purge


def make_run(root: Path, name: str, age_days: float) -> Path:
    run = root / "people" / name
    run.mkdir(parents=True)
    raw = run / "raw.parquet"
    raw.write_bytes(b"x" * 100)
    old = time.time() - age_days * 86400
    os.utime(raw, (old, old))
    return run


def test_old_runs_are_purged_recent_ones_kept(tmp_path: Path) -> None:
    old = make_run(tmp_path, "old", 10)
    recent = make_run(tmp_path, "recent", 1)
    assert purge(tmp_path, keep_days=7) == (1, 100)
    assert not old.exists() and recent.exists()


def test_missing_staging_folder(tmp_path: Path) -> None:
    assert purge(tmp_path / "nope", keep_days=7) == (0, 0)
