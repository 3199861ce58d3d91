"""Lineage: ``_meta`` tables, quality history, traces, OpenLineage facets and Data Docs.

``quality_history(lake, dataset)`` gives, per dataset and expectation, the rows and runs passed;
the heavier modules (``trace``, ``openlineage``, ``docs``) are imported where they are used.
"""

from etl.lineage.meta import SCHEMAS, append_rows, read_meta
from etl.lineage.quality import quality_history

__all__ = ["SCHEMAS", "append_rows", "quality_history", "read_meta"]
