"""Who may see which dataset's and repository's pages: the authorizer the app asks.

The login (:mod:`etl.ui.login`) says who the user is; an :class:`Authorizer` says what they may
read. The app never decides that itself: the Airflow plugin supplies the auth manager in use
(per DAG: a dataset's pages follow its ``ingest__`` DAG, a repository's its ``integrate__``
DAG), and may add :class:`GrantAuthorizer`, which reads the access file (:mod:`etl.access`),
for deployments whose auth manager has no per-DAG rules (Airflow's simple auth manager decides
by role only). :class:`AllOf` requires every one to agree.

The pages show names, counts, grades and reason codes, never a data value, so one permission
covers a dataset's pages whatever zone their counts come from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from etl.access.config import AccessConfig
from etl.access.decide import TableScope, covers
from etl.access.model import Grant
from etl.access.principal import access_in_force
from etl.integrate import Domain
from etl.registry import Dataset
from etl.settings import Settings
from etl.ui.login import UiUser


class Authorizer(Protocol):
    """Decides what a logged-in user may read in the pages and their JSON."""

    def can_read_dataset(self, user: UiUser, dataset: Dataset) -> bool:
        """Whether ``user`` may see ``dataset``'s pages (catalog row, page, Data Docs, holds)."""
        ...

    def can_read_repository(self, user: UiUser, domain: Domain) -> bool:
        """Whether ``user`` may see the integrated repository ``domain``'s pages."""
        ...


#: The authorizer for one request's settings (the access file is where the settings say).
AuthorizerFor = Callable[[Settings], Authorizer]


@dataclass(frozen=True)
class AllOf:
    """Allows what every one of ``parts`` allows (none: nothing)."""

    parts: tuple[Authorizer, ...]

    def can_read_dataset(self, user: UiUser, dataset: Dataset) -> bool:
        """Whether every part lets ``user`` see ``dataset``."""
        return bool(self.parts) and all(p.can_read_dataset(user, dataset) for p in self.parts)

    def can_read_repository(self, user: UiUser, domain: Domain) -> bool:
        """Whether every part lets ``user`` see ``domain``."""
        return bool(self.parts) and all(p.can_read_repository(user, domain) for p in self.parts)


@dataclass(frozen=True)
class GrantAuthorizer:
    """The access file's grants, for the Airflow user of the same name as the principal.

    The Airflow login vouches for the user, as the secret does for a named principal, so the
    Airflow user ``alice`` holds the grants naming ``alice``. A grant opens a dataset's pages
    when it covers the dataset in any of its zones (the pages show no values); an expired
    grant opens nothing, and a grant naming datasets opens no repository (as for reads).

    Attributes:
        config: the access file's principals and grants.
        today: the day grants are checked against.
    """

    config: AccessConfig
    today: date

    @classmethod
    def from_settings(cls, settings: Settings, today: date | None = None) -> GrantAuthorizer:
        """The grants of ``settings``' access file (checked as every reader checks it).

        Raises:
            PolicyError: an access file others own or could write.
            ConfigError: an invalid access file.
        """
        return cls(access_in_force(settings), today or date.today())

    def _grants(self, user: UiUser) -> list[Grant]:
        return [g for g in self.config.grants_of(user.get_name()) if g.active(self.today)]

    def can_read_dataset(self, user: UiUser, dataset: Dataset) -> bool:
        """Whether an active grant of ``user`` covers ``dataset`` in some zone."""
        return any(
            covers(g, TableScope(dataset.id, zone, dataset.domain, dataset.id))
            for g in self._grants(user)
            for zone in g.zones
        )

    def can_read_repository(self, user: UiUser, domain: Domain) -> bool:
        """Whether an active grant of ``user`` covers the repository ``domain`` in some zone."""
        return any(
            covers(g, TableScope(domain.id, zone, domain.id, None))
            for g in self._grants(user)
            for zone in g.zones
        )
