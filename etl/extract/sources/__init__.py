"""Source kinds as plugins: each kind opens into parts, each part yields record batches.

A *source kind* is a module ``etl.extract.sources.<kind>`` (``file``, ``sql``, ``http``) whose
``open_parts(source, request)`` yields :class:`SourcePart` objects; the kinds are the
``kind`` values of the registry's :data:`etl.registry.sources.Source` union
(:data:`~etl.registry.sources.SOURCE_KINDS`), so a new kind is its module plus its model.
:func:`open_source` is the one dispatch; :func:`source_kind` refuses a kind it does not know.

A *part* is one file, query result or page. What differs between kinds is in the protocol:

* :attr:`SourcePart.header` — the column names known when the part is opened, before rows;
* :meth:`SourcePart.describe` — its fingerprint so far: a file's hash is known when it is opened
  (so duplicate deliveries are skipped unread), a query result's only once it is read;
* :meth:`SourcePart.batches` — all-string tables of at most ``request.batch_rows`` rows, each
  with its 1-based data row numbers;
* :meth:`SourcePart.rejected` — rows set aside (ragged CSV rows), once the batches are read.

Modules are imported when first used, so that parsing a DAG file imports neither pyarrow,
SQLAlchemy nor a spreadsheet library.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from etl.errors import ConfigError
from etl.extract._table import load_plugin
from etl.local_time import DEFAULT_TIMEZONE
from etl.registry.sources import SOURCE_KINDS, Source
from etl.settings import DEFAULT_BATCH_ROWS, DEFAULT_LIMITS, ReadLimits

if TYPE_CHECKING:
    import pyarrow as pa

    from etl.extract.connections import ConnectionResolver
    from etl.extract.fingerprint import SourceFingerprint
    from etl.extract.parts import Rejected

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class ReadRequest:
    """What every source kind is given to read one run's delivery.

    Attributes:
        landing: the landing-zone root (file sources resolve inside it).
        logical_date: the run's logical date (``{ds}`` in paths and endpoints).
        interval: the run's data interval ``[start, end)``; None means the logical date's day.
        connections: resolves ``conn_id`` of sql and http sources.
        limits: what a delivered file may make its reader do (``PUBDATA_MAX_*``).
        batch_rows: the most rows a batch holds (``PUBDATA_BATCH_ROWS``).
        timezone: the pipeline's zone (``PUBDATA_TIMEZONE``): the logical date is a day in it,
            and a database source without its own ``timezone`` keeps naive times in it.
    """

    landing: Path
    logical_date: date
    interval: Interval | None = None
    connections: ConnectionResolver | None = field(default=None, repr=False)
    limits: ReadLimits = DEFAULT_LIMITS
    batch_rows: int = DEFAULT_BATCH_ROWS
    timezone: str = DEFAULT_TIMEZONE

    def resolver(self, kind: str, conn_id: str) -> ConnectionResolver:
        """The connection resolver, which a ``kind`` source on ``conn_id`` cannot do without."""
        if self.connections is None:
            raise ConfigError(f"a {kind} source ({conn_id}) needs a connection resolver")
        return self.connections


@dataclass(frozen=True)
class Batch:
    """Rows of one part: all-string columns (cleaned header names) and their row numbers."""

    table: pa.Table = field(repr=False)
    rows: pa.Array = field(repr=False)


class SourcePart(Protocol):
    """One file, query result or page, opened and ready to yield its rows in batches."""

    @property
    def header(self) -> tuple[str, ...]:
        """Column names as the part delivers them, known before its rows are read."""
        ...

    @property
    def comments(self) -> Mapping[str, str]:
        """Column name -> comment from the source (databases), for the classifier."""
        ...

    def describe(self) -> SourceFingerprint:
        """The part's fingerprint: final once :meth:`batches` is exhausted.

        Before that, a file's (path, hash, bytes, codec) is final and ``rows`` may be 0; a query
        result's ``sha256`` is empty until it has been read.
        """
        ...

    def batches(self) -> Iterator[Batch]:
        """The rows, at most ``batch_rows`` at a time (at least one batch, maybe empty)."""
        ...

    def rejected(self) -> tuple[Rejected, ...]:
        """Rows that could not be read into the table (after :meth:`batches`)."""
        ...

    def close(self) -> None:
        """Release what the part holds open (idempotent)."""
        ...


class OpenParts(Protocol):
    """A source kind's entry point: ``open_parts(source, request)`` in its module."""

    def __call__(self, source: Source, request: ReadRequest) -> Iterator[SourcePart]:
        """Open the source's parts in reading order."""
        ...


@dataclass
class WholePart:
    """A part its reader holds whole (a sheet, a parsed JSON document, a page), sliced.

    Attributes:
        table: the all-string table, header finished.
        fingerprint: what was read (``rows`` is set from the table).
        rows: the int64 row numbers; None means ``1..n``.
        comments: column comments (databases only).
        batch_rows: the most rows per batch.
    """

    table: pa.Table = field(repr=False)
    fingerprint: SourceFingerprint
    rows: pa.Array | None = field(default=None, repr=False)
    comments: Mapping[str, str] = field(default_factory=dict)
    batch_rows: int = DEFAULT_BATCH_ROWS

    def __post_init__(self) -> None:
        self.fingerprint = replace(self.fingerprint, rows=self.table.num_rows)

    @property
    def header(self) -> tuple[str, ...]:
        """The table's column names."""
        return tuple(self.table.column_names)

    def describe(self) -> SourceFingerprint:
        """The fingerprint (final from the start)."""
        return self.fingerprint

    def batches(self) -> Iterator[Batch]:
        """Zero-copy slices of the table with their row numbers."""
        import numpy as np
        import pyarrow as pa

        count = self.table.num_rows
        numbers = self.rows
        if numbers is None:
            numbers = pa.array(np.arange(1, count + 1, dtype=np.int64))
        for start in range(0, max(count, 1), self.batch_rows):
            size = min(self.batch_rows, count - start)
            yield Batch(self.table.slice(start, size), numbers.slice(start, size))

    def rejected(self) -> tuple[Rejected, ...]:
        """None: a whole read refuses what it cannot read."""
        return ()

    def close(self) -> None:
        """Nothing is held open."""


def source_kind(kind: str) -> OpenParts:
    """The ``open_parts`` of a source kind's module.

    Raises:
        ConfigError: no such kind (naming the known ones).
    """
    opener: OpenParts = load_plugin(
        __name__, kind, SOURCE_KINDS, what="source kind", plural="kinds", attr="open_parts"
    )
    return opener


def open_source(source: Source, request: ReadRequest) -> Iterator[SourcePart]:
    """Open a registry source's parts in reading order, whatever its kind.

    Raises:
        PolicyError: a file path resolves outside the landing zone.
        SourceNotReady: the file(s) for this date have not been delivered.
        ConfigError: unknown kind, bad connection, driver, table, column, encoding; HTTP 4xx.
        TransientError: a database or API that could not be reached (retry).
        DataError: data that cannot be read as declared (one line naming the file or page).
    """
    return source_kind(source.kind)(source, request)
