"""The candidates' latest row per (entity, dataset): the hash-based pick against a sort."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.extract.parts import SOURCE_FILE, SOURCE_ROW
from etl.integrate.state import _latest, _sort_indices
from etl.integrate.tables import DATASET


def _by_sorting(rows: pa.Table, key: str) -> pa.Table:
    """The definition: sort by key, dataset, source file, source row (stable); last wins."""
    ordered = rows.sort_by(
        [
            (key, "ascending"),
            (DATASET, "ascending"),
            (SOURCE_FILE, "ascending"),
            (SOURCE_ROW, "ascending"),
        ]
    )
    last: dict[tuple[object, object], dict[str, object]] = {}
    for row in ordered.to_pylist():
        last[(row[key], row[DATASET])] = row
    return pa.Table.from_pylist(list(last.values()), schema=rows.schema)


def _rows(seed: int, n: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    files = np.array(["b/2024-06-01.csv", "a/2024-06-01.csv", "c.xlsx", None], dtype=object)
    source_rows = rng.integers(1, 40, n).astype(object)
    source_rows[rng.random(n) < 0.05] = None  # nulls sort last, as in a sort
    return pa.table(
        {
            "k": pa.array([f"{v:018d}" for v in rng.integers(0, n // 3, n)]),
            DATASET: pa.array(rng.choice(["clinic", "register", "relief"], n)),
            SOURCE_FILE: pa.array(files[rng.integers(0, 4, n)], pa.string()),
            SOURCE_ROW: pa.array(source_rows, pa.int64()),
            "marker": pa.array(np.arange(n)),  # tells exact ties (same file and row) apart
        }
    )


def _canonical(rows: pa.Table) -> list[dict[str, object]]:
    return rows.sort_by([("k", "ascending"), (DATASET, "ascending")]).to_pylist()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_latest_picks_what_sorting_picks_with_repeats_ties_and_nulls(seed: int) -> None:
    rows = _rows(seed, 3_000)
    assert _canonical(_latest(rows, "k")) == _canonical(_by_sorting(rows, "k"))


def test_latest_keeps_a_delivery_without_repeats_as_it_is() -> None:
    rows = _rows(4, 50)
    unique = rows.take(pc.unique(pc.index_in(rows.column("k"), value_set=rows.column("k"))))
    assert _latest(unique.filter(pc.equal(unique.column(DATASET), "relief")), "k").num_rows == (
        unique.filter(pc.equal(unique.column(DATASET), "relief")).num_rows
    )


@pytest.mark.parametrize("seed", [5, 6])
def test_sort_indices_order_rows_as_sort_by_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2_000
    days = rng.integers(19_000, 19_010, n).astype(object)
    days[rng.random(n) < 0.1] = None
    names = np.array(["乙", "甲", "b", "a", None], dtype=object)
    rows = pa.table(
        {
            "_bucket": pa.array(rng.integers(0, 4, n), pa.int16()),
            "k": pa.array([f"{v:017d}X" for v in rng.integers(0, n // 4, n)]),
            "name": pa.array(names[rng.integers(0, 5, n)], pa.string()),
            "day": pa.array(days, pa.int32()).cast(pa.date32()),
            "marker": pa.array(np.arange(n)),
        }
    )
    columns = ("_bucket", "k", "name", "day")
    expected = rows.sort_by([(c, "ascending") for c in columns]).column("marker").to_pylist()
    got = rows.take(_sort_indices(rows, columns, "k")).column("marker").to_pylist()
    assert got == expected
