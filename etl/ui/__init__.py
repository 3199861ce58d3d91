"""The operators' pages: catalog, datasets, repositories, quarantine, Data Docs: a FastAPI app.

Nothing here imports Airflow: the plugin in ``plugins/pubdata_ui.py`` mounts the app and injects
how a request is authenticated and what a user may see (:mod:`etl.ui.authz`). Pages render
:mod:`etl.catalog`'s data (from the registry, the ``_meta`` tables and the Delta logs only):
names, counts, grades, categories and reason codes, never a data value. Each page is a router
in :mod:`etl.ui.routers`.
"""

from etl.ui.app import create_app
from etl.ui.authz import AllOf, Authorizer, AuthorizerFor, GrantAuthorizer
from etl.ui.login import Authenticate, NamedUser, UiUser

__all__ = [
    "AllOf",
    "Authenticate",
    "Authorizer",
    "AuthorizerFor",
    "GrantAuthorizer",
    "NamedUser",
    "UiUser",
    "create_app",
]
