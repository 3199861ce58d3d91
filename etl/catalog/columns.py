"""A dataset's columns as people look them up: the registry's data dictionary.

Each column has its title, description and type from :meth:`etl.registry.Dataset.column` (the
title the load step writes into the Delta tables' field comments), and whether the registry
declares it. The columns are those of the latest successful run, in table order, then declared
columns that run did not have; before any run, the declared columns.
"""

from __future__ import annotations

from typing import Any

from etl.lineage.columns import latest_run, run_columns
from etl.registry import Dataset
from etl.settings import Settings


def column_doc(ds: Dataset, name: str, comment: str | None = None) -> dict[str, Any]:
    """One column's dictionary entry, JSON-safe.

    Returns:
        ``{"column", "title", "description", "type", "declared"}``; an undeclared column is
        a ``string`` as delivered, titled by its header.
    """
    spec = ds.column(name, comment)
    return {
        "column": name,
        "title": spec.title,
        "description": spec.description,
        "type": spec.type,
        "declared": name in ds.columns,
    }


def dataset_columns(settings: Settings, ds: Dataset) -> list[dict[str, Any]]:
    """Every column of the dataset with its :func:`column_doc` entry."""
    run = latest_run(settings.lake, ds.id)
    seen = run_columns(settings.lake, run["lineage_run_id"]) if run else []
    names: dict[str, str | None] = {c["column"]: c["comment"] for c in seen}
    for name in ds.columns:
        names.setdefault(name, None)
    return [column_doc(ds, name, comment) for name, comment in names.items()]
