"""Which table a caller may read: zones, clearance and table locations.

A caller's clearance (``PUBDATA_CLEARANCE``) is the most sensitive zone it may read:
``open`` < ``shared`` < ``restricted``. Quarantine tables hold raw rows and count as restricted.
``_meta`` tables hold no data values and are readable at every clearance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from etl.errors import ConfigError, PolicyError
from etl.lake import delta
from etl.lake.layout import ZONES, Zone, published_zones, quarantine_table_uri, zone_table_uri
from etl.registry import Dataset
from etl.settings import CLEARANCES, Settings

TableZone = Literal["open", "shared", "restricted", "quarantine"]
TABLE_ZONES: tuple[TableZone, ...] = (*ZONES, "quarantine")


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
        if self.zone == "quarantine":
            return f"restricted.{self.domain}.{self.dataset}__quarantine"
        return f"{self.zone}.{self.domain}.{self.dataset}"


def storage_zone(zone: TableZone) -> Zone:
    """The zone whose storage holds a table (quarantine tables live in ``restricted``)."""
    return "restricted" if zone == "quarantine" else zone


def cleared_for(settings: Settings, zone: TableZone) -> bool:
    """Whether the configured clearance covers ``zone``."""
    return CLEARANCES.index(storage_zone(zone)) <= CLEARANCES.index(settings.clearance)


def check_clearance(settings: Settings, zone: TableZone) -> None:
    """Refuse a zone beyond the configured clearance.

    Raises:
        PolicyError: the zone needs a higher clearance than ``PUBDATA_CLEARANCE``.
    """
    if zone not in TABLE_ZONES:
        raise ConfigError(f"unknown zone {zone!r}; expected one of {', '.join(TABLE_ZONES)}")
    if not cleared_for(settings, zone):
        raise PolicyError(
            f"reading the {zone} zone needs clearance {storage_zone(zone)}; "
            f"this caller is cleared for {settings.clearance} (PUBDATA_CLEARANCE)"
        )


def table_ref(settings: Settings, dataset: Dataset, zone: TableZone) -> TableRef:
    """Locate one table of a dataset after checking clearance (existence is not checked).

    Raises:
        PolicyError: beyond the caller's clearance.
        ConfigError: an unknown zone, or one this dataset does not publish to.
    """
    check_clearance(settings, zone)
    if zone == "quarantine":
        uri = quarantine_table_uri(settings.lake, dataset.domain, dataset.id)
    else:
        if zone not in published_zones(dataset):
            zones = ", ".join(published_zones(dataset))
            raise ConfigError(f"dataset {dataset.id} has no {zone} table (it publishes to {zones})")
        uri = zone_table_uri(settings.lake, zone, dataset.domain, dataset.id)
    return TableRef(dataset=dataset.id, zone=zone, domain=dataset.domain, uri=uri)


def readable_tables(settings: Settings, datasets: list[Dataset]) -> list[TableRef]:
    """Every existing table of these datasets that the caller is cleared for."""
    refs = []
    for ds in datasets:
        zones: tuple[TableZone, ...] = (*published_zones(ds), "quarantine")
        for zone in zones:
            if not cleared_for(settings, zone):
                continue
            ref = table_ref(settings, ds, zone)
            if delta.table_exists(ref.uri):
                refs.append(ref)
    return refs
