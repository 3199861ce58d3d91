"""The lake: Delta tables per zone, quarantine and ``_meta`` tables."""

from etl.lake.layout import (
    INTEGRATED_TABLES,
    META_TABLES,
    integrated_table_uri,
    meta_table_uri,
    quarantine_table_uri,
    zone_table_uri,
)

__all__ = [
    "INTEGRATED_TABLES",
    "META_TABLES",
    "integrated_table_uri",
    "meta_table_uri",
    "quarantine_table_uri",
    "zone_table_uri",
]
