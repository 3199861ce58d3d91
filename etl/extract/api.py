"""The one interface over every source kind: :func:`extract_source` (and :func:`iter_parts`).

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

import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from etl.errors import ConfigError
from etl.extract._table import check_reserved
from etl.extract.connections import ConnectionResolver
from etl.extract.normalize import normalize_headers
from etl.extract.parts import Extracted, ExtractedPart, combine
from etl.extract.sources.files import read_file_parts
from etl.registry.normalize import NormalizeSpec
from etl.registry.sources import FileSource, HttpSource, Source, SqlSource
from etl.settings import DEFAULT_LIMITS, ReadLimits

Interval = tuple[datetime, datetime]


def _resolver(
    source: SqlSource | HttpSource, connections: ConnectionResolver | None
) -> ConnectionResolver:
    if connections is None:
        raise ConfigError(f"a {source.kind} source ({source.conn_id}) needs a connection resolver")
    return connections


def _read_parts(
    source: Source,
    landing: Path,
    logical_date: date,
    interval: Interval | None,
    connections: ConnectionResolver | None,
    limits: ReadLimits,
) -> Iterator[ExtractedPart]:
    if isinstance(source, FileSource):
        yield from read_file_parts(
            source, landing=landing, logical_date=logical_date, limits=limits
        )
    elif isinstance(source, SqlSource):
        from etl.extract.sources.sql import read_sql_part

        part = read_sql_part(
            source,
            logical_date=logical_date,
            interval=interval,
            connections=_resolver(source, connections),
        )
        check_reserved(part.table.column_names, part.fingerprint.relative_path)
        yield part
    else:
        from etl.extract.sources.http import read_http_parts

        for part in read_http_parts(
            source,
            logical_date=logical_date,
            interval=interval,
            connections=_resolver(source, connections),
        ):
            # a table's or an API's own columns may not take a name the pipeline writes
            check_reserved(part.table.column_names, part.fingerprint.relative_path)
            yield part


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
    for part in _read_parts(source, landing, logical_date, interval, connections, limits):
        if normalize is None:
            yield part
            continue
        name = part.fingerprint.relative_path
        table = normalize_headers(part.table, normalize, source_name=name)
        comments = {
            new: part.comments[old]
            for old, new in zip(part.table.column_names, table.column_names, strict=True)
            if old in part.comments
        }
        yield dataclasses.replace(part, table=table, comments=comments)


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
