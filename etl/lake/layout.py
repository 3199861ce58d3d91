"""Where tables live in the lake: one function per kind of table, nothing else builds paths.

Each function takes the lake as a :data:`Lake`: a deployment's :class:`~etl.settings.Settings`,
whose zones may each live in their own location (:meth:`~etl.settings.Settings.zone_store`),
or a bare root URI under which every zone is a folder (tests, tools holding only a path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from etl.zones import QUARANTINE, ZONES, Zone

if TYPE_CHECKING:
    from etl.registry import Dataset
    from etl.settings import Settings

#: A lake: the settings of a deployment, or a root URI with every zone in a folder under it.
Lake: TypeAlias = "Settings | str"

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

#: The folder of the ``_meta`` tables under the lake root (never in a zone's location).
META_FOLDER = "_meta"

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


def zone_root(lake: Lake, zone: Zone) -> str:
    """URI of a zone's location: its own (``PUBDATA_LAKE_<ZONE>``), else ``<lake>/<zone>``."""
    return f"{lake}/{zone}" if isinstance(lake, str) else lake.zone_store(zone).root


def lake_root(lake: Lake) -> str:
    """URI of the lake root (``PUBDATA_LAKE``), where ``_meta`` lives."""
    return lake if isinstance(lake, str) else lake.lake


def zone_table_uri(lake: Lake, zone: Zone, domain: str, dataset: str) -> str:
    """URI of a curated table: ``<zone root>/<domain>/<dataset>``."""
    return f"{zone_root(lake, zone)}/{domain}/{dataset}"


def quarantine_table_uri(lake: Lake, domain: str, dataset: str) -> str:
    """URI of a dataset's quarantine table (raw rows, so in the restricted zone)."""
    return f"{zone_root(lake, Zone.RESTRICTED)}/{domain}/{dataset}__{QUARANTINE}"


def integrated_table_uri(lake: Lake, domain: str, table: str, zone: Zone = Zone.RESTRICTED) -> str:
    """URI of one table of an integrated repository: ``<zone root>/_integrated/<domain>/<table>``.

    Args:
        lake: the lake.
        domain: the repository's id (``population``, ``legal_entity``).
        table: one of :data:`INTEGRATED_TABLES`.
        zone: the zone; the engine writes the restricted zone, a protected copy of the
            records may live in the shared zone under the same name.

    Raises:
        ValueError: an unknown table.
    """
    if table not in INTEGRATED_TABLES:
        raise ValueError(f"unknown integrated table {table!r}; expected one of {INTEGRATED_TABLES}")
    return f"{zone_root(lake, zone)}/{INTEGRATED}/{domain}/{table}"


def meta_table_uri(lake: Lake, table: str) -> str:
    """URI of one ``_meta`` table (lineage, source files, validation results, ...).

    ``_meta`` holds no delivered value, so it stays at the lake root with the lake's keys
    wherever the zones live: every reader granted it reaches it without any zone's keys.
    """
    if table not in META_TABLES:
        raise ValueError(f"unknown _meta table {table!r}")
    return f"{lake_root(lake)}/{META_FOLDER}/{table}"
