"""Where tables live in the lake: one function per kind of table, nothing else builds paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.zones import QUARANTINE, ZONES, Zone

if TYPE_CHECKING:
    from etl.registry import Dataset

META_TABLES = (
    "lineage_runs",
    "source_files",
    "validation_results",
    "classifications",
    "column_lineage",
    "quarantine_rows",
    "reviews",
    "loads",
)


def published_zones(dataset: Dataset) -> tuple[Zone, ...]:
    """The zones a dataset's runs may write, from its registry entry (IMP: restricted only).

    A run publishes to fewer when it finds IMP data or holds its publication for drift
    (:func:`etl.pipeline.steps_publish.zones_for`), never to more.
    """
    if dataset.classification.important:
        return (Zone.RESTRICTED,)
    return ZONES if dataset.open else (Zone.RESTRICTED, Zone.SHARED)


def zone_table_uri(lake: str, zone: Zone, domain: str, dataset: str) -> str:
    """URI of a curated table: ``<lake>/<zone>/<domain>/<dataset>``."""
    return f"{lake}/{zone}/{domain}/{dataset}"


def quarantine_table_uri(lake: str, domain: str, dataset: str) -> str:
    """URI of a dataset's quarantine table (raw rows, so in the restricted zone)."""
    return f"{lake}/{Zone.RESTRICTED}/{domain}/{dataset}__{QUARANTINE}"


def meta_table_uri(lake: str, table: str) -> str:
    """URI of one ``_meta`` table (lineage, source files, validation results, ...)."""
    if table not in META_TABLES:
        raise ValueError(f"unknown _meta table {table!r}")
    return f"{lake}/_meta/{table}"
