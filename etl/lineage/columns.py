"""Column lineage per zone, joined with each column's classification."""

from __future__ import annotations

from typing import Any

import pyarrow.compute as pc

from etl.errors import ConfigError
from etl.lineage.meta import read_meta

#: Transformations after which the output no longer shows the source value.
MASKING = frozenset({"masked", "tokenized", "generalized", "dropped", "withheld"})


def latest_run(lake: str, dataset: str, logical_date: str | None = None) -> dict[str, Any] | None:
    """The newest successful ``lineage_runs`` row of a dataset (optionally of one date)."""
    runs = read_meta(lake, "lineage_runs")
    runs = runs.filter(
        pc.and_(pc.equal(runs["dataset"], dataset), pc.equal(runs["status"], "success"))
    )
    rows = runs.to_pylist()
    if logical_date is not None:
        rows = [r for r in rows if r["logical_date"].isoformat() == logical_date]
    if not rows:
        return None
    newest: dict[str, Any] = max(rows, key=lambda r: r["finished_at"])
    return newest


def _for_run(lake: str, table: str, lineage_run_id: str) -> list[dict[str, Any]]:
    data = read_meta(lake, table)
    rows: list[dict[str, Any]] = data.filter(
        pc.equal(data["lineage_run_id"], lineage_run_id)
    ).to_pylist()
    return rows


def run_columns(lake: str, lineage_run_id: str) -> list[dict[str, Any]]:
    """Every source column of a run: its classification and what each zone holds.

    Returns:
        ``[{"column", "comment", "category", "grade", "decided_by", "zones": {zone: {"output",
        "transformation", "masked"}}}]`` in the order the columns were classified;
        ``comment`` is the source's comment on the column (databases), else None.
    """
    classes = {r["column"]: r for r in _for_run(lake, "classifications", lineage_run_id)}
    columns: dict[str, dict[str, Any]] = {
        name: {
            "column": name,
            "comment": c.get("column_comment"),
            "category": c["category"],
            "grade": c["grade"],
            "decided_by": c["decided_by"],
            "zones": {},
        }
        for name, c in classes.items()
    }
    for row in _for_run(lake, "column_lineage", lineage_run_id):
        entry = columns.setdefault(
            row["source_column"],
            {
                "column": row["source_column"],
                "comment": None,
                "category": None,
                "grade": None,
                "decided_by": None,
                "zones": {},
            },
        )
        entry["zones"][row["zone"]] = {
            "output": row["output_column"],
            "transformation": row["transformation"],
            "masked": row["transformation"] in MASKING,
        }
    return list(columns.values())


def column_lineage(
    lake: str, dataset: str, column: str, lineage_run_id: str | None = None
) -> dict[str, Any]:
    """Where one column goes in each zone (latest successful run unless one is given).

    Args:
        lake: the lake root.
        dataset: the registry id.
        column: a source or output column name.
        lineage_run_id: the run, or None for the latest successful one.

    Returns:
        ``{"dataset", "lineage_run_id", "logical_date", "column", "category", "grade",
        "decided_by", "zones": [{"zone", "output", "transformation", "masked"}]}``.

    Raises:
        ConfigError: no successful run yet, or no such column in that run.
    """
    run_date = None
    if lineage_run_id is None:
        run = latest_run(lake, dataset)
        if run is None:
            raise ConfigError(f"dataset {dataset} has no successful run yet")
        lineage_run_id = run["lineage_run_id"]
        run_date = run["logical_date"].isoformat()
    columns = run_columns(lake, lineage_run_id)
    for entry in columns:
        outputs = {z["output"] for z in entry["zones"].values()}
        if column == entry["column"] or column in outputs:
            return {
                "dataset": dataset,
                "lineage_run_id": lineage_run_id,
                "logical_date": run_date,
                **{k: v for k, v in entry.items() if k != "zones"},
                "zones": [{"zone": z, **info} for z, info in entry["zones"].items()],
            }
    known = ", ".join(c["column"] for c in columns) or "none"
    raise ConfigError(f"dataset {dataset} has no column {column!r} (columns: {known})")
