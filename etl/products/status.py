"""Where the products stand: their state, releases, refusals and the access grants they name.

What ``pubdata products``, the DAG of a product and the products page read, from the product
files and ``_meta.product_releases`` only: ids, dates, counts, gate outcomes and one-line
refusals, never a data value. A product's consumer reads its releases from the product's
destination, not the lake; when the access file also holds a grant whose ``document`` is the
product's authorisation document, that grant is the product's *linked grant*: it should end when
the product expires, and :attr:`ProductStatus.warnings` says so when it does not (the access file
is never edited here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from etl.access import AccessConfig
from etl.errors import PubdataError
from etl.products.gate import GateCheck
from etl.registry.product import Product
from etl.settings import Settings

__all__ = [
    "LinkedGrant",
    "ProductState",
    "ProductStatus",
    "ReleaseRecord",
    "linked_grants",
    "product_status",
    "product_statuses",
    "read_access",
    "release_records",
]

#: ``active`` until the day after ``expires``, then ``expired``.
ProductState = Literal["active", "expired"]


@dataclass(frozen=True)
class ReleaseRecord:
    """One release attempt of a product, as ``_meta.product_releases`` holds it.

    Attributes:
        release_id: ``<product id>-<YYYY-MM-DD>``.
        product: the product id.
        logical_date: the day released for.
        status: ``released`` or ``refused``.
        error: a refusal's one line (None for a release).
        files: Parquet files written (None for a refusal).
        rows: rows released (None for a refusal).
        suppressed_cells: aggregate cells left out (None for a refusal).
        gate: the gate checks made, in order.
        created_at: when the attempt was recorded (UTC).
    """

    release_id: str
    product: str
    logical_date: date
    status: str
    error: str | None
    files: int | None
    rows: int | None
    suppressed_cells: int | None
    gate: tuple[GateCheck, ...]
    created_at: datetime

    @property
    def released(self) -> bool:
        """Whether the attempt wrote a release."""
        return self.status == "released"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (no value: counts, dates, gate outcomes)."""
        return {
            "release_id": self.release_id,
            "logical_date": self.logical_date.isoformat(),
            "status": self.status,
            "error": self.error,
            "files": self.files,
            "rows": self.rows,
            "suppressed_cells": self.suppressed_cells,
            "gate": [c.to_dict() for c in self.gate],
            "created_at": self.created_at.isoformat(),
        }


def _gate(text: str | None) -> tuple[GateCheck, ...]:
    if not text:
        return ()
    return tuple(GateCheck(**c) for c in json.loads(text))


def release_records(lake: str, products: Iterable[str] | None = None) -> list[ReleaseRecord]:
    """Every release attempt recorded (of ``products`` only, when given), oldest first."""
    from etl.lineage.meta import read_meta

    wanted = None if products is None else set(products)
    found = [
        ReleaseRecord(
            release_id=row["release_id"],
            product=row["product"],
            logical_date=row["logical_date"],
            status=row["status"],
            error=row["error"],
            files=row["files"],
            rows=row["rows"],
            suppressed_cells=row["suppressed_cells"],
            gate=_gate(row["gate"]),
            created_at=row["created_at"],
        )
        for row in read_meta(lake, "product_releases").to_pylist()
        if wanted is None or row["product"] in wanted
    ]
    return sorted(found, key=lambda r: (r.created_at, r.release_id))


@dataclass(frozen=True)
class LinkedGrant:
    """An access-file grant whose ``document`` is a product's authorisation document.

    Attributes:
        principal: the grant's principal.
        expires: its last day.
        state: ``active`` or ``expired`` on the day asked.
    """

    principal: str
    expires: date
    state: ProductState

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {
            "principal": self.principal,
            "expires": self.expires.isoformat(),
            "state": self.state,
        }


def linked_grants(product: Product, access: AccessConfig, today: date) -> tuple[LinkedGrant, ...]:
    """The grants of ``access`` made under the product's authorisation document."""
    document = product.authorisation.document
    return tuple(
        LinkedGrant(g.principal, g.expires, "active" if g.active(today) else "expired")
        for g in access.grants
        if g.document == document
    )


def _grant_warning(product: Product, grant: LinkedGrant) -> str:
    return (
        f"product {product.id} expired on {product.expires.isoformat()} but its linked grant "
        f"to {grant.principal} (document {product.authorisation.document}) is active until "
        f"{grant.expires.isoformat()}; end it in the access file"
    )


