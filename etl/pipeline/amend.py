"""Re-submitted fixes of quarantined rows: stored beside the delivery, applied on every run.

The design keeps everything:

* the department's delivered file is never changed;
* ``pubdata quarantine <dataset> --date D --export FILE`` writes the date's quarantined rows
  (their raw values, so it needs restricted clearance) with ``_source_row`` and ``_reasons``;
* a person fixes values in that CSV; ``--resubmit FILE`` checks it (UTF-8 CSV with
  ``_source_row`` and exactly the delivery's columns; every row one that is quarantined for D)
  and stores it unchanged (owner-only: folders 0700, file 0600) as
  ``PUBDATA_HOME/resubmissions/<dataset>/<D>/<NNN>-<sha12>.csv``;
* every run of D (the one ``--resubmit`` starts, and any later re-run) reads the delivery, then
  applies the stored files in order: a resubmitted row replaces the delivered row with the same
  ``(_source_file, _source_row)`` (``_source_row`` alone while that names one row, as in a
  one-file delivery) *before* types are applied and the suite runs. Ragged rows cannot be
  resubmitted (the department redelivers the file). A row that is still bad is
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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DataError
from etl.extract.csv_reader import read_csv_file
from etl.extract.fingerprint import hash_file
from etl.lake.private import PRIVATE_FILE, private_folder
from etl.runtime.records import Amendment
from etl.settings import Settings

log = logging.getLogger(__name__)

ROW = "_source_row"
FILE = "_source_file"
REASONS = "_reasons"

#: How a delivered row is named: ``(source file, 1-based row in that file)``; the file is None
#: when a resubmission gives only ``_source_row`` (allowed while the number is unambiguous).
Key = tuple[str | None, int]


def folder(settings: Settings, dataset: str, day: date) -> Path:
    """Where the resubmissions of one dataset and date are kept."""
    return settings.resubmissions / dataset / day.isoformat()


def stored(settings: Settings, dataset: str, day: date) -> list[Path]:
    """The stored resubmission files of a date, in the order they are applied."""
    where = folder(settings, dataset, day)
    return sorted(where.glob("*.csv")) if where.is_dir() else []


def _read(
    path: Path, label: str, columns: Sequence[str]
) -> tuple[pa.Table, pa.Array, pa.Array | None]:
    """A resubmission as an all-string table in ``columns`` order, its row numbers and files."""
    table, _ = read_csv_file(path, label, encoding="utf-8", delimiter=",")
    if ROW not in table.column_names:
        raise DataError(f"{label}: no {ROW} column (export the rows with --export first)")
    data = [c for c in table.column_names if not c.startswith("_")]
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
    files = None
    if FILE in table.column_names:
        files = pc.cast(table.column(FILE), pa.string()).combine_chunks()
        if files.null_count:
            raise DataError(f"{label}: {FILE} is empty on some row")
    keys = _keys(files, rows)
    if len(set(keys)) != len(keys):
        raise DataError(f"{label}: a {ROW} appears more than once")
    return table.select(list(columns)), rows, files


def _keys(files: pa.Array | None, rows: pa.Array) -> list[Key]:
    numbers = [int(n) for n in rows.to_pylist()]
    if files is None:
        return [(None, n) for n in numbers]
    return list(zip(files.to_pylist(), numbers, strict=True))


def _as_key(item: int | tuple[str, int]) -> Key:
    return (None, int(item)) if isinstance(item, int) else (item[0], int(item[1]))


def _match(key: Key, known: dict[Key, int], by_row: dict[int, list[Key]], label: str) -> int:
    """The position of ``key`` among ``known``; a bare row number must name one row."""
    if key[0] is not None or (None, key[1]) in known:
        found = known.get(key)
        if found is None:
            where = f" of {key[0]}" if key[0] else ""
            raise DataError(f"{label}: {ROW} {key[1]}{where} is not a row of the delivery")
        return found
    candidates = by_row.get(key[1], [])
    if len(candidates) != 1:
        if not candidates:
            raise DataError(f"{label}: {ROW} {key[1]} is not a row of the delivery")
        raise DataError(
            f"{label}: {ROW} {key[1]} is ambiguous in a delivery of several files;"
            f" name the file in a {FILE} column"
        )
    return known[candidates[0]]


def _index(keys: Sequence[Key]) -> tuple[dict[Key, int], dict[int, list[Key]]]:
    known = {key: i for i, key in enumerate(keys)}
    by_row: dict[int, list[Key]] = {}
    for key in keys:
        by_row.setdefault(key[1], []).append(key)
    return known, by_row


def store(
    settings: Settings,
    dataset: str,
    day: date,
    path: Path,
    columns: Sequence[str],
    quarantined: Collection[int | tuple[str, int]],
) -> Path:
    """Check a fixed-rows CSV and keep it for the runs of ``day``.

    Args:
        settings: where resubmissions are kept.
        dataset: the registry id.
        day: the logical date the rows belong to.
        path: the CSV a person fixed (UTF-8, ``_source_row`` (and ``_source_file`` when the
            delivery had several files) plus the delivery's columns).
        columns: the delivery's columns.
        quarantined: the rows quarantined for ``day`` now that may be resubmitted:
            ``_source_row`` numbers, or ``(_source_file, _source_row)`` pairs.

    Returns:
        Where the file was stored.

    Raises:
        ConfigError: the file is missing or was already resubmitted.
        DataError: wrong columns, bad row numbers, or rows that are not quarantined.
    """
    if not path.is_file():
        raise ConfigError(f"no such file: {path}")
    _, rows, files = _read(path, path.name, columns)
    if not len(rows):
        raise DataError(f"{path.name}: no rows to resubmit")
    known, by_row = _index([_as_key(q) for q in quarantined])
    outside: list[int] = []
    for key in _keys(files, rows):
        try:
            _match(key, known, by_row, path.name)
        except DataError as exc:
            if "ambiguous" in exc.message:
                raise
            outside.append(key[1])
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
    # raw values: owner-only, like the staging folder and the restricted zone
    private_folder(target.parent, settings.resubmissions)
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(path, tmp)
    tmp.chmod(PRIVATE_FILE)
    tmp.replace(target)
    log.info("stored a resubmission of %d rows for %s %s", len(rows), dataset, day.isoformat())
    return target


def apply(
    settings: Settings,
    dataset: str,
    day: date,
    raw: pa.Table,
    *,
    files: pa.Array | None = None,
    rows: pa.Array | None = None,
) -> tuple[pa.Table, list[Amendment]]:
    """Replace delivered rows with their resubmitted versions (later files win).

    Rows are matched by ``(_source_file, _source_row)``; a resubmission without a
    ``_source_file`` column matches by ``_source_row`` alone, which must then name exactly one
    delivered row (always true for a one-file delivery).

    Args:
        settings: where resubmissions are kept.
        dataset: the registry id.
        day: the run's logical date.
        raw: the delivered all-string table (no pipeline columns).
        files: per row of ``raw``, its ``_source_file`` (None: one unnamed file).
        rows: per row of ``raw``, its ``_source_row`` (None: row ``i`` is ``i + 1``).

    Returns:
        The amended table (same rows, same order) and one record per applied file
        (relative path, URI, sha256, bytes, rows, amended_rows).

    Raises:
        DataError: a stored file no longer fits the delivery (columns or row numbers).
    """
    records: list[Amendment] = []
    paths = stored(settings, dataset, day)
    if not paths:
        return raw, records
    numbers = rows if rows is not None else pa.array(np.arange(1, raw.num_rows + 1))
    known, by_row = _index(_keys(files, numbers))
    for path in paths:
        label = f"resubmissions/{dataset}/{day.isoformat()}/{path.name}"
        fixed, fixed_rows, fixed_files = _read(path, label, raw.column_names)
        keys = _keys(fixed_files if files is not None else None, fixed_rows)
        where = np.array([_match(k, known, by_row, label) for k in keys], dtype=np.int64)
        positions = np.arange(raw.num_rows, dtype=np.int64)
        positions[where] = raw.num_rows + np.arange(len(where), dtype=np.int64)
        raw = pa.concat_tables([raw, fixed.cast(raw.schema)]).take(pa.array(positions))
        sha256, size = hash_file(path)
        records.append(
            Amendment(
                relative_path=label,
                uri=path.resolve().as_uri(),
                sha256=sha256,
                bytes=size,
                rows=len(keys),
                amended_rows=json.dumps(sorted(k[1] for k in keys)),
            )
        )
    log.info("applied %d resubmission file(s) to %s %s", len(records), dataset, day)
    return raw, records
