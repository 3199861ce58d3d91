"""Re-submitted fixes of quarantined rows: stored beside the delivery, applied on every run.

The design keeps everything:

* the department's delivered file is never changed;
* ``pubdata quarantine <dataset> --date D --export FILE`` writes the date's quarantined rows
  (their raw values, so it needs restricted clearance) with ``_source_row`` and ``_reasons``;
* a person fixes values in that CSV; ``--resubmit FILE`` checks it (UTF-8 CSV with
  ``_source_row`` and exactly the delivery's columns; every row one that is quarantined for D)
  and stores it unchanged as ``PUBDATA_HOME/resubmissions/<dataset>/<D>/<NNN>-<sha12>.csv``;
* every run of D (the one ``--resubmit`` starts, and any later re-run) reads the delivery, then
  applies the stored files in order: a resubmitted row replaces the delivered row with the same
  ``_source_row`` *before* types are applied and the suite runs. A row that is still bad is
  quarantined again; ``rows_in`` stays the delivery's row count, so
  ``rows_in = rows_loaded + rows_quarantined`` still holds;
* lineage: ``_meta.source_files`` gets one row per applied resubmission (``role`` =
  ``resubmission``, its sha256 and ``amended_rows``); ``pubdata trace`` names the resubmission a
  row's values came from; the earlier quarantine stays in ``_meta.quarantine_rows`` and in the
  quarantine table's Delta history.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DataError
from etl.extract.csv_reader import read_csv_file
from etl.extract.fingerprint import hash_file
from etl.settings import Settings

log = logging.getLogger(__name__)

ROW = "_source_row"
REASONS = "_reasons"


def folder(settings: Settings, dataset: str, day: date) -> Path:
    """Where the resubmissions of one dataset and date are kept."""
    return settings.resubmissions / dataset / day.isoformat()


def stored(settings: Settings, dataset: str, day: date) -> list[Path]:
    """The stored resubmission files of a date, in the order they are applied."""
    where = folder(settings, dataset, day)
    return sorted(where.glob("*.csv")) if where.is_dir() else []


def _read(path: Path, label: str, columns: Sequence[str]) -> tuple[pa.Table, pa.Array]:
    """A resubmission as an all-string table in ``columns`` order, and its row numbers."""
    table, _ = read_csv_file(path, label, encoding="utf-8", delimiter=",")
    if ROW not in table.column_names:
        raise DataError(f"{label}: no {ROW} column (export the rows with --export first)")
    data = [c for c in table.column_names if c not in (ROW, REASONS)]
    if set(data) != set(columns):
        missing = sorted(set(columns) - set(data))
        extra = sorted(set(data) - set(columns))
        raise DataError(
            f"{label}: columns differ from the delivery's (missing {missing}, unexpected {extra})"
        )
    try:
        rows = pc.cast(table.column(ROW), pa.int64()).combine_chunks()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise DataError(f"{label}: {ROW} must hold row numbers") from None
    if rows.null_count:
        raise DataError(f"{label}: {ROW} is empty on some row")
    if len(pc.unique(rows)) != len(rows):
        raise DataError(f"{label}: a {ROW} appears more than once")
    return table.select(list(columns)), rows


def store(
    settings: Settings,
    dataset: str,
    day: date,
    path: Path,
    columns: Sequence[str],
    quarantined: Collection[int],
) -> Path:
    """Check a fixed-rows CSV and keep it for the runs of ``day``.

    Args:
        settings: where resubmissions are kept.
        dataset: the registry id.
        day: the logical date the rows belong to.
        path: the CSV a person fixed (UTF-8, ``_source_row`` plus the delivery's columns).
        columns: the delivery's columns.
        quarantined: the ``_source_row`` numbers quarantined for ``day`` now.

    Returns:
        Where the file was stored.

    Raises:
        ConfigError: the file is missing or was already resubmitted.
        DataError: wrong columns, bad row numbers, or rows that are not quarantined.
    """
    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    _, rows = _read(path, path.name, columns)
    if not len(rows):
        raise DataError(f"{path.name}: no rows to resubmit")
    outside = sorted(set(rows.to_pylist()) - set(quarantined))
    if outside:
        raise DataError(
            f"{path.name}: {len(outside)} row(s) are not quarantined for {day.isoformat()} "
            f"(first: {ROW} {outside[0]})"
        )
    sha256, _ = hash_file(path)
    existing = stored(settings, dataset, day)
    if any(p.stem.endswith(sha256[:12]) for p in existing):
        raise ConfigError(f"{path.name} was already resubmitted for {day.isoformat()}")
    target = folder(settings, dataset, day) / f"{len(existing) + 1:03d}-{sha256[:12]}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(path, tmp)
    tmp.replace(target)
    log.info("stored a resubmission of %d rows for %s %s", len(rows), dataset, day.isoformat())
    return target


def apply(settings: Settings, dataset: str, day: date, raw: pa.Table) -> tuple[pa.Table, list[Any]]:
    """Replace delivered rows with their resubmitted versions (later files win).

    Args:
        settings: where resubmissions are kept.
        dataset: the registry id.
        day: the run's logical date.
        raw: the delivered all-string table (no pipeline columns), row ``i`` being
            ``_source_row`` ``i + 1``.

    Returns:
        The amended table (same rows, same order) and one JSON-safe record per applied file
        (relative path, URI, sha256, bytes, rows, amended_rows).

    Raises:
        DataError: a stored file no longer fits the delivery (columns or row numbers).
    """
    records: list[Any] = []
    for path in stored(settings, dataset, day):
        label = f"resubmissions/{dataset}/{day.isoformat()}/{path.name}"
        fixed, rows = _read(path, label, raw.column_names)
        numbers = rows.to_numpy()
        if len(numbers) and (numbers.min() < 1 or numbers.max() > raw.num_rows):
            raise DataError(f"{label}: {ROW} outside 1..{raw.num_rows} of the delivery")
        positions = np.arange(raw.num_rows, dtype=np.int64)
        positions[numbers - 1] = raw.num_rows + np.arange(len(numbers), dtype=np.int64)
        raw = pa.concat_tables([raw, fixed.cast(raw.schema)]).take(pa.array(positions))
        sha256, size = hash_file(path)
        records.append(
            {
                "relative_path": label,
                "uri": path.resolve().as_uri(),
                "sha256": sha256,
                "bytes": size,
                "rows": len(numbers),
                "amended_rows": json.dumps(sorted(int(n) for n in numbers)),
            }
        )
    if records:
        log.info("applied %d resubmission file(s) to %s %s", len(records), dataset, day)
    return raw, records
