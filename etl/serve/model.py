"""The serving layer's typed records: what is served, what a refresh did, who read what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from etl.access.decide import TableScope
from etl.serve.names import store_table
from etl.zones import Zone


@dataclass(frozen=True)
class ServedTable:
    """One lake table as the SQL endpoint serves it: a view ``schema.name``.

    Attributes:
        schema: ``<zone>_<domain>`` (:func:`etl.serve.names.served_schema`).
        name: the dataset id, or the integrated repository's id.
        zone: the lake zone it comes from.
        domain: the dataset's domain, or the repository's id (what grants name).
        dataset: the dataset id; None for an integrated repository.
        uri: the Delta table it is copied from.
        title: the dataset's (or repository's) title.
        department: the source department, ``title (id)``; None for a repository.
    """

    schema: str
    name: str
    zone: Zone
    domain: str
    dataset: str | None
    uri: str
    title: str
    department: str | None = None

    @property
    def qualified(self) -> str:
        """``schema.name``, what BI users type and the audit records."""
        return f"{self.schema}.{self.name}"

    @property
    def base(self) -> str:
        """The base table in :data:`etl.serve.names.STORE_SCHEMA` holding its rows."""
        return store_table(self.schema, self.name)

    def scope(self) -> TableScope:
        """What grants are matched against (:func:`etl.access.decide.covers`)."""
        return TableScope(self.qualified, self.zone, self.domain, self.dataset)


RefreshState = Literal["refreshed", "unchanged", "missing", "withdrawn"]


@dataclass(frozen=True)
class TableRefresh:
    """What one refresh did to one served table.

    Attributes:
        table: ``schema.name``.
        state: ``refreshed`` (swapped in), ``unchanged`` (the lake version was served
            already), ``missing`` (no such table in the lake yet), ``withdrawn`` (served
            before, no longer: a dataset now IMP, deregistered, or restricted serving off).
        rows: rows served after the refresh (None when missing).
        lake_version: the Delta version served (None when missing).
        seconds: time the load and swap took.
    """

    table: str
    state: RefreshState
    rows: int | None = None
    lake_version: int | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class TableStatus:
    """One served table as the database holds it (``pubdata serve status``).

    Attributes:
        table: ``schema.name``.
        zone: its zone.
        dataset: the dataset id (None: an integrated repository).
        rows: rows served.
        lake_version: the Delta version served.
        refreshed_at: when it was swapped in.
        readers: the roles granted SELECT on it.
    """

    table: str
    zone: str
    dataset: str | None
    rows: int
    lake_version: int
    refreshed_at: datetime
    readers: tuple[str, ...]


@dataclass(frozen=True)
class RoleGrant:
    """What a role sync left one principal's role with.

    Attributes:
        principal: the principal (a named principal or ``os:<login>``).
        role: its PostgreSQL role.
        login: whether it may log in (a named principal with an active grant).
        tables: the views it may select from (``schema.name``), sorted; empty: revoked.
    """

    principal: str
    role: str
    login: bool
    tables: tuple[str, ...]


@dataclass(frozen=True)
class ServedRead:
    """One statement that read a served view, as the database recorded it (no values).

    Attributes:
        id: the row's id in ``pubdata_audit.reads`` (increasing; :func:`acknowledge_reads`).
        principal: the principal of the role (``postgres:<role>`` for a role no grant made,
            e.g. an administrator).
        role: the PostgreSQL login that ran the statement.
        at: when the statement started reading.
        table: ``schema.name`` of the view.
        client: the client's address (None over a Unix socket).
    """

    id: int
    principal: str
    role: str
    at: datetime
    table: str
    client: str | None
