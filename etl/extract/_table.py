"""Shared helpers for readers: header cleanup and all-string tables."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.errors import ConfigError, DataError
from etl.extract.reserved import RESERVED_COLUMNS

logger = logging.getLogger(__name__)


def clean_name(name: object) -> str:
    """Strip whitespace (including U+3000) and byte-order marks from a header name."""
    return ("" if name is None else str(name)).replace("\ufeff", "").strip()


def kept_names(raw_names: Sequence[object]) -> tuple[str, ...]:
    """Header names cleaned, empty ones left out (what a part's ``header`` is)."""
    return tuple(name for name in (clean_name(n) for n in raw_names) if name)


def load_plugin(
    package: str, name: str, known: Sequence[str], *, what: str, plural: str, attr: str
) -> Any:
    """The ``attr`` of ``<package>.<name>``, a module registered under ``known`` names.

    Source kinds and file formats are modules found by their registry name; anything else is
    refused before an import is tried.

    Raises:
        ConfigError: ``name`` is not known (the message names ``what`` and the known names).
    """
    if name not in known:
        raise ConfigError(f"unknown {what} {name!r}; the known {plural} are {', '.join(known)}")
    return getattr(importlib.import_module(f"{package}.{name}"), attr)


def finish_table(raw_names: Sequence[object], table: pa.Table, rel: str) -> pa.Table:
    """Give ``table`` the cleaned header names, after checking them.

    A column whose header is empty is dropped when it holds no values (a trailing delimiter, an
    Excel formatting artefact); otherwise it is an error.

    Args:
        raw_names: header names as delivered, one per column of ``table``.
        table: the data columns, all strings.
        rel: the file's path relative to the landing root, for messages.

    Returns:
        The table with cleaned, unique, non-empty column names.

    Raises:
        DataError: duplicate header names, or an empty header over a column with values.
    """
    names = [clean_name(name) for name in raw_names]
    keep: list[int] = []
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        position = index + 1
        if not name:
            if table.column(index).null_count == table.num_rows:
                logger.warning("dropping unnamed empty column %d of %s", position, rel)
                continue
            raise DataError(f"column {position} of {rel} has values but an empty header name")
        if name in seen:
            raise DataError(
                f"duplicate header name '{name}' in {rel} (columns {seen[name]} and {position})"
            )
        seen[name] = position
        keep.append(index)
    kept = table.select(keep)
    return kept.rename_columns([names[i] for i in keep])


def check_reserved(names: Sequence[str], rel: str) -> None:
    """Refuse header names the pipeline writes itself (see :mod:`etl.extract.reserved`).

    Checked where a delivery is read (:mod:`etl.extract.reader`, the CSV stream's layout, a
    Parquet footer), not in every table built here: the pipeline's own exports (quarantined
    rows sent back corrected) carry ``_source_row`` on purpose.

    Raises:
        DataError: naming the first such column and its position.
    """
    for position, name in enumerate(names, start=1):
        if name in RESERVED_COLUMNS:
            raise DataError(
                f"column {position} of {rel} is named '{name}', a name the pipeline reserves"
                " for its lineage and quarantine columns"
            )


def check_columns(count: int, rel: str, limit: int) -> None:
    """Refuse a table wider than ``PUBDATA_MAX_COLUMNS`` before its rows are read.

    Raises:
        DataError: naming the file, its width and the limit.
    """
    if count > limit:
        raise DataError(
            f"{rel} has {count:,} columns, more than the limit of {limit:,} (PUBDATA_MAX_COLUMNS)"
        )


def check_cells(rows: int, columns: int, rel: str, limit: int) -> None:
    """Refuse a table read whole whose rows x columns exceed ``PUBDATA_MAX_CELLS``.

    Raises:
        DataError: naming the file, its size in cells and the limit.
    """
    if rows * columns > limit:
        raise DataError(
            f"{rel} holds {rows:,} rows x {columns:,} columns, more than the limit of"
            f" {limit:,} cells for a file read whole (PUBDATA_MAX_CELLS)"
        )


def empty_to_null(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Turn empty strings into nulls, as the CSV reader does for empty fields."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def strings_table(
    names: Sequence[object], rows: Sequence[Sequence[str | None]], rel: str
) -> pa.Table:
    """Build an all-string table from row tuples and finish its header.

    Args:
        names: raw header names.
        rows: data rows, each as long as ``names``.
        rel: the file's relative path, for messages.

    Returns:
        The finished table (see :func:`finish_table`).
    """
    width = len(names)
    columns = [pa.array([row[i] for row in rows], pa.string()) for i in range(width)]
    table = pa.Table.from_arrays(columns, names=[f"f{i}" for i in range(width)])
    return finish_table(names, table, rel)


class StreamedHeader:
    """A header finished once (see :func:`finish_table`) and applied to each streamed batch.

    Columns with an empty header are dropped while they hold no values; the first batch in which
    one holds a value is refused, as :func:`finish_table` refuses it for a whole table.

    Args:
        raw_names: header names as delivered, one per column of every batch.
        rel: the source's name, for messages.

    Raises:
        DataError: duplicate header names.
    """

    def __init__(self, raw_names: Sequence[object], rel: str) -> None:
        cleaned = [clean_name(name) for name in raw_names]
        empty = pa.schema([(f"f{i}", pa.string()) for i in range(len(cleaned))]).empty_table()
        self.names: list[str] = list(finish_table(raw_names, empty, rel).column_names)
        self.rel = rel
        self._keep = [i for i, name in enumerate(cleaned) if name]
        self._dropped = [i for i, name in enumerate(cleaned) if not name]

    def apply(self, table: pa.Table) -> pa.Table:
        """The batch's columns under their finished names (``table`` in delivered order).

        Raises:
            DataError: a column with an empty header holds a value.
        """
        for index in self._dropped:
            if table.column(index).null_count != table.num_rows:
                raise DataError(
                    f"column {index + 1} of {self.rel} has values but an empty header name"
                )
        return table.select(self._keep).rename_columns(self.names)
