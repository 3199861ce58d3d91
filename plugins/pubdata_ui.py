"""Airflow plugin: the operators' pages (``etl.ui``) under ``/pubdata``, nav entries, a task link.

Registration only, plus the one adapter the pages need: Airflow does not authenticate plugin
FastAPI apps, so :func:`authenticate` validates Airflow's own JWT (the UI's ``_token`` cookie or
an ``Authorization: Bearer`` header) through the configured auth manager. Every process that
loads plugins imports this module (scheduler, workers), so the app and everything heavy behind
it are built on the first request to the api-server, never at import.

What a user may see is Airflow's decision too (:class:`AirflowAuthorizer`): a dataset's pages
need ``GET`` on its DAG's runs, as Airflow's own run list does, and a repository's pages on its
``integrate__`` DAG's. With ``AIRFLOW__PUBDATA__UI_GRANTS=True`` the access file's grants must
allow it as well (:class:`etl.ui.authz.GrantAuthorizer`), for auth managers without per-DAG
rules (the simple auth manager decides by role and team only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from airflow.plugins_manager import AirflowPlugin
from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey
    from fastapi import Request
    from starlette.types import ASGIApp, Receive, Scope, Send

    from etl.integrate import Domain
    from etl.registry import Dataset
    from etl.settings import Settings
    from etl.ui import Authorizer, UiUser

#: Where the app is mounted in the api-server.
URL_PREFIX = "/pubdata"
#: The cookie the Airflow UI keeps its JWT in (``base_auth_manager.COOKIE_NAME_JWT_TOKEN``).
TOKEN_COOKIE = "_token"
#: DAGs with a dataset page (``ingest__<department>__<dataset>``).
DATASET_DAG_PREFIX = "ingest__"


def _airflow_root() -> str:
    from airflow.api_fastapi.app import API_ROOT_PATH

    return str(API_ROOT_PATH).rstrip("/")


def _credential(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()  # an explicit credential wins over the ambient cookie, as in Airflow
    return request.cookies.get(TOKEN_COOKIE) or None


async def authenticate(request: Request) -> BaseUser | None:
    """The Airflow user if the request carries a valid, unrevoked Airflow JWT."""
    from airflow.api_fastapi.app import get_auth_manager
    from jwt import InvalidTokenError

    token = _credential(request)
    if token is None:
        return None
    try:
        user = await get_auth_manager().get_user_from_token(token)
    except InvalidTokenError:  # expired, revoked, forged or for another deployment
        return None
    return user


def login_url(next_url: str) -> str:
    """The auth manager's login page, returning to ``next_url``."""
    from airflow.api_fastapi.app import get_auth_manager

    return str(get_auth_manager().get_url_login(next_url=next_url))


class AirflowAuthorizer:
    """The auth manager in use decides, per DAG: the pages of a dataset or repository follow it."""

    def can_read_dataset(self, user: UiUser, dataset: Dataset) -> bool:
        """Whether ``user`` may read the runs of the dataset's ``ingest__`` DAG."""
        return self._can_read_runs(user, dataset.dag_id)

    def can_read_repository(self, user: UiUser, domain: Domain) -> bool:
        """Whether ``user`` may read the runs of the repository's ``integrate__`` DAG."""
        return self._can_read_runs(user, domain.dag_id)

    @staticmethod
    def _can_read_runs(user: UiUser, dag_id: str) -> bool:
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.models.resource_details import (
            DagAccessEntity,
            DagDetails,
        )
        from airflow.configuration import conf
        from airflow.models.dag import DagModel

        # the DAG's team, as Airflow's own endpoints look it up (teams exist in multi-team mode)
        team = DagModel.get_team_name(dag_id) if conf.getboolean("core", "multi_team") else None
        return bool(
            get_auth_manager().is_authorized_dag(
                method="GET",
                access_entity=DagAccessEntity.RUN,
                details=DagDetails(id=dag_id, team_name=team),
                # the app hands back the user authenticate() returned: Airflow's own
                user=cast("BaseUser", user),
            )
        )


def authorizer(settings: Settings) -> Authorizer:
    """Airflow's decision, and the access file's grants too when ``[pubdata] ui_grants`` is on."""
    from airflow.configuration import conf

    from etl.ui import AllOf, GrantAuthorizer

    if conf.getboolean("pubdata", "ui_grants", fallback=False):
        return AllOf((AirflowAuthorizer(), GrantAuthorizer.from_settings(settings)))
    return AirflowAuthorizer()


def _build_app() -> ASGIApp:
    from etl.settings import Settings
    from etl.ui import create_app

    return create_app(
        Settings.from_env,
        authenticate,
        authorizer,
        login_url=login_url,
        airflow_root=_airflow_root(),
    )


class _BuiltOnFirstRequest:
    """An ASGI app that builds the real one when the first request arrives."""

    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self._build = build
        self._app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            self._app = self._build()
        await self._app(scope, receive, send)


class DatasetPageLink(BaseOperatorLink):
    """From any task instance of a dataset DAG to that dataset's page (run highlighted)."""

    name = "数据集页面 Dataset page"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """The page of the task's dataset; empty (no link) for other DAGs."""
        if not ti_key.dag_id.startswith(DATASET_DAG_PREFIX):
            return ""
        return (
            f"{_airflow_root()}{URL_PREFIX}/dags/{quote(ti_key.dag_id, safe='')}"
            f"/runs/{quote(ti_key.run_id, safe='')}"
        )


class PubdataUiPlugin(AirflowPlugin):
    """Registers the pages, the nav entry and the task link."""

    name = "pubdata_ui"
    fastapi_apps: list[Any] = [  # noqa: RUF012 (AirflowPlugin declares these as class lists)
        {"app": _BuiltOnFirstRequest(_build_app), "url_prefix": URL_PREFIX, "name": "pubdata"}
    ]
    external_views: list[Any] = [  # noqa: RUF012
        {
            # a top-level nav entry; url_route embeds the page in the Airflow UI
            "name": "数据目录 Catalog",
            "href": f"{URL_PREFIX}/catalog",
            "url_route": "pubdata-catalog",
            "destination": "nav",
            "nav_top_level": True,
        },
        {
            # under the Browse menu
            "name": "隔离区 Quarantine",
            "href": f"{URL_PREFIX}/quarantine",
            "url_route": "pubdata-quarantine",
            "destination": "nav",
            "category": "browse",
        },
        {
            # a tab on every DAG run: the run's dataset page (other DAGs get a not-found page)
            "name": "数据集 Dataset",
            "href": f"{URL_PREFIX}/dags/{{DAG_ID}}/runs/{{RUN_ID}}",
            "url_route": "pubdata-dataset",
            "destination": "dag_run",
        },
    ]
    global_operator_extra_links: list[Any] = [DatasetPageLink()]  # noqa: RUF012
