"""Zone projection: what each zone may hold (classification.md §1, §4).

- ``restricted``: every column raw.
- ``shared``: L1/L2 as-is; L3 as the category's record says (``Category.shared``): tokenized
  (join keys: ID, mobile, passport, plate, social security), masked (name, email, landline),
  generalized (birth date → year, address → district, IP → /16 or /48, coordinates → 2
  decimals) or dropped (ethnicity); a column of no category is tokenized (fail closed); L4
  dropped.
- ``open``: L1 columns only.
- credentials (``Shared.RESTRICTED``) never leave the restricted zone, whatever grade a registry
  gives them.

Pipeline columns (``_`` prefix) pass through unchanged and are not listed in the lineage. Every
value of a protected column is protected, including values that failed the category's check.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from etl.classify import DatasetClassification
from etl.classify.categories import find_category, get_category
from etl.classify.category import Shared
from etl.classify.grades import grade_rank
from etl.errors import PolicyError
from etl.forked import ForkedPool
from etl.protect.keys import TokenKey
from etl.protect.masks import generalize_birth_date, mask_address, mask_person_name
from etl.protect.masks_more import (
    generalize_geo_coordinate,
    generalize_ip_address,
    mask_email,
    mask_landline_phone,
)
from etl.protect.tokens import tokenize
from etl.zones import ZONES, Zone

TRANSFORMATIONS: tuple[str, ...] = (
    "identity",
    "masked",
    "tokenized",
    "generalized",
    "dropped",
    "withheld",  # kept out by the publication guard (etl.protect.guard) until a person confirms
)

#: The masks and generalisations of the shared zone, by the name a category record gives them
#: (``Category.shared_form``).
FORMS: dict[str, Callable[[Any], Any]] = {
    "surname": mask_person_name,
    "email": mask_email,
    "area_code_last4": mask_landline_phone,
    "year": generalize_birth_date,
    "district": mask_address,
    "network": generalize_ip_address,
    "two_decimals": generalize_geo_coordinate,
}


def shared_treatment(category: str) -> Shared:
    """What the shared zone does with an L3 column of ``category`` (its record says so).

    ``none`` and any id without a record are tokenized: fail closed.
    """
    record = find_category(category)
    return record.shared if record is not None else Shared.TOKENIZED


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


def _protect(
    values: Any, category: str, how: str, key: TokenKey, workers: ForkedPool | None = None
) -> Any:
    if how in (Shared.MASKED, Shared.GENERALIZED):
        return FORMS[str(get_category(category).shared_form)](values)
    return tokenize(values, category, key, workers=workers)


def _plan(zone: str, grade: str) -> str:
    """``identity``, ``protect`` or ``dropped`` for a column of ``grade`` in ``zone``."""
    rank = grade_rank(grade)
    if zone == Zone.RESTRICTED:
        return "identity"
    if zone == Zone.SHARED:
        if rank <= grade_rank("L2"):
            return "identity"
        return "protect" if rank == grade_rank("L3") else "dropped"
    return "identity" if rank == grade_rank("L1") else "dropped"


def _check_policy(classification: DatasetClassification, zone: str) -> None:
    if zone not in ZONES:
        raise ValueError(f"unknown zone {zone!r}; expected one of {', '.join(ZONES)}")
    if "CORE" in classification.flags:
        raise PolicyError("dataset is flagged CORE: nothing may be written to any zone")
    if zone != Zone.RESTRICTED and "IMP" in classification.flags:
        raise PolicyError(f"dataset is flagged IMP: restricted zone only, not {zone}")


def project_zone(
    table: pa.Table,
    classification: DatasetClassification,
    zone: str,
    key: TokenKey,
    workers: ForkedPool | None = None,
    withheld: frozenset[str] = frozenset(),
) -> ZoneProjection:
    """Project ``table`` for ``zone``.

    Args:
        table: the curated table, raw values (pipeline ``_`` columns allowed).
        classification: its classification.
        zone: ``"restricted"``, ``"shared"`` or ``"open"``.
        key: token key for the shared zone's tokens.
        workers: forked processes the token loops run in (None: this process).
        withheld: columns the publication guard keeps out of every zone but restricted.

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
    jobs: dict[int, tuple[Any, str, str]] = {}
    for name, values in zip(table.column_names, table.columns, strict=True):
        if name.startswith("_"):
            names.append(name)
            arrays.append(values)
            continue
        column = by_name.get(name)
        if column is None:
            raise PolicyError(f"column {name!r} has no classification; refusing to project it")
        plan = _plan(zone, column.grade)
        treatment = shared_treatment(column.category)
        if plan == "protect" and treatment is Shared.DROPPED:
            plan = "dropped"
        if zone != Zone.RESTRICTED and treatment is Shared.RESTRICTED:
            plan = "dropped"
        if zone != Zone.RESTRICTED and name in withheld:
            lineage.append(ColumnLineage(name, None, "withheld"))
            continue
        if plan == "dropped":
            lineage.append(ColumnLineage(name, None, "dropped"))
            continue
        how = "identity"
        if plan == "protect":
            how = str(treatment)
            jobs[len(arrays)] = (values, column.category, how)
        names.append(name)
        arrays.append(values)
        lineage.append(ColumnLineage(name, name, how))
    for position, out in _run(jobs, key, workers).items():
        arrays[position] = out
    projected = pa.Table.from_arrays(arrays, names=names)
    return ZoneProjection(projected, tuple(lineage))


def _run(
    jobs: dict[int, tuple[Any, str, str]], key: TokenKey, workers: ForkedPool | None = None
) -> dict[int, Any]:
    """Protect the columns side by side.

    Arrow kernels release the GIL, so masks of several columns run on threads. The token
    loop holds it: without worker processes, tokens are computed one column at a time first;
    with them, each token column waits on its worker from a thread like a mask.
    """
    done: dict[int, Any] = {}
    if workers is None:
        for position, (values, category, how) in jobs.items():
            if how == "tokenized":
                done[position] = _protect(values, category, how, key)
    rest = {p: job for p, job in jobs.items() if p not in done}
    threads = min(len(rest), os.cpu_count() or 1)
    if threads <= 1:
        done.update({p: _protect(v, c, h, key, workers) for p, (v, c, h) in rest.items()})
        return done
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = {p: pool.submit(_protect, v, c, h, key, workers) for p, (v, c, h) in rest.items()}
        done.update({p: f.result() for p, f in futures.items()})
    return done
