"""Every source kind read whole: :func:`extract_source` (and :func:`iter_parts`).

Both read through the source-kind registry (:func:`etl.extract.sources.open_source`), joining
each part's batches; the pipeline's extract step streams the same parts batch by batch instead.

.. code-block:: python

    extracted = extract_source(
        dataset.source,
        landing=settings.landing,
        logical_date=ctx.logical_date,
        interval=(start, end),  # the run's data interval, or None
        connections=EnvConnections(os.environ),  # the DAG passes a resolver over Airflow
        normalize=dataset.normalize,  # header cleanup and renames, per file
    )
    extracted.table  # all-string columns
    extracted.fingerprints  # one per file / page / query
    extracted.provenance()  # _source_file, _source_sha256, _source_row per row
    extracted.column_comments  # for the classifier
    extracted.rejected  # ragged rows with their raw text: restricted zone only
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from etl.extract.connections import ConnectionResolver
from etl.extract.normalize import normalize_headers
from etl.extract.parts import Extracted, ExtractedPart, combine
from etl.extract.sources import ReadRequest, SourcePart, open_source
from etl.registry.normalize import NormalizeSpec
from etl.registry.sources import Source
from etl.settings import DEFAULT_LIMITS, ReadLimits

Interval = tuple[datetime, datetime]


def normalized_comments(part: SourcePart, normalize: NormalizeSpec | None) -> dict[str, str]:
    """A part's column comments under its normalized column names."""
    if not part.comments:
        return {}
    header = list(part.header)
    if normalize is None:
        return dict(part.comments)
    renamed = normalize_headers(
        pa.schema([(n, pa.string()) for n in header]).empty_table(),
        normalize,
        source_name=part.describe().relative_path,
    ).column_names
    by_name = dict(zip(header, renamed, strict=True))
    return {by_name[old]: text for old, text in part.comments.items() if old in by_name}


def read_part(part: SourcePart, normalize: NormalizeSpec | None) -> ExtractedPart:
    """Read one opened part whole: its batches joined, its headers cleaned and renamed."""
    try:
        batches = list(part.batches())
    finally:
        part.close()
    name = part.describe().relative_path
    tables = [b.table for b in batches]
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    if normalize is not None:
        table = normalize_headers(table, normalize, source_name=name)
    rows = pa.concat_arrays([b.rows for b in batches])
    return ExtractedPart(
        table=table,
        fingerprint=part.describe(),
        rows=rows,
        rejected=part.rejected(),
        comments=normalized_comments(part, normalize),
    )


def iter_parts(
    source: Source,
    *,
    landing: Path,
    logical_date: date,
    interval: Interval | None = None,
    connections: ConnectionResolver | None = None,
    normalize: NormalizeSpec | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Iterator[ExtractedPart]:
    """Read a source part by part (a file, a page, a query result), for streaming callers.

    Arguments and errors as for :func:`extract_source`.

    Yields:
        The parts in reading order, their headers cleaned and renamed.
    """
    request = ReadRequest(
        landing=landing,
        logical_date=logical_date,
        interval=interval,
        connections=connections,
        limits=limits,
    )
    for part in open_source(source, request):
        yield read_part(part, normalize)


def extract_source(
    source: Source,
    *,
    landing: Path,
    logical_date: date,
    interval: Interval | None = None,
    connections: ConnectionResolver | None = None,
    normalize: NormalizeSpec | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Extracted:
    """Read everything a run's source delivered, whatever its kind.

    Args:
        source: the dataset's registry source (``file``, ``sql`` or ``http``).
        landing: the landing-zone root (file sources resolve inside it).
        logical_date: the run's logical date (``{ds}`` in paths and endpoints).
        interval: the run's data interval ``[start, end)`` (incremental SQL, ``{start}``/``{end}``
            in HTTP); None means the logical date's day.
        connections: resolves ``conn_id`` of sql and http sources.
        normalize: the dataset's ``normalize`` spec: header cleanup and renames are applied to
            each part before the parts are joined, so files that spell a header differently
            (``（万元）``/``(万元)``) still land in one canonical column.
        limits: what a delivered file may make its reader do (``PUBDATA_MAX_*``).

    Returns:
        The combined string table with per-row provenance, fingerprints, column comments and
        rejected rows.

    Raises:
        PolicyError: a file path resolves outside the landing zone.
        SourceNotReady: the file(s) for this date have not been delivered.
        ConfigError: bad connection, driver, table, column, encoding; an HTTP 4xx.
        TransientError: a database or API that could not be reached (retry).
        DataError: data that cannot be read as declared (one line naming the file or page).
    """
    parts = list(
        iter_parts(
            source,
            landing=landing,
            logical_date=logical_date,
            interval=interval,
            connections=connections,
            normalize=normalize,
            limits=limits,
        )
    )
    return combine(parts)
