"""Duplicate deliveries: a file whose bytes were already loaded for another date.

The pipeline reads the earlier deliveries from ``_meta.source_files`` (rows of successful runs
with ``role = "delivery"``) and passes them in; nothing here reads the lake.

A re-run of the same logical date with the same file is *not* a duplicate: it replaces that
date, as every re-run does. Only file sources are checked: a database snapshot or an API page
may legitimately be identical from one day to the next.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from etl.extract.fingerprint import SourceFingerprint


@dataclass(frozen=True)
class PreviousDelivery:
    """A delivery an earlier run loaded (one ``_meta.source_files`` row)."""

    sha256: str
    lineage_run_id: str
    logical_date: date
    relative_path: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> PreviousDelivery | None:
        """Build from a ``_meta.source_files`` row; None for rows that are not deliveries."""
        if row.get("role", "delivery") != "delivery" or not row.get("sha256"):
            return None
        day = row["logical_date"]
        return cls(
            sha256=str(row["sha256"]),
            lineage_run_id=str(row["lineage_run_id"]),
            logical_date=day if isinstance(day, date) else date.fromisoformat(str(day)),
            relative_path=row.get("relative_path"),
        )


@dataclass(frozen=True)
class Duplicate:
    """A delivered file that is byte-for-byte one already loaded."""

    relative_path: str
    sha256: str
    of_run: str
    of_logical_date: date | None
    of_path: str | None

    @property
    def message(self) -> str:
        """One line, no data values: which file duplicates which run's delivery."""
        if self.of_logical_date is None:
            return f"{self.relative_path} duplicates {self.of_path} in this delivery (same sha256)"
        return (
            f"{self.relative_path} is a duplicate of the delivery loaded by run {self.of_run}"
            f" for {self.of_logical_date.isoformat()} ({self.of_path or 'same sha256'})"
        )


def find_duplicate(
    sha256: str, *, logical_date: date, previous: Iterable[PreviousDelivery]
) -> PreviousDelivery | None:
    """The earliest earlier delivery with the same sha256 for another logical date, if any.

    Args:
        sha256: the new file's hash.
        logical_date: the run's logical date (the same file for the same date is a re-run).
        previous: deliveries of earlier successful runs.

    Returns:
        The delivery this file duplicates, or None.
    """
    same = [p for p in previous if p.sha256 == sha256 and p.logical_date != logical_date]
    return min(same, key=lambda p: (p.logical_date, p.lineage_run_id), default=None)


def duplicate_deliveries(
    fingerprints: Sequence[SourceFingerprint],
    *,
    logical_date: date,
    previous: Iterable[PreviousDelivery],
    run_id: str = "this run",
) -> list[Duplicate]:
    """Which of a run's files duplicate an earlier delivery or another file of the same run.

    Args:
        fingerprints: the run's fingerprints (only ``kind == "file"`` ones are checked).
        logical_date: the run's logical date.
        previous: deliveries of earlier successful runs.
        run_id: how to name this run when two of its own files are identical.

    Returns:
        One :class:`Duplicate` per duplicated file, in reading order; the pipeline skips
        loading those files (or the run, when every file is a duplicate).
    """
    earlier = list(previous)
    seen: dict[str, str] = {}
    found: list[Duplicate] = []
    for fingerprint in fingerprints:
        if fingerprint.kind != "file":
            continue
        if fingerprint.sha256 in seen:
            found.append(
                Duplicate(
                    fingerprint.relative_path,
                    fingerprint.sha256,
                    run_id,
                    None,
                    seen[fingerprint.sha256],
                )
            )
            continue
        seen[fingerprint.sha256] = fingerprint.relative_path
        match = find_duplicate(fingerprint.sha256, logical_date=logical_date, previous=earlier)
        if match is not None:
            found.append(
                Duplicate(
                    fingerprint.relative_path,
                    fingerprint.sha256,
                    match.lineage_run_id,
                    match.logical_date,
                    match.relative_path,
                )
            )
    return found
