"""The FastAPI app of the operators' pages (mounted by the Airflow plugin under ``/pubdata``).

Authentication is injected: Airflow does not authenticate plugin apps, so the plugin passes a
function that validates Airflow's own token and returns the user's name (None: not logged in).
It runs in a middleware in front of the router, so every request is checked before any route is
chosen: pages, JSON, the OpenAPI schema, the stylesheet, and paths no route serves. An anonymous
request under ``/api/`` gets 401, any other is redirected to the login page.

What the user may then see is the injected :class:`etl.ui.authz.Authorizer`'s decision (the
plugin's asks Airflow's auth manager): lists hold only what it allows, and a dataset or
repository it refuses is a 403 (JSON under ``/api/``, else a page) naming the user and the
dataset, nothing else.

The routes are in :mod:`etl.ui.routers`, one module per page; this module only assembles them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI

from etl.ui.authz import AuthorizerFor
from etl.ui.deps import Forbidden, NotFound, SettingsFactory, UiConfig
from etl.ui.html import forbidden, not_found
from etl.ui.login import Authenticate, LoginUrl, RequireLogin
from etl.ui.routers import (
    api,
    catalog,
    data_docs,
    dataset,
    products,
    quarantine,
    repository,
    site,
)

ROUTERS = (site, catalog, dataset, repository, products, quarantine, data_docs, api)


def default_login_url(next_url: str) -> str:
    """Airflow's simple auth manager login page (the plugin passes the real auth manager's)."""
    return "/auth/login?" + urlencode({"next": next_url})


def create_app(
    settings_factory: SettingsFactory,
    authenticate: Authenticate,
    authorizer: AuthorizerFor,
    *,
    login_url: LoginUrl = default_login_url,
    airflow_root: str = "",
) -> FastAPI:
    """Build the app.

    Args:
        settings_factory: settings for each request (the environment may change between
            deployments, not between requests; reading it per request keeps tests simple).
        authenticate: the user from the request's credential, or None.
        authorizer: what a user may see, for a request's settings.
        login_url: the login page URL for a ``next`` path.
        airflow_root: the Airflow UI's root path (links to DAG runs are under it).

    Returns:
        The FastAPI application.
    """
    app = FastAPI(
        title="pubdata operators' pages",
        docs_url=None,
        redoc_url=None,
        openapi_url=api.OPENAPI_URL,
    )
    app.state.pubdata = UiConfig(settings_factory, airflow_root.rstrip("/"), authorizer)
    app.add_middleware(RequireLogin, authenticate=authenticate, login_url=login_url)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(Forbidden, forbidden)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
