"""Authorised data products (授权运营): an index, and a page per product.

Product, consumer, purpose, document, expiry and state, linked access grant, and each release
attempt (date, rows, suppressed cells, refusal with its one line): never a value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from etl.products.status import product_statuses
from etl.ui.deps import Deployment, Loaded, User, guarded_router
from etl.ui.html import page

router = guarded_router()


def product_rows(loaded: Deployment) -> list[dict[str, Any]]:
    """Each product the user may see: :meth:`etl.products.status.ProductStatus.summary`."""
    settings = loaded.settings
    today = datetime.now(settings.zone).date()
    return [
        {**status.summary(), "dag_id": status.product.dag_id}
        for status in product_statuses(settings, loaded.products(), today)
    ]


def product_details(loaded: Deployment, product_id: str) -> dict[str, Any]:
    """One product's page (:meth:`etl.products.status.ProductStatus.details`)."""
    product = loaded.product(product_id)
    today = datetime.now(loaded.settings.zone).date()
    [status] = product_statuses(loaded.settings, [product], today)
    return {**status.details(), "dag_id": product.dag_id}


@router.get("/products", response_class=HTMLResponse)
def products_index(request: Request, user: User, loaded: Loaded) -> HTMLResponse:
    """Every product with consumer, purpose, document, expiry, state and last release."""
    return page(request, "products.html", user=user, rows=product_rows(loaded))


@router.get("/products/{product_id}", response_class=HTMLResponse)
def product(request: Request, user: User, loaded: Loaded, product_id: str) -> HTMLResponse:
    """The declaration's summary and every release attempt with its gate results."""
    return page(request, "product.html", user=user, page=product_details(loaded, product_id))
