"""The JSON API under ``/api/``: the pages' data, and its OpenAPI schema at :data:`OPENAPI_URL`.

An anonymous request here gets 401 rather than the login redirect (:mod:`etl.ui.login`).
"""

from __future__ import annotations

from typing import Any

from etl import catalog
from etl.catalog.repository import repository_page
from etl.ui.deps import Loaded, guarded_router
from etl.ui.routers.products import product_details, product_rows

#: Where FastAPI serves the schema of these routes (set on the app by :func:`etl.ui.create_app`).
OPENAPI_URL = "/api/openapi.json"

router = guarded_router(prefix="/api")


@router.get("/catalog")
def api_catalog(loaded: Loaded) -> list[dict[str, Any]]:
    """The catalog page's rows: the datasets the user may see."""
    return catalog.catalog_rows(loaded.settings, loaded.visible)


@router.get("/datasets/{dataset_id}")
def api_dataset(loaded: Loaded, dataset_id: str) -> dict[str, Any]:
    """A dataset page's data."""
    return catalog.dataset_page(loaded.settings, loaded.dataset(dataset_id))


@router.get("/quarantine")
def api_quarantine(loaded: Loaded, dataset: str | None = None) -> list[dict[str, Any]]:
    """The quarantine page's sections, for one dataset or all the user may see."""
    return catalog.quarantine_sections(loaded.settings, loaded.chosen(dataset))


@router.get("/repositories/{domain_id}")
def api_repository(loaded: Loaded, domain_id: str) -> dict[str, Any]:
    """A repository page's data."""
    return repository_page(loaded.settings, loaded.registry, loaded.domain(domain_id))


@router.get("/products")
def api_products(loaded: Loaded) -> list[dict[str, Any]]:
    """The products page's rows."""
    return product_rows(loaded)


@router.get("/products/{product_id}")
def api_product(loaded: Loaded, product_id: str) -> dict[str, Any]:
    """A product page's data."""
    return product_details(loaded, product_id)
