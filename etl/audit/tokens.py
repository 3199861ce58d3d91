"""Which columns hold tokens: from the lineage's column records, per ``pubdata sql`` table.

A zone projection records what it did to each column in ``_meta.column_lineage``
(``transformation`` ``tokenized``, :mod:`etl.protect.transformations`); the run's
``_meta.lineage_runs`` row gives the dataset's domain, so the table is
``<zone>.<domain>.<dataset>``, the name the access log records. A column tokenized by any run
counts.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow.compute as pc

from etl.lake import delta
from etl.lake.layout import meta_table_uri

#: The transformation that writes tokens.
TOKENIZED = "tokenized"


def token_columns(lake: str) -> dict[str, frozenset[str]]:
    """Per table (``zone.domain.dataset``), its tokenized columns; empty before any run."""
    lineage_uri = meta_table_uri(lake, "column_lineage")
    runs_uri = meta_table_uri(lake, "lineage_runs")
    if delta.snapshot(lineage_uri) is None or delta.snapshot(runs_uri) is None:
        return {}
    lineage = delta.read(
        lineage_uri,
        columns=["lineage_run_id", "dataset", "zone", "output_column", "transformation"],
    )
    lineage = lineage.filter(pc.equal(lineage["transformation"], TOKENIZED))
    runs = delta.read(runs_uri, columns=["lineage_run_id", "domain"])
    domains = dict(zip(runs["lineage_run_id"].to_pylist(), runs["domain"].to_pylist(), strict=True))
    found: dict[str, set[str]] = defaultdict(set)
    for row in lineage.to_pylist():
        domain = domains.get(row["lineage_run_id"])
        if domain is not None:
            found[f"{row['zone']}.{domain}.{row['dataset']}"].add(row["output_column"])
    return {table: frozenset(columns) for table, columns in found.items()}
