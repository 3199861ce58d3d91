"""Zone projection: what each zone may hold (classification.md §1, §4).

- ``restricted``: every column raw.
- ``shared``: L1/L2 as-is; L3 tokenized (join keys), masked (names, addresses), generalized
  (birth date → year) or dropped (ethnicity); any other L3 column is tokenized (fail closed);
  L4 dropped.
- ``open``: L1 columns only.

Pipeline columns (``_`` prefix) pass through unchanged and are not listed in the lineage. Every
value of a protected column is protected, including values that failed the category's check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from etl.classify import DatasetClassification
from etl.classify.grades import grade_rank
from etl.errors import PolicyError
from etl.protect.keys import TokenKey
from etl.protect.masks import generalize_birth_date, mask_address, mask_person_name
from etl.protect.tokens import tokenize

ZONES: tuple[str, ...] = ("restricted", "shared", "open")
TRANSFORMATIONS: tuple[str, ...] = ("identity", "masked", "tokenized", "generalized", "dropped")

#: Join keys: tokenized in the shared zone.
TOKEN_CATEGORIES = frozenset(
    {"id_card", "mobile_phone", "bank_card", "passport", "license_plate", "social_security"}
)
#: Display values: masked in the shared zone.
MASKED: dict[str, Callable[[Any], Any]] = {
    "person_name": mask_person_name,
    "address": mask_address,
}
#: Generalized in the shared zone.
GENERALIZED: dict[str, Callable[[Any], Any]] = {"birth_date": generalize_birth_date}
#: L3 categories the spec drops from the shared zone (a small value set: a token would not hide it).
DROPPED_IN_SHARED = frozenset({"ethnicity"})


@dataclass(frozen=True)
class ColumnLineage:
    """What happened to one source column in one zone.

    Attributes:
        source: source column name.
        output: output column name, or None if dropped.
        transformation: one of :data:`TRANSFORMATIONS`.
    """

    source: str
    output: str | None
    transformation: str


@dataclass(frozen=True)
class ZoneProjection:
    """A table fit for one zone, and the lineage of its columns.

    Attributes:
        table: the projected table (column order preserved).
        columns: lineage of every classified source column, in table order.
    """

    table: pa.Table
    columns: tuple[ColumnLineage, ...]


def _protect_l3(values: Any, category: str, key: TokenKey) -> tuple[Any, str]:
    if category in MASKED:
        return MASKED[category](values), "masked"
    if category in GENERALIZED:
        return GENERALIZED[category](values), "generalized"
    # Join keys, and any L3 column without a dedicated mask (fail closed): keyed token.
    return tokenize(values, category, key), "tokenized"


def _plan(zone: str, grade: str) -> str:
    """``identity``, ``protect`` or ``dropped`` for a column of ``grade`` in ``zone``."""
    rank = grade_rank(grade)
    if zone == "restricted":
        return "identity"
    if zone == "shared":
        if rank <= grade_rank("L2"):
            return "identity"
        return "protect" if rank == grade_rank("L3") else "dropped"
    return "identity" if rank == grade_rank("L1") else "dropped"


def _check_policy(classification: DatasetClassification, zone: str) -> None:
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")
    if "CORE" in classification.flags:
        raise PolicyError("dataset is flagged CORE: nothing may be written to any zone")
    if zone != "restricted" and "IMP" in classification.flags:
        raise PolicyError(f"dataset is flagged IMP: restricted zone only, not {zone}")


def project_zone(
    table: pa.Table, classification: DatasetClassification, zone: str, key: TokenKey
) -> ZoneProjection:
    """Project ``table`` for ``zone``.

    Args:
        table: the curated table, raw values (pipeline ``_`` columns allowed).
        classification: its classification.
        zone: ``"restricted"``, ``"shared"`` or ``"open"``.
        key: token key for the shared zone's tokens.

    Returns:
        The projected table and per-column lineage.

    Raises:
        ValueError: on an unknown zone.
        PolicyError: for a CORE dataset, an IMP dataset outside the restricted zone, or a
            column that has no classification (fail closed).
    """
    _check_policy(classification, zone)
    by_name = {c.name: c for c in classification.columns}
    names: list[str] = []
    arrays: list[Any] = []
    lineage: list[ColumnLineage] = []
    for name, values in zip(table.column_names, table.columns, strict=True):
        if name.startswith("_"):
            names.append(name)
            arrays.append(values)
            continue
        column = by_name.get(name)
        if column is None:
            raise PolicyError(f"column {name!r} has no classification; refusing to project it")
        plan = _plan(zone, column.grade)
        if plan == "protect" and column.category in DROPPED_IN_SHARED:
            plan = "dropped"
        if plan == "dropped":
            lineage.append(ColumnLineage(name, None, "dropped"))
            continue
        out, how = values, "identity"
        if plan == "protect":
            out, how = _protect_l3(values, column.category, key)
        names.append(name)
        arrays.append(out)
        lineage.append(ColumnLineage(name, name, how))
    projected = pa.Table.from_arrays(arrays, names=names)
    return ZoneProjection(projected, tuple(lineage))
