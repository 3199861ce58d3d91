"""The scrubbed Data Docs (:mod:`etl.lineage.docs`) inside the pages' layout.

The index and each dataset's page are rendered from the ``_meta`` tables on request, with the
pages' header, navigation, breadcrumbs and stylesheet; the standalone static site
(``pubdata docs``) holds the same bodies. Any other path under ``/docs/`` is not found.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from etl.ui.deps import Loaded, NotFound, User, guarded_router
from etl.ui.html import base_path, page

router = guarded_router(include_in_schema=False)

#: The page of one dataset: ``datasets/<id>.html``.
_DATASET_PREFIX, _SUFFIX = "datasets/", ".html"


@router.get("/docs/{path:path}")
def data_docs(request: Request, user: User, loaded: Loaded, path: str = "") -> Response:
    """The index or a dataset's page; the folder → its index; anything else is not found."""
    from etl.lineage import docs  # pulls in the validation scrubber: only when used

    if path in ("", "/"):
        return RedirectResponse(f"{base_path(request)}/docs/index.html", status_code=302)
    if path == "index.html":
        body = docs.index_html(loaded.settings, loaded.visible)
        return page(request, "data_docs.html", user=user, dataset=None, body=Markup(body))
    name = path.removeprefix(_DATASET_PREFIX).removesuffix(_SUFFIX)
    if f"{_DATASET_PREFIX}{name}{_SUFFIX}" != path or name not in loaded.registry.datasets:
        raise NotFound(f"no Data Docs page {path!r}")
    ds = loaded.dataset(name)  # a dataset the user may not see: 403
    body = docs.dataset_html(loaded.settings, ds)
    return page(request, "data_docs.html", user=user, dataset=ds, body=Markup(body))
