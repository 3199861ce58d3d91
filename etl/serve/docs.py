r"""The comments the endpoint writes: the data dictionary on columns, the dataset on the table.

A BI tool shows ``COMMENT ON COLUMN`` beside each column (Superset's dataset editor, FineBI's
field list, ``\\d+`` in psql). The column comments are the ones the load step wrote into the
Delta table's field metadata (:mod:`etl.lake.dictionary`: title, description and what the zone
did to the column); a column without one takes the registry's entry
(:func:`etl.pipeline.table_docs.table_doc`, the integrated repository's
:func:`etl.integrate.tables.table_doc`). The table comment names the dataset's title, its
grade, the source department and the zone. Never a data value.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from etl.integrate import Domain
from etl.integrate.tables import table_doc as integrated_doc
from etl.lake.dictionary import COMMENT, TableDoc
from etl.lineage.published import published_classification
from etl.pipeline.table_docs import table_doc
from etl.registry import Registry
from etl.serve.model import ServedTable
from etl.zones import TITLES


def _registry_doc(
    table: ServedTable, names: list[str], registry: Registry, domains: Mapping[str, Domain]
) -> TableDoc | None:
    if table.dataset is not None and table.dataset in registry.datasets:
        return table_doc(registry.datasets[table.dataset], table.zone, names)
    if table.dataset is None and table.name in domains:
        return integrated_doc(domains[table.name], "records")
    return None


def column_comments(
    table: ServedTable, schema: pa.Schema, registry: Registry, domains: Mapping[str, Domain]
) -> dict[str, str]:
    """Each column's comment: the Delta field's ``comment``, else the registry's words."""
    doc = _registry_doc(table, schema.names, registry, domains)
    fallback = {name: field.comment for name, field in ((doc.fields or {}) if doc else {}).items()}
    found: dict[str, str] = {}
    for field in schema:
        written = (field.metadata or {}).get(COMMENT.encode())
        text = written.decode() if written else fallback.get(field.name)
        if text:
            found[field.name] = text
    return found


def table_comment(table: ServedTable, lake: str) -> str:
    """``title · 分级 L3 · 来源 dept · 共享区 (shared) · dataset id``: what the table is."""
    parts = [table.title]
    if table.dataset is not None:
        classification = published_classification(lake, table.dataset)
        parts.append(f"分级 {classification.dataset_grade if classification else '未定级'}")
    if table.department:
        parts.append(f"来源 {table.department}")
    parts.append(f"{TITLES[table.zone]} ({table.zone})")
    what = f"pubdata dataset {table.dataset}" if table.dataset else f"整合库 {table.name}"
    parts.append(what)
    return " · ".join(parts)
