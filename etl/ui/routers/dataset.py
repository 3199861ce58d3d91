"""A dataset's page, and the address Airflow's task link opens (a DAG run → its dataset)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from etl import catalog
from etl.ui import svg
from etl.ui.deps import Loaded, NotFound, User, guarded_router
from etl.ui.html import base_path, page

router = guarded_router()


@router.get("/datasets/{dataset_id}", response_class=HTMLResponse)
def dataset_page(
    request: Request, user: User, loaded: Loaded, dataset_id: str, run_id: str | None = None
) -> HTMLResponse:
    """Columns, quality charts, lineage drawing, runs (``run_id`` highlighted) and holds."""
    data = catalog.dataset_page(loaded.settings, loaded.dataset(dataset_id))
    charts = {q["expectation"]: Markup(svg.quality_chart(q)) for q in data["quality"]}
    return page(
        request,
        "dataset.html",
        user=user,
        page=data,
        charts=charts,
        lineage=Markup(svg.lineage_svg(data["lineage"])),
        selected_run=run_id,
    )


@router.get("/dags/{dag_id}/runs/{run_id}", include_in_schema=False)
def from_task(request: Request, loaded: Loaded, dag_id: str, run_id: str) -> Response:
    """Redirect to the page of the dataset the DAG loads, with the run selected."""
    for ds in loaded.registry.datasets.values():
        if ds.dag_id == dag_id:
            query = urlencode({"run_id": run_id})
            url = f"{base_path(request)}/datasets/{ds.id}?{query}"
            return RedirectResponse(url, status_code=302)
    raise NotFound(f"no registered dataset has the DAG {dag_id!r}")
