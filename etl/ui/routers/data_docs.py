"""The scrubbed Data Docs site (:mod:`etl.ui.docs_site`), page by page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from etl.ui.deps import Loaded, NotFound, guarded_router
from etl.ui.docs_site import docs_file
from etl.ui.html import base_path

router = guarded_router(include_in_schema=False)


@router.get("/docs/{path:path}")
def data_docs(request: Request, loaded: Loaded, path: str = "") -> Response:
    """An HTML page of the site (built first when missing or stale); the folder → its index."""
    if path in ("", "/"):
        return RedirectResponse(f"{base_path(request)}/docs/index.html", status_code=302)
    target = docs_file(loaded.settings, loaded.registry, path)
    if target is None:
        raise NotFound(f"no Data Docs page {path!r}")
    return FileResponse(target, media_type="text/html; charset=utf-8")
