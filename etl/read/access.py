"""Which table a caller may read: zones, clearance and table locations.

A caller's clearance (``PUBDATA_CLEARANCE``) is the most sensitive zone it may read:
``open`` < ``shared`` < ``restricted``. Quarantine tables hold raw rows and count as restricted.
``_meta`` tables hold no data values and are readable at every clearance. The integrated
repositories' tables (:mod:`etl.integrate`) are read like a dataset's, in the SQL schema
:data:`INTEGRATED_SCHEMA`: ``restricted.integrated.<domain>_<table>`` for the records,
candidates and conflicts, ``shared.integrated.<domain>_records`` for the protected current
records.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.errors import ConfigError, PolicyError
from etl.lake import delta
from etl.lake.layout import (
    INTEGRATED_TABLES,
    integrated_table_uri,
    published_zones,
    quarantine_table_uri,
    zone_table_uri,
)
from etl.registry import Dataset, Registry, load_registry
from etl.registry.loader import domain_ids
from etl.settings import Settings
from etl.zones import QUARANTINE, TableZone, Zone, storage_zone, table_zone

#: The SQL schema (the name's middle part) of the integrated repositories' tables.
INTEGRATED_SCHEMA = "integrated"


@dataclass(frozen=True)
class TableRef:
    """One curated (or quarantine) table of one dataset.

    Attributes:
        dataset: the registry id.
        zone: ``open``, ``shared``, ``restricted`` or ``quarantine``.
        domain: the dataset's domain.
        uri: where the Delta table lives.
    """

    dataset: str
    zone: TableZone
    domain: str
    uri: str

    @property
    def sql_name(self) -> str:
        """Its name in ``pubdata sql``, e.g. ``shared.population.household_register``."""
        if self.zone == QUARANTINE:
            return f"{Zone.RESTRICTED}.{self.domain}.{self.dataset}__{QUARANTINE}"
        return f"{self.zone}.{self.domain}.{self.dataset}"


def registry_of(settings: Settings) -> Registry:
    """The registry the reader maps dataset ids to domains and zones with.

    Raises:
        ConfigError: the registry folder does not exist (a reader installed on its own has no
            default one: ``PUBDATA_REGISTRY`` names the ``datasets/`` folder of the project).
    """
    if not settings.registry.is_dir():
        raise ConfigError(
            f"registry folder {settings.registry} does not exist; set PUBDATA_REGISTRY to the "
            "datasets/ folder of the pubdata repository"
        )
    return load_registry(settings.registry)


def cleared_for(settings: Settings, zone: TableZone) -> bool:
    """Whether the configured clearance covers ``zone``."""
    return settings.clearance.covers(storage_zone(zone))


def check_clearance(settings: Settings, name: str) -> TableZone:
    """The zone named, refused when beyond the configured clearance.

    Raises:
        ConfigError: not a zone's name.
        PolicyError: the zone needs a higher clearance than ``PUBDATA_CLEARANCE``.
    """
    try:
        zone = table_zone(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not cleared_for(settings, zone):
        raise PolicyError(
            f"reading the {zone} zone needs clearance {storage_zone(zone)}; "
            f"this caller is cleared for {settings.clearance} (PUBDATA_CLEARANCE)"
        )
    return zone


def table_ref(settings: Settings, dataset: Dataset, name: str) -> TableRef:
    """Locate one table of a dataset after checking clearance (existence is not checked).

    Raises:
        PolicyError: beyond the caller's clearance.
        ConfigError: an unknown zone, or one this dataset does not publish to.
    """
    zone = check_clearance(settings, name)
    if zone == QUARANTINE:
        uri = quarantine_table_uri(settings, dataset.domain, dataset.id)
    else:
        if zone not in published_zones(dataset):
            zones = ", ".join(published_zones(dataset))
            raise ConfigError(f"dataset {dataset.id} has no {zone} table (it publishes to {zones})")
        uri = zone_table_uri(settings, zone, dataset.domain, dataset.id)
    return TableRef(dataset=dataset.id, zone=zone, domain=dataset.domain, uri=uri)


def readable_tables(settings: Settings, datasets: list[Dataset]) -> list[TableRef]:
    """Every existing table of these datasets that the caller is cleared for."""
    refs = []
    for ds in datasets:
        zones: tuple[TableZone, ...] = (*published_zones(ds), QUARANTINE)
        for zone in zones:
            if not cleared_for(settings, zone):
                continue
            ref = table_ref(settings, ds, zone)
            if delta.table_exists(ref.uri):
                refs.append(ref)
    return refs


def integrated_tables(settings: Settings, domains: list[str]) -> list[TableRef]:
    """Every existing table of these integrated repositories the caller is cleared for.

    Named ``<zone>.integrated.<domain>_<table>`` (:attr:`TableRef.sql_name`): the restricted
    records, candidates and conflicts, and the shared zone's protected current records.
    """
    places = [(Zone.RESTRICTED, t) for t in INTEGRATED_TABLES] + [(Zone.SHARED, "records")]
    refs = []
    for domain in domains:
        for zone, table in places:
            if not cleared_for(settings, zone):
                continue
            uri = integrated_table_uri(settings, domain, table, zone)
            if delta.table_exists(uri):
                refs.append(TableRef(f"{domain}_{table}", zone, INTEGRATED_SCHEMA, uri))
    return refs


def repository_ids(registry: Registry) -> list[str]:
    """The integrated repositories the registry's domain files declare."""
    return domain_ids(registry.root)