@dataclass(frozen=True)
class ProductStatus:
    """One product with its state, its release attempts and its linked grants.

    Attributes:
        product: the product.
        state: ``active`` or ``expired`` on the day asked.
        releases: its release attempts, oldest first.
        grants: the access grants made under its authorisation document.
        grants_note: why the linked grants are unknown (the access file could not be read).
        warnings: one line per linked grant still active after the product expired.
    """

    product: Product
    state: ProductState
    releases: tuple[ReleaseRecord, ...]
    grants: tuple[LinkedGrant, ...] = ()
    grants_note: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def last_release(self) -> ReleaseRecord | None:
        """The latest release written (by logical date), if any."""
        written = [r for r in self.releases if r.released]
        return max(written, key=lambda r: r.logical_date) if written else None

    @property
    def refusals(self) -> int:
        """How many attempts were refused."""
        return sum(not r.released for r in self.releases)

    def summary(self) -> dict[str, Any]:
        """The list's row: id, consumer, purpose, expiry, state, last release, grants."""
        product, last = self.product, self.last_release
        return {
            "id": product.id,
            "title": product.title,
            "consumer": {"name": product.consumer.name, "uscc": product.consumer.uscc},
            "purpose": product.purpose,
            "document": product.authorisation.document,
            "expires": product.expires.isoformat(),
            "state": self.state,
            "last_release": last.logical_date.isoformat() if last else None,
            "rows": last.rows if last else None,
            "releases": sum(r.released for r in self.releases),
            "refusals": self.refusals,
            "linked_grants": [g.to_dict() for g in self.grants],
            "linked_grants_note": self.grants_note,
            "warnings": list(self.warnings),
        }

    def details(self) -> dict[str, Any]:
        """The product's page: the declaration's summary and every release attempt."""
        product = self.product
        return {
            **self.summary(),
            "description": product.description,
            "authorisation": {
                "document": product.authorisation.document,
                "approved_by": product.authorisation.approved_by,
                "date": product.authorisation.date.isoformat(),
            },
            "sources": [{"table": s.name, "zone": s.zone} for s in product.sources],
            "columns": list(product.columns),
            "filters": [f.column for f in product.filters],
            "aggregation": None
            if product.aggregation is None
            else {
                "group_by": list(product.aggregation.group_by),
                "measures": list(product.aggregation.measures),
            },
            "grade_ceiling": product.grade_ceiling,
            "approvals": [a.dataset for a in product.approvals],
            "k": product.k,
            "schedule": product.schedule,
            "history": [r.to_dict() for r in reversed(self.releases)],
        }


def product_status(
    product: Product,
    records: Sequence[ReleaseRecord],
    today: date,
    access: AccessConfig | None = None,
    access_note: str | None = None,
) -> ProductStatus:
    """The status of ``product`` on ``today`` from the release records and the access file.

    Args:
        product: the product.
        records: release attempts (any product's; this one's are kept).
        today: the day its state and its grants' state are judged on.
        access: the access file's content (None: unknown, see ``access_note``).
        access_note: why the access file could not be read, when ``access`` is None.
    """
    state: ProductState = "expired" if product.expired(today) else "active"
    grants = linked_grants(product, access, today) if access is not None else ()
    warnings = tuple(
        _grant_warning(product, g) for g in grants if state == "expired" and g.state == "active"
    )
    return ProductStatus(
        product=product,
        state=state,
        releases=tuple(r for r in records if r.product == product.id),
        grants=grants,
        grants_note=access_note,
        warnings=warnings,
    )


def read_access(settings: Settings) -> tuple[AccessConfig | None, str | None]:
    """The access file's content, or None and the one line saying why it could not be read."""
    from etl.access.config import load_access
    from etl.access.principal import pipeline_uid

    try:
        return load_access(settings.access_file, owner=pipeline_uid(settings)), None
    except PubdataError as exc:
        return None, exc.message
    except PermissionError:
        return None, f"access file {settings.access_file} is not readable by this user"


def product_statuses(
    settings: Settings, products: Iterable[Product], today: date
) -> list[ProductStatus]:
    """The status of each product on ``today`` (release records read once), in the order given."""
    chosen = list(products)
    records = release_records(settings.lake, [p.id for p in chosen])
    access, note = read_access(settings)
    return [product_status(p, records, today, access, note) for p in chosen]
