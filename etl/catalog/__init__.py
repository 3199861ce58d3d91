"""What the lake knows about each registered dataset, for people to read.

The queries behind ``pubdata catalog`` / ``pubdata lineage runs`` and the operators' pages:
the catalog (:mod:`etl.catalog.entries`), a dataset's runs (:mod:`etl.catalog.runs`), its page
(:mod:`etl.catalog.dataset`) and its quarantine (:mod:`etl.catalog.quarantine`); an integrated
repository's page is :mod:`etl.catalog.repository` (imported where used). They return JSON-safe
dicts built from the registry, the ``_meta`` tables and the Delta logs: names, counts, grades,
categories and reason codes, never a data value. The CLI and the UI only render them.
"""

from etl.catalog.dataset import dataset_page
from etl.catalog.entries import catalog, catalog_entry, catalog_rows
from etl.catalog.quarantine import quarantine_sections
from etl.catalog.runs import runs_of

__all__ = [
    "catalog",
    "catalog_entry",
    "catalog_rows",
    "dataset_page",
    "quarantine_sections",
    "runs_of",
]
