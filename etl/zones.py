"""The lake's zones: the one definition every layer names them by.

``restricted`` holds delivered values (the pipeline's and restricted readers' only); ``shared``
holds what other departments may read (identifiers tokenized, contacts masked); ``open`` holds
what may be published. A quarantine table is a table of the restricted zone.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal


class Zone(StrEnum):
    """A zone of the lake; its value is the folder and the SQL schema name."""

    RESTRICTED = "restricted"
    SHARED = "shared"
    OPEN = "open"

    @property
    def rank(self) -> int:
        """Clearance order: a reader cleared for a zone may read it and every lower one."""
        return CLEARANCES.index(self)

    def covers(self, other: Zone) -> bool:
        """Whether a clearance of this zone lets its holder read ``other``."""
        return other.rank <= self.rank


#: The zones in publication order (every run writes restricted first).
ZONES: Final = (Zone.RESTRICTED, Zone.SHARED, Zone.OPEN)
#: The zones from least to most cleared.
CLEARANCES: Final = (Zone.OPEN, Zone.SHARED, Zone.RESTRICTED)
#: The zones that leave the restricted zone: what the publication guard protects.
PUBLISHED: Final = frozenset((Zone.SHARED, Zone.OPEN))

#: The name of a dataset's quarantine table among its tables (stored in the restricted zone).
QUARANTINE: Final = "quarantine"
#: A zone, or the quarantine table: what readers and the lineage name a table by.
TableZone = Zone | Literal["quarantine"]
#: Every table a dataset may have, by the name readers use.
TABLE_ZONES: Final[tuple[TableZone, ...]] = (*ZONES, QUARANTINE)
#: What the pages call each (数据分区).
TITLES: Final[dict[TableZone, str]] = {
    Zone.RESTRICTED: "受限区",
    QUARANTINE: "隔离区",
    Zone.SHARED: "共享区",
    Zone.OPEN: "开放区",
}


def table_zone(name: str) -> TableZone:
    """The zone (or the quarantine table) a reader names by a string.

    Raises:
        ValueError: not a zone's name nor ``quarantine``.
    """
    if name == QUARANTINE:
        return QUARANTINE
    if name not in TABLE_ZONES:
        raise ValueError(f"unknown zone {name!r}; expected one of {', '.join(TABLE_ZONES)}")
    return Zone(name)


def storage_zone(zone: TableZone | str) -> Zone:
    """The zone whose storage holds a table (quarantine tables live in ``restricted``)."""
    return Zone.RESTRICTED if zone == QUARANTINE else Zone(zone)
