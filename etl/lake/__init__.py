"""The lake: Delta tables per zone, quarantine and ``_meta`` tables."""

from etl.lake.layout import (
    META_TABLES,
    meta_table_uri,
    quarantine_table_uri,
    zone_table_uri,
)

__all__ = [
    "META_TABLES",
    "meta_table_uri",
    "quarantine_table_uri",
    "zone_table_uri",
]
