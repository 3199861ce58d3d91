"""The quarantine page: quarantined rows by reason and run, for one dataset or all."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from etl import catalog
from etl.ui.deps import Loaded, User, guarded_router
from etl.ui.html import page

router = guarded_router()


@router.get("/quarantine", response_class=HTMLResponse)
def quarantine_page(
    request: Request, user: User, loaded: Loaded, dataset: str | None = None
) -> HTMLResponse:
    """Counts by reason code per dataset, with a dataset chooser."""
    return page(
        request,
        "quarantine.html",
        user=user,
        sections=catalog.quarantine_sections(loaded.settings, loaded.chosen(dataset)),
        options=[d.id for d in loaded.datasets()],
        chosen=dataset,
    )
