"""The app's root (a redirect to the catalog) and its stylesheet."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from etl.ui.deps import guarded_router
from etl.ui.html import base_path

router = guarded_router(include_in_schema=False)


@cache
def _stylesheet() -> bytes:
    return resources.files("etl.ui").joinpath("static", "pubdata.css").read_bytes()


@router.get("/")
async def index(request: Request) -> Response:
    """The catalog is the front page."""
    return RedirectResponse(f"{base_path(request)}/catalog", status_code=302)


@router.get("/static/pubdata.css")
async def css() -> Response:
    """The one stylesheet of every page."""
    return Response(_stylesheet(), media_type="text/css")
