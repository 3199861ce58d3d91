"""The integrated repositories (整合库): an index, and a page per repository."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from etl.catalog.repository import repositories, repository_page
from etl.ui.deps import Loaded, User, guarded_router
from etl.ui.html import page

router = guarded_router()


@router.get("/repositories", response_class=HTMLResponse)
def repositories_index(request: Request, user: User, loaded: Loaded) -> HTMLResponse:
    """Every repository with its entity count, open conflicts and latest integration."""
    return page(
        request,
        "repositories.html",
        user=user,
        rows=repositories(loaded.settings, loaded.domains()),
    )


@router.get("/repositories/{domain_id}", response_class=HTMLResponse)
def repository(request: Request, user: User, loaded: Loaded, domain_id: str) -> HTMLResponse:
    """Sources and coverage, match rates, attributes' sources, conflict counts, freshness."""
    data = repository_page(loaded.settings, loaded.registry, loaded.domain(domain_id))
    return page(request, "repository.html", user=user, page=data)
