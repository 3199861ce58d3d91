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

"Dropped" means no value: shared and open keep every delivered column (and every column their
table has), a dropped or withheld one as a column of nulls, so a table's columns never change
with one date's data; each column's field metadata says what the zone holds of it and why
(:mod:`etl.protect.column_status`, keys in :mod:`etl.lake.dictionary`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa

from etl.classify import ColumnClassification, DatasetClassification
from etl.classify.categories import find_category, get_category
from etl.classify.category import Shared
from etl.classify.grades import grade_rank
from etl.errors import PolicyError
from etl.forked import ForkedPool
from etl.protect import column_status
from etl.protect.keys import TokenKey
from etl.protect.masks import generalize_birth_date, mask_address, mask_person_name
from etl.protect.masks_more import (
    generalize_geo_coordinate,
    generalize_ip_address,
    mask_email,
    mask_landline_phone,
)
from etl.protect.tokens import NATIVE, tokenize
from etl.zones import ZONES, Zone

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
        transformation: one of :data:`etl.protect.transformations.TRANSFORMATIONS`.
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


def _transformation(column: ColumnClassification, zone: str, withheld: bool) -> str:
    """What ``zone`` does with ``column`` (a name of ``etl.protect.transformations``)."""
    plan = _plan(zone, column.grade)
    treatment = shared_treatment(column.category)
    if plan == "protect" and treatment is Shared.DROPPED:
        plan = "dropped"
    if zone != Zone.RESTRICTED and treatment is Shared.RESTRICTED:
        plan = "dropped"
    if zone != Zone.RESTRICTED and withheld:
        return "withheld"
    if plan == "protect":
        return str(treatment)
    return plan


#: Every protection (mask, token, generalisation) gives text.
PROTECTED_TYPE = pa.string()


def _empty_type(values: Any, column: ColumnClassification, zone: str) -> pa.DataType:
    """The type of a column a zone keeps out: the type it has when the zone publishes it.

    That is decided by the column's own grade (before a dataset rule lifted it) and category,
    not by what the date's rows made of them: a column R4 or the guard keeps out on one date
    has the type it has on the others.
    """
    own = dataclasses.replace(column, grade=column.own_grade)
    if _transformation(own, zone, withheld=False) in ("identity", "dropped"):
        return values.type
    return PROTECTED_TYPE


@dataclass(frozen=True)
class ZoneTarget:
    """The zone table a projection is written to.

    Attributes:
        schema: the table's schema now (None: no table yet); a column it has keeps its type
            and stays, as nulls when the date has no values for it.
        day: the logical date written, stated in each column's metadata.
    """

    schema: pa.Schema | None = None
    day: date | None = None


def project_zone(
    table: pa.Table,
    classification: DatasetClassification,
    zone: str,
    key: TokenKey,
    workers: ForkedPool | None = None,
    withheld: frozenset[str] = frozenset(),
    target: ZoneTarget | None = None,
) -> ZoneProjection:
    """Project ``table`` for ``zone``.

    In the shared and open zones every column is kept: one the zone keeps out (its grade or
    category, the publication guard) is a column of nulls, so a table's columns do not change
    with one date's data. Each column's field metadata states its status and why
    (:mod:`etl.lake.dictionary`).

    Args:
        table: the curated table, raw values (pipeline ``_`` columns allowed).
        classification: its classification.
        zone: ``"restricted"``, ``"shared"`` or ``"open"``.
        key: token key for the shared zone's tokens.
        workers: forked processes the token loops run in (None: this process).
        withheld: columns the publication guard keeps out of every zone but restricted.
        target: the zone table written to: its columns not in ``table`` are kept as nulls,
            keep their type and order, and empty columns take their type.

    Returns:
        The projected table and per-column lineage.

    Raises:
        ValueError: on an unknown zone.
        PolicyError: for a CORE dataset, an IMP dataset outside the restricted zone, or a
            column that has no classification (fail closed).
    """
    _check_policy(classification, zone)
    target = target or ZoneTarget()
    current = target.schema if target.schema is not None else pa.schema([])
    published = zone != Zone.RESTRICTED
    by_name = {c.name: c for c in classification.columns}
    fields: list[pa.Field] = []
    arrays: list[Any] = []
    lineage: list[ColumnLineage] = []
    jobs: dict[int, tuple[Any, str, str]] = {}
    for name, values in zip(table.column_names, table.columns, strict=True):
        if name.startswith("_"):
            fields.append(pa.field(name, values.type))
            arrays.append(values)
            continue
        column = by_name.get(name)
        if column is None:
            raise PolicyError(f"column {name!r} has no classification; refusing to project it")
        how = _transformation(column, zone, name in withheld)
        if how in ("dropped", "withheld"):
            lineage.append(ColumnLineage(name, None, how))
            kind = (
                current.field(name).type
                if name in current.names
                else _empty_type(values, column, zone)
            )
            values = pa.nulls(len(values), kind)
        else:
            lineage.append(ColumnLineage(name, name, how))
            if how != "identity":
                jobs[len(arrays)] = (values, column.category, how)
        fields.append(_field(name, values.type, column, zone, how, target.day))
        arrays.append(values)
    for position, out in _run(jobs, key, workers).items():
        arrays[position] = out
        fields[position] = fields[position].with_type(out.type)
    if published:
        _keep_table_columns(current, table.num_rows, fields, arrays, target.day)
    projected = pa.Table.from_arrays(arrays, schema=pa.schema(fields))
    return ZoneProjection(projected, tuple(lineage))


def _field(
    name: str,
    kind: pa.DataType,
    column: ColumnClassification,
    zone: str,
    how: str,
    day: date | None,
) -> pa.Field:
    """A projected column's field: with its status and reason in a published zone."""
    if zone == Zone.RESTRICTED:
        return pa.field(name, kind)
    why = column_status.reason(column, Zone(zone), how, shared_treatment(column.category))
    return column_status.column_field(name, kind, how, why, day)


def _keep_table_columns(
    current: pa.Schema, rows: int, fields: list[pa.Field], arrays: list[Any], day: date | None
) -> None:
    """Add the table's columns the date lacks (as nulls) and put its columns in its order."""
    have = {f.name for f in fields}
    for field in current:
        if field.name not in have and not field.name.startswith("_"):
            fields.append(column_status.not_delivered(field, day))
            arrays.append(pa.nulls(rows, field.type))
    rank = {name: i for i, name in enumerate(current.names)}
    order = sorted(range(len(fields)), key=lambda i: rank.get(fields[i].name, len(rank) + i))
    fields[:] = [fields[i] for i in order]
    arrays[:] = [arrays[i] for i in order]


def _run(
    jobs: dict[int, tuple[Any, str, str]], key: TokenKey, workers: ForkedPool | None = None
) -> dict[int, Any]:
    """Protect the columns side by side.

    Arrow kernels and the C token loop release the GIL, so masks and tokens of several
    columns run on threads. The hashlib loop (where the C loop was not built) holds it:
    without worker processes, its tokens are computed one column at a time first; with them,
    each token column waits on its worker from a thread like a mask.
    """
    done: dict[int, Any] = {}
    if workers is None and not NATIVE:
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
