"""What every route depends on: the logged-in user and this deployment's settings and registry.

:class:`etl.ui.login.RequireLogin` checks the login before any route is chosen; the routers
made by :func:`guarded_router` also depend on :func:`current_user`, so a route that somehow ran
without that check fails (500) rather than serving an anonymous request.

What the user may read is decided in one place, :class:`Deployment`: its lists hold only what
the app's :class:`etl.ui.authz.Authorizer` lets the user see, and asking it for one dataset or
repository the user may not see raises :class:`Forbidden` (a 403), so a route cannot forget.
Each page or JSON answer about one dataset or repository is a read the access log records
(:func:`etl.read.trail.record_read`: the Airflow user, the tables it is about, the client).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request

from etl.access import Principal
from etl.audit import Action
from etl.integrate import Domain, load_domains
from etl.lake.layout import published_zones
from etl.products import Product, load_products
from etl.read.trail import record_read
from etl.registry import Dataset, Registry, load_registry
from etl.settings import Settings
from etl.ui.authz import Authorizer, AuthorizerFor
from etl.ui.login import USER_KEY, UiUser
from etl.zones import Zone

SettingsFactory = Callable[[], Settings]


class NotFound(Exception):
    """No such dataset, repository, product or page."""


class Forbidden(Exception):
    """The user may not see this dataset or repository (the message names both, nothing else)."""


@dataclass(frozen=True)
class UiConfig:
    """What :func:`etl.ui.create_app` was given, kept on ``app.state.pubdata``.

    Attributes:
        settings_factory: settings for each request (the environment may change between
            deployments, not between requests; reading it per request keeps tests simple).
        airflow_root: the Airflow UI's root path without a trailing slash.
        authorizer: what a user may see, for a request's settings.
    """

    settings_factory: SettingsFactory
    airflow_root: str
    authorizer: AuthorizerFor


def ui_config(request: Request) -> UiConfig:
    """The app's :class:`UiConfig`."""
    return cast(UiConfig, request.app.state.pubdata)


def login(request: Request) -> UiUser:
    """The user :class:`RequireLogin` authenticated (a KeyError, so a 500, if it did not run)."""
    return cast(UiUser, request.scope[USER_KEY])


def current_user(request: Request) -> str:
    """The name of the user :class:`RequireLogin` authenticated."""
    return login(request).get_name()


User = Annotated[str, Depends(current_user)]


def guarded_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose every route requires the logged-in user."""
    return APIRouter(dependencies=[Depends(current_user)], **options)


@dataclass(frozen=True)
class Deployment:
    """This request's settings, the registry they point at, and what the user may see.

    Attributes:
        settings: this request's settings.
        registry: the whole registry (a repository's page names its contributors from it).
        user: the logged-in user.
        authorizer: what ``user`` may see.
        action: ``api`` for the JSON routes, else ``ui`` (how the access log names the read).
        origin: the client's address.
    """

    settings: Settings
    registry: Registry
    user: UiUser
    authorizer: Authorizer
    action: Action = Action.UI
    origin: str = "unknown client"

    def _logged(self, tables: list[str]) -> None:
        """Record that the user read a page or answer about ``tables`` (no values are shown)."""
        reader = Principal(f"airflow:{self.user.get_name()}", "named")
        record_read(self.settings, self.action, tables, principal=reader, origin=self.origin)

    def dataset(self, dataset_id: str) -> Dataset:
        """The registered dataset, else :class:`NotFound` (a 404) or :class:`Forbidden` (403)."""
        found = self.registry.datasets.get(dataset_id)
        if found is None:
            raise NotFound(f"no dataset {dataset_id!r} in the registry")
        if not self.authorizer.can_read_dataset(self.user, found):
            raise Forbidden(f"user {self.user.get_name()!r} may not read dataset {dataset_id!r}")
        self._logged([f"{zone}.{found.domain}.{found.id}" for zone in published_zones(found)])
        return found

    def datasets(self) -> list[Dataset]:
        """Every registered dataset the user may see, by department then id."""
        return sorted(self.visible.datasets.values(), key=lambda d: (d.department, d.id))

    @property
    def visible(self) -> Registry:
        """The registry cut down to the datasets the user may see (for lists and indexes)."""
        readable = {
            key: ds
            for key, ds in self.registry.datasets.items()
            if self.authorizer.can_read_dataset(self.user, ds)
        }
        return replace(self.registry, datasets=readable)

    def chosen(self, dataset_id: str | None) -> list[Dataset]:
        """One dataset when an id is given, else all of them."""
        return [self.dataset(dataset_id)] if dataset_id else self.datasets()

    def domains(self) -> list[Domain]:
        """Every valid integrated repository (domain file) the user may see, by id."""
        found = load_domains(self.registry).domains
        return [
            found[d]
            for d in sorted(found)
            if self.authorizer.can_read_repository(self.user, found[d])
        ]

    def domain(self, domain_id: str) -> Domain:
        """The repository ``domain_id``; else :class:`NotFound` (404) or :class:`Forbidden`."""
        found = load_domains(self.registry).domains.get(domain_id)
        if found is None:
            raise NotFound(f"no integrated repository {domain_id!r} in the registry")
        if not self.authorizer.can_read_repository(self.user, found):
            raise Forbidden(f"user {self.user.get_name()!r} may not read repository {domain_id!r}")
        self._logged([f"{Zone.SHARED}.integrated.{found.id}_records"])
        return found

    def _may_read(self, product: Product) -> bool:
        """Whether the user may see every source of ``product`` (its page shows no values)."""
        domains = load_domains(self.registry).domains
        for source in product.sources:
            if source.dataset is not None:
                dataset = self.registry.datasets.get(source.dataset)
                if dataset is None or not self.authorizer.can_read_dataset(self.user, dataset):
                    return False
            else:
                domain = domains.get(str(source.repository))
                if domain is None or not self.authorizer.can_read_repository(self.user, domain):
                    return False
        return True

    def products(self) -> list[Product]:
        """Every valid product (product file) whose sources the user may all see, by id."""
        found = load_products(self.registry, load_domains(self.registry)).products
        return [found[p] for p in sorted(found) if self._may_read(found[p])]

    def product(self, product_id: str) -> Product:
        """The product ``product_id``; else :class:`NotFound` (404) or :class:`Forbidden`."""
        found = load_products(self.registry, load_domains(self.registry)).products.get(product_id)
        if found is None:
            raise NotFound(f"no product {product_id!r} in the registry")
        if not self._may_read(found):
            raise Forbidden(f"user {self.user.get_name()!r} may not read product {product_id!r}")
        return found


def deployment(request: Request) -> Deployment:
    """Read the settings, load the registry and build the authorizer for this request."""
    config = ui_config(request)
    settings = config.settings_factory()
    api = request.url.path.startswith(f"{request.scope.get('root_path', '')}/api/")
    client = request.client.host if request.client is not None else "unknown client"
    return Deployment(
        settings,
        load_registry(settings.registry),
        login(request),
        config.authorizer(settings),
        Action.API if api else Action.UI,
        client,
    )


Loaded = Annotated[Deployment, Depends(deployment)]
