"""Lineage: ``_meta`` tables in the lake and run summaries."""

from etl.lineage.meta import SCHEMAS, append_rows, read_meta

__all__ = ["SCHEMAS", "append_rows", "read_meta"]
