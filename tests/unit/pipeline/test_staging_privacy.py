"""Staged raw values are private to the pipeline's OS user and do not outlive their run."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from etl.alerts.compose import _reason_counts
from etl.pipeline import steps_ingest as ingest
from etl.runtime import staging
from etl.runtime.context import staging_dir
from etl.runtime.records import ExtractResult, LoadResult
from tests.unit.pipeline.test_pipeline_steps import IDS, ctx, run_all, setup

VALUE_FILES = {staging.RAW, staging.TYPED, staging.VALID, staging.REJECTED}
KEPT = ["_source_file", "_source_row", "_reasons"]


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """Umask 0: every mode below comes from the code, not from the test's environment."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def age(folder: Path, hours: float) -> None:
    """Make every file of a run folder look untouched for ``hours``."""
    then = time.time() - hours * 3600
    for path in [folder, *folder.rglob("*")]:
        os.utime(path, (then, then))


def leaked_ids(folder: Path) -> list[str]:
    """Raw ID numbers found in the bytes of any file under ``folder``."""
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [i for i in IDS if i.encode() in data]
    return found


def test_staging_folders_are_0700_and_arrow_files_0600_from_creation(tmp_path: Path) -> None:
    folder = staging.run_folder(tmp_path / "staging", "people", "r1")
    for path in (tmp_path / "staging", tmp_path / "staging" / "people", folder):
        assert mode(path) == 0o700, path
    writer = staging.TableWriter(folder, staging.RAW)
    writer.write(pa.table({"sfzh": IDS}))
    assert mode(folder / f".{staging.RAW}.tmp") == 0o600  # while it is being written
    writer.close()
    assert mode(folder / staging.RAW) == 0o600


def test_a_run_stages_privately_and_keeps_no_value_after_success(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    ingest.extract(settings, dataset, ctx())
    ingest.validate(settings, dataset, ctx())
    folder = staging_dir(settings, ctx())
    staged = [p for p in folder.rglob("*") if p.suffix == ".arrow"]
    assert {p.name for p in staged} >= VALUE_FILES | {staging.QUARANTINE}
    assert {mode(p) for p in staged} == {0o600}
    assert {mode(p) for p in [folder, folder.parent, settings.staging]} == {0o700}
    assert leaked_ids(folder)  # raw values are staged while the run is in flight

    summary = run_all(settings, dataset, ctx("r2"))
    assert summary["rows_quarantined"] == 2
    after = staging_dir(settings, ctx("r2"))
    assert leaked_ids(after) == [] and not staging.holds_values(after)
    assert not (VALUE_FILES - {staging.RAW}) & {p.name for p in after.iterdir()}
    assert staging.count_rows(after, staging.RAW) == 0  # its schema stays, for lineage
    assert "sfzh" in staging.table_schema(after, staging.RAW).names
    assert not (after / staging.SPILL).exists()
    assert staging.table_schema(after, staging.QUARANTINE).names == KEPT
    assert sum(_reason_counts(after).values()) >= 2  # the quality alert still reads reasons
    assert (after / ExtractResult.FILE).is_file() and (after / LoadResult.FILE).is_file()
    # r1 stopped after validate a moment ago: it may be running still, so it is left alone
    assert (folder / staging.RAW).is_file()


def test_what_a_killed_run_left_is_dropped_by_the_next_run_of_the_dataset(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    ingest.extract(settings, dataset, ctx("killed"))
    ingest.validate(settings, dataset, ctx("killed"))
    killed = staging_dir(settings, ctx("killed"))
    ingest.extract(settings, dataset, ctx("running"))
    running = staging_dir(settings, ctx("running"))
    other = staging.run_folder(settings.staging, "other_dataset", "old")
    staging.write_table(other, staging.RAW, pa.table({"sfzh": IDS}))
    age(killed, staging.IDLE_HOURS + 1)
    age(other, staging.IDLE_HOURS + 1)
    age(running, staging.IDLE_HOURS - 1)  # between two tasks, or waiting for a retry

    ingest.extract(settings, dataset, ctx("next"))  # its folder is new: the dataset is swept

    assert not staging.holds_values(killed) and leaked_ids(killed) == []
    assert staging.table_schema(killed, staging.QUARANTINE).names == KEPT
    assert (killed / ExtractResult.FILE).is_file()  # the value-free summary stays for the record
    assert staging.holds_values(running)
    assert staging.holds_values(other)  # another dataset's runs are the sweep's business
    assert (staging_dir(settings, ctx("next")) / staging.RAW).is_file()


def test_the_maintenance_sweep_drops_idle_runs_and_removes_old_folders(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path)
    for run in ("killed", "old", "running"):
        ingest.extract(settings, dataset, ctx(run))
    killed, old, running = (staging_dir(settings, ctx(r)) for r in ("killed", "old", "running"))
    age(killed, staging.IDLE_HOURS + 1)
    age(old, staging.KEEP_DAYS * 24 + 1)

    purged = staging.purge(settings.staging)

    assert (purged.folders_removed, purged.runs_emptied) == (1, 1)
    assert purged.bytes_freed > 0
    assert not old.exists()
    assert killed.is_dir() and not staging.holds_values(killed)
    assert staging.holds_values(running)
    assert staging.purge(settings.staging) == staging.Purged()  # nothing left to do
