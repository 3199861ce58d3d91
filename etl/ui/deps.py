"""What every route depends on: the logged-in user and this deployment's settings and registry.

:class:`etl.ui.login.RequireLogin` checks the login before any route is chosen; the routers
made by :func:`guarded_router` also depend on :func:`current_user`, so a route that somehow ran
without that check fails (500) rather than serving an anonymous request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, Request

from etl.integrate import Domain, load_domains
from etl.products import Product, ProductRegistry, load_products
from etl.registry import Dataset, Registry, load_registry
from etl.settings import Settings
from etl.ui.login import USER_KEY

SettingsFactory = Callable[[], Settings]


class NotFound(Exception):
    """No such dataset, repository, product or page."""


@dataclass(frozen=True)
class UiConfig:
    """What :func:`etl.ui.create_app` was given, kept on ``app.state.pubdata``.

    Attributes:
        settings_factory: settings for each request (the environment may change between
            deployments, not between requests; reading it per request keeps tests simple).
        airflow_root: the Airflow UI's root path without a trailing slash.
    """

    settings_factory: SettingsFactory
    airflow_root: str


def ui_config(request: Request) -> UiConfig:
    """The app's :class:`UiConfig`."""
    return cast(UiConfig, request.app.state.pubdata)


def current_user(request: Request) -> str:
    """The name :class:`RequireLogin` authenticated (a KeyError, so a 500, if it did not run)."""
    return str(request.scope[USER_KEY])


User = Annotated[str, Depends(current_user)]


def guarded_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose every route requires the logged-in user."""
    return APIRouter(dependencies=[Depends(current_user)], **options)


@dataclass(frozen=True)
class Deployment:
    """This request's settings and the registry they point at."""

    settings: Settings
    registry: Registry

    def dataset(self, dataset_id: str) -> Dataset:
        """The registered dataset, else :class:`NotFound` (a 404)."""
        found = self.registry.datasets.get(dataset_id)
        if found is None:
            raise NotFound(f"no dataset {dataset_id!r} in the registry")
        return found

    def datasets(self) -> list[Dataset]:
        """Every registered dataset, by department then id."""
        return sorted(self.registry.datasets.values(), key=lambda d: (d.department, d.id))

    def chosen(self, dataset_id: str | None) -> list[Dataset]:
        """One dataset when an id is given, else all of them."""
        return [self.dataset(dataset_id)] if dataset_id else self.datasets()

    def domains(self) -> list[Domain]:
        """Every valid integrated repository (domain file) of the registry, by id."""
        found = load_domains(self.registry).domains
        return [found[d] for d in sorted(found)]

    def domain(self, domain_id: str) -> Domain:
        """The integrated repository ``domain_id``, else :class:`NotFound` (a 404)."""
        for found in self.domains():
            if found.id == domain_id:
                return found
        raise NotFound(f"no integrated repository {domain_id!r} in the registry")

    def products(self) -> ProductRegistry:
        """The registry's valid authorised data products (product files)."""
        return load_products(self.registry, load_domains(self.registry))

    def product(self, product_id: str) -> Product:
        """The product ``product_id``, else :class:`NotFound` (a 404)."""
        found = self.products().products.get(product_id)
        if found is None:
            raise NotFound(f"no product {product_id!r} in the registry")
        return found


def deployment(request: Request) -> Deployment:
    """Read the settings and load the registry for this request."""
    settings = ui_config(request).settings_factory()
    return Deployment(settings, load_registry(settings.registry))


Loaded = Annotated[Deployment, Depends(deployment)]
