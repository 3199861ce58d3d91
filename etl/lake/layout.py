"""Where tables live in the lake: one function per kind of table, nothing else builds paths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.zones import QUARANTINE, ZONES, Zone

if TYPE_CHECKING:
    from etl.registry import Dataset

#: The ``_meta`` tables a dataset's run writes (its record step: the OpenLineage outputs).
RUN_META_TABLES = (
    "lineage_runs",
    "source_files",
    "validation_results",
    "classifications",
    "column_lineage",
    "quarantine_rows",
    "reviews",
    "loads",
)
#: The audit's ``_meta`` tables (:mod:`etl.audit`): every read of the lake, hash-chained, and
#: the anomaly findings already raised.
AUDIT_TABLES = ("access_log", "access_findings")
#: Every ``_meta`` table: a dataset run's, ``integration_runs`` (one row per contributing
#: run an integration of a repository read, :func:`etl.integrate.integrate`),
#: ``product_releases`` (one row per release attempt of a product, :mod:`etl.products`) and
#: the audit's.
META_TABLES = (*RUN_META_TABLES, "integration_runs", "product_releases", *AUDIT_TABLES)

#: The restricted-zone folder of the integrated repositories (整合库). Its leading underscore
#: keeps it apart from every dataset's domain folder: a registry domain is an identifier
#: (``[a-z][a-z0-9_]*``), so no dataset table can land inside it, nor it inside one.
INTEGRATED = "_integrated"
#: The tables of one integrated repository (:mod:`etl.integrate.tables` describes each).
INTEGRATED_TABLES = ("records", "candidates", "conflicts")


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


def integrated_table_uri(lake: str, domain: str, table: str, zone: Zone = Zone.RESTRICTED) -> str:
    """URI of one table of an integrated repository: ``<lake>/<zone>/_integrated/<domain>/<table>``.

    Args:
        lake: the lake root.
        domain: the repository's id (``population``, ``legal_entity``).
        table: one of :data:`INTEGRATED_TABLES`.
        zone: the zone; the engine writes the restricted zone, a protected copy of the
            records may live in the shared zone under the same name.

    Raises:
        ValueError: an unknown table.
    """
    if table not in INTEGRATED_TABLES:
        raise ValueError(f"unknown integrated table {table!r}; expected one of {INTEGRATED_TABLES}")
    return f"{lake}/{zone}/{INTEGRATED}/{domain}/{table}"


def meta_table_uri(lake: str, table: str) -> str:
    """URI of one ``_meta`` table (lineage, source files, validation results, ...)."""
    if table not in META_TABLES:
        raise ValueError(f"unknown _meta table {table!r}")
    return f"{lake}/_meta/{table}"
