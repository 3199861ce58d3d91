"""The FastAPI app of the operators' pages (mounted by the Airflow plugin under ``/pubdata``).

Authentication is injected: Airflow does not authenticate plugin apps, so the plugin passes a
function that validates Airflow's own token and returns the user's name (None: not logged in).
It runs in a middleware in front of the router, so every request is checked before any route is
chosen: pages, JSON, the OpenAPI schema, the stylesheet, and paths no route serves. An anonymous
request under ``/api/`` gets 401, any other is redirected to the login page.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from etl.registry import Dataset, Registry, load_registry
from etl.settings import Settings
from etl.ui import catalog_view, dataset_view, docs_site, quarantine_view, svg
from etl.ui.login import USER_KEY, Authenticate, LoginUrl, RequireLogin, is_api

SettingsFactory = Callable[[], Settings]


def default_login_url(next_url: str) -> str:
    """Airflow's simple auth manager login page (the plugin passes the real auth manager's)."""
    return "/auth/login?" + urlencode({"next": next_url})


class NotFound(Exception):
    """No such dataset or page."""


def _current_user(request: Request) -> str:
    """The name :class:`RequireLogin` authenticated (a KeyError, so a 500, if it did not run)."""
    return str(request.scope[USER_KEY])


User = Annotated[str, Depends(_current_user)]


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("etl.ui", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: "-" if v is None else f"{float(v):.0%}"
    env.filters["num"] = lambda v: "-" if v is None else f"{int(v):,}"
    env.globals.update(
        flag_labels=catalog_view.FLAG_LABELS,
        state_labels=catalog_view.STATE_LABELS,
        freshness_labels=catalog_view.FRESHNESS_LABELS,
    )
    return env


def _stylesheet() -> bytes:
    return resources.files("etl.ui").joinpath("static", "pubdata.css").read_bytes()


def create_app(
    settings_factory: SettingsFactory,
    authenticate: Authenticate,
    *,
    login_url: LoginUrl = default_login_url,
    airflow_root: str = "",
) -> FastAPI:
    """Build the app.

    Args:
        settings_factory: settings for each request (the environment may change between
            deployments, not between requests; reading it per request keeps tests simple).
        authenticate: the user's name from the request's credential, or None.
        login_url: the login page URL for a ``next`` path.
        airflow_root: the Airflow UI's root path (links to DAG runs are under it).

    Returns:
        The FastAPI application.
    """
    app = FastAPI(
        title="pubdata operators' pages",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(RequireLogin, authenticate=authenticate, login_url=login_url)
    templates = _environment()
    stylesheet = _stylesheet()
    root = airflow_root.rstrip("/")

    @app.exception_handler(NotFound)
    async def _missing(request: Request, exc: NotFound) -> Response:
        if is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=404)
        return _page(request, "message.html", 404, title="未找到 Not found", message=str(exc))

    def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        base = request.scope.get("root_path", "").rstrip("/")
        html = templates.get_template(name).render(base=base, airflow_root=root, **context)
        return HTMLResponse(html, status_code=status)

    def _load() -> tuple[Settings, Registry]:
        settings = settings_factory()
        return settings, load_registry(settings.registry)

    def _dataset(registry: Registry, dataset_id: str) -> Dataset:
        found = registry.datasets.get(dataset_id)
        if found is None:
            raise NotFound(f"no dataset {dataset_id!r} in the registry")
        return found

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        base = request.scope.get("root_path", "").rstrip("/")
        return RedirectResponse(f"{base}/catalog", status_code=302)

    @app.get("/static/pubdata.css", include_in_schema=False)
    async def css() -> Response:
        return Response(stylesheet, media_type="text/css")

    @app.get("/catalog", response_class=HTMLResponse)
    def catalog_page(
        request: Request,
        user: User,
        department: str | None = None,
        domain: str | None = None,
        grade: str | None = None,
    ) -> HTMLResponse:
        settings, registry = _load()
        rows = catalog_view.catalog_rows(settings, registry)
        filters = catalog_view.Filters(department or None, domain or None, grade or None)
        return _page(
            request,
            "catalog.html",
            user=user,
            rows=[r for r in rows if filters.keep(r)],
            total=len(rows),
            options=catalog_view.filter_options(rows),
            filters=filters,
        )

    @app.get("/datasets/{dataset_id}", response_class=HTMLResponse)
    def dataset_page(
        request: Request, user: User, dataset_id: str, run_id: str | None = None
    ) -> HTMLResponse:
        settings, registry = _load()
        ds = _dataset(registry, dataset_id)
        page = dataset_view.dataset_page(settings, ds)
        charts = {q["expectation"]: Markup(svg.quality_chart(q)) for q in page["quality"]}
        return _page(
            request,
            "dataset.html",
            user=user,
            page=page,
            charts=charts,
            lineage=Markup(svg.lineage_svg(page["lineage"])),
            selected_run=run_id,
        )

    @app.get("/quarantine", response_class=HTMLResponse)
    def quarantine_page(request: Request, user: User, dataset: str | None = None) -> HTMLResponse:
        settings, registry = _load()
        chosen = [_dataset(registry, dataset)] if dataset else _sorted(registry)
        return _page(
            request,
            "quarantine.html",
            user=user,
            sections=quarantine_view.quarantine_sections(settings, chosen),
            options=[d.id for d in _sorted(registry)],
            chosen=dataset,
        )

    @app.get("/dags/{dag_id}/runs/{run_id}", include_in_schema=False)
    def from_task(request: Request, dag_id: str, run_id: str) -> Response:
        _, registry = _load()
        for ds in registry.datasets.values():
            if ds.dag_id == dag_id:
                base = request.scope.get("root_path", "").rstrip("/")
                query = urlencode({"run_id": run_id})
                return RedirectResponse(f"{base}/datasets/{ds.id}?{query}", status_code=302)
        raise NotFound(f"no registered dataset has the DAG {dag_id!r}")

    @app.get("/docs/{path:path}", include_in_schema=False)
    def data_docs(request: Request, path: str = "") -> Response:
        settings, registry = _load()
        if path in ("", "/"):
            base = request.scope.get("root_path", "").rstrip("/")
            return RedirectResponse(f"{base}/docs/index.html", status_code=302)
        target = docs_site.docs_file(settings, registry, path)
        if target is None:
            raise NotFound(f"no Data Docs page {path!r}")
        return FileResponse(target, media_type="text/html; charset=utf-8")

    @app.get("/api/catalog")
    def api_catalog() -> list[dict[str, Any]]:
        settings, registry = _load()
        return catalog_view.catalog_rows(settings, registry)

    @app.get("/api/datasets/{dataset_id}")
    def api_dataset(dataset_id: str) -> dict[str, Any]:
        settings, registry = _load()
        return dataset_view.dataset_page(settings, _dataset(registry, dataset_id))

    @app.get("/api/quarantine")
    def api_quarantine(dataset: str | None = None) -> list[dict[str, Any]]:
        settings, registry = _load()
        chosen = [_dataset(registry, dataset)] if dataset else _sorted(registry)
        return quarantine_view.quarantine_sections(settings, chosen)

    return app


def _sorted(registry: Registry) -> list[Dataset]:
    return sorted(registry.datasets.values(), key=lambda d: (d.department, d.id))
