"""What extraction returns: parts (one per file, page or query) combined into :class:`Extracted`.

A part is the unit a streaming reader can hand on by itself: its string table, its fingerprint,
its row numbers and the rows it had to reject. :func:`combine` joins the parts of one run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.extract.fingerprint import SourceFingerprint

logger = logging.getLogger(__name__)

SOURCE_FILE = "_source_file"
SOURCE_SHA256 = "_source_sha256"
SOURCE_ROW = "_source_row"
SOURCE_LINE = "_source_line"
RAW_LINE = "_raw_line"
REASONS = "_reasons"
#: Prefix of the quarantine reason code of a ragged row (``ragged:<fields>/<expected>``).
RAGGED_PREFIX = "ragged:"


@dataclass(frozen=True)
class Rejected:
    """A delivered row that could not be split into the header's columns (a ragged row).

    Its text is personal data: it may only be written to the restricted zone, never logged or
    put in a message.

    Attributes:
        row: its 1-based data row number in its source (the numbering the good rows use).
        line: the physical line it starts on, when known.
        fields: how many fields it has.
        expected: how many the header has.
        text: the raw row text.
    """

    row: int
    line: int | None
    fields: int
    expected: int
    text: str = field(repr=False)

    @property
    def reason(self) -> str:
        """The quarantine reason code, e.g. ``ragged:3/2`` (fields found / expected)."""
        return f"{RAGGED_PREFIX}{self.fields}/{self.expected}"


@dataclass(frozen=True)
class ExtractedPart:
    """One file, page or query result.

    Attributes:
        table: all-string columns.
        fingerprint: what was read.
        rows: int64 1-based data row numbers of the table's rows; None means ``1..n``.
        rejected: rows that could not be read into the table.
        comments: column name -> comment (databases only).
    """

    table: pa.Table = field(repr=False)
    fingerprint: SourceFingerprint
    rows: pa.Array | None = field(default=None, repr=False)
    rejected: tuple[Rejected, ...] = field(default=(), repr=False)
    comments: Mapping[str, str] = field(default_factory=dict)

    def row_numbers(self) -> pa.Array:
        """The int64 row numbers of the table's rows."""
        if self.rows is not None:
            return self.rows
        return pa.array(np.arange(1, self.table.num_rows + 1, dtype=np.int64))


@dataclass(frozen=True)
class Extracted:
    """Everything one run read from its source.

    Attributes:
        table: the data, all ``string`` columns (the union of the parts' columns).
        fingerprints: one per file, page or query, in reading order.
        source_index: int32 per row, the index of its part in ``fingerprints``.
        source_row: int64 per row, its 1-based data row number within that part.
        column_comments: column comments from the source (databases), for the classifier.
        rejected: restricted-zone table of rows that could not be read (see
            :meth:`quarantine_rows`), with their raw text.
    """

    table: pa.Table = field(repr=False)
    fingerprints: tuple[SourceFingerprint, ...]
    source_index: pa.Array = field(repr=False)
    source_row: pa.Array = field(repr=False)
    column_comments: Mapping[str, str] = field(default_factory=dict)
    rejected: pa.Table = field(default_factory=lambda: rejected_table([]), repr=False)

    @property
    def rows_in(self) -> int:
        """Rows delivered: read into the table plus rejected."""
        return int(self.table.num_rows + self.rejected.num_rows)

    def provenance(self) -> dict[str, pa.Array]:
        """Per-row lineage columns: ``_source_file``, ``_source_sha256``, ``_source_row``."""
        paths = pa.array([f.relative_path for f in self.fingerprints], pa.string())
        hashes = pa.array([f.sha256 for f in self.fingerprints], pa.string())
        return {
            SOURCE_FILE: pc.take(paths, self.source_index),
            SOURCE_SHA256: pc.take(hashes, self.source_index),
            SOURCE_ROW: self.source_row,
        }

    def quarantine_rows(self, columns: Sequence[str]) -> pa.Table:
        """The rejected rows shaped like quarantined raw rows (restricted zone only).

        Args:
            columns: the data columns of the raw table; they are null for rejected rows.

        Returns:
            ``columns`` (null strings), ``_source_file``, ``_source_sha256``, ``_source_row``,
            ``_source_line``, ``_raw_line`` (the row text) and ``_reasons``.
        """
        return as_quarantine_rows(self.rejected, columns)

    def with_table(self, table: pa.Table) -> Extracted:
        """The same extraction over a transformed table with the same rows (e.g. renamed)."""
        if table.num_rows != self.table.num_rows:
            raise ValueError("with_table needs a table with the same rows")
        return Extracted(
            table=table,
            fingerprints=self.fingerprints,
            source_index=self.source_index,
            source_row=self.source_row,
            column_comments=self.column_comments,
            rejected=self.rejected,
        )

    def __repr__(self) -> str:
        return (
            f"Extracted(rows={self.table.num_rows}, columns={self.table.num_columns},"
            f" parts={len(self.fingerprints)}, rejected={self.rejected.num_rows})"
        )


def rejected_table(rows: list[tuple[SourceFingerprint, Rejected]]) -> pa.Table:
    """Rows that could not be read, with their file, row, line, raw text and reason."""
    return pa.table(
        {
            SOURCE_FILE: pa.array([f.relative_path for f, _ in rows], pa.string()),
            SOURCE_SHA256: pa.array([f.sha256 for f, _ in rows], pa.string()),
            SOURCE_ROW: pa.array([r.row for _, r in rows], pa.int64()),
            SOURCE_LINE: pa.array([r.line for _, r in rows], pa.int64()),
            RAW_LINE: pa.array([r.text for _, r in rows], pa.string()),
            REASONS: pa.array([r.reason for _, r in rows], pa.string()),
        }
    )


def as_quarantine_rows(rejected: pa.Table, columns: Sequence[str]) -> pa.Table:
    """A :func:`rejected_table` shaped like quarantined raw rows: ``columns`` null, then its own."""
    count = rejected.num_rows
    data = pa.Table.from_arrays(
        [pa.nulls(count, pa.string()) for _ in columns], names=list(columns)
    )
    for name in rejected.column_names:
        data = data.append_column(name, rejected.column(name))
    return data


def combine(parts: Sequence[ExtractedPart]) -> Extracted:
    """Join the parts of one run into one :class:`Extracted`.

    Columns are matched by name; a column missing from a part is null there (a warning is
    logged, since the files of one delivery normally share a header).

    Args:
        parts: at least one part.

    Returns:
        The combined extraction.
    """
    if not parts:
        raise ValueError("combine needs at least one part")
    first = parts[0].table.column_names
    for part in parts[1:]:
        if part.table.column_names != first:
            logger.warning(
                "%s has different columns from %s; columns are matched by name",
                part.fingerprint.relative_path,
                parts[0].fingerprint.relative_path,
            )
    table = pa.concat_tables([p.table for p in parts], promote_options="default")
    counts = [p.table.num_rows for p in parts]
    index = pa.array(np.repeat(np.arange(len(parts), dtype=np.int32), counts))
    rows = pa.concat_arrays([p.row_numbers() for p in parts])
    comments: dict[str, str] = {}
    for part in parts:
        for name, comment in part.comments.items():
            comments.setdefault(name, comment)
    rejected = rejected_table([(p.fingerprint, r) for p in parts for r in p.rejected])
    return Extracted(
        table=table,
        fingerprints=tuple(p.fingerprint for p in parts),
        source_index=index,
        source_row=rows,
        column_comments=comments,
        rejected=rejected,
    )
