"""One read of the lake, as the audit records it: who, when, what, how much, why, from where.

An :class:`AccessEvent` names tables and columns and counts rows; it never holds a data value
nor a query's text (a SQL query may carry an ID number as a literal): whoever records a read
passes what the query touched, not what it said.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    """How the lake was read."""

    READ = "read"  # etl.read (the Python reader API)
    SQL = "sql"  # pubdata sql
    ENTITY = "entity"  # pubdata entity: one integrated record looked up
    TRACE = "trace"  # pubdata trace: one row's lineage looked up
    EXPORT = "export"  # a CLI export (quarantine rows, inventory)
    UI = "ui"  # an Airflow UI page of the project's plugin
    API = "api"  # the plugin's JSON API
    SERVE = "serve"  # the PostgreSQL serving endpoint
    RELEASE = "release"  # a data product's release to its consumer
    REFUSED = "refused"  # an attempt the grants refused: the tables asked for, nothing returned


def local_origin() -> str:
    """Where a read in this process comes from: ``<host>:<pid>``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AccessEvent:
    """One read, without any value read.

    Attributes:
        principal: who read (:attr:`etl.access.Principal.name`: ``pipeline:<login>``,
            ``os:<login>`` or a named principal).
        action: how (:class:`Action`).
        tables: the tables read, by their ``pubdata sql`` names
            (``shared.population.household_register``, ``_meta.lineage_runs``).
        columns: the columns read (names only; for a query, the columns it touched).
        rows: rows returned to the reader (None: not known, e.g. a streamed export).
        purpose: why, when the reader said (``PUBDATA_PURPOSE`` or ``--purpose``).
        origin: where from: ``<host>:<pid>`` of a local process, the client address of a UI,
            API or SQL-endpoint request.
        token_lookups: look-ups of one token each (an entity or trace by its token, a query
            filtering a token column by equality); the repeated look-up rule counts them.
        at: when (UTC; default: now).
    """

    principal: str
    action: Action
    tables: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    rows: int | None = None
    purpose: str | None = None
    origin: str = field(default_factory=local_origin)
    token_lookups: int = 0
    at: datetime = field(default_factory=_now)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("an access event's time must be timezone-aware (UTC)")
        object.__setattr__(self, "at", self.at.astimezone(UTC))
        object.__setattr__(self, "action", Action(self.action))
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "columns", tuple(self.columns))
        if self.rows is not None and self.rows < 0:
            raise ValueError("rows returned cannot be negative")
        if self.token_lookups < 0:
            raise ValueError("token look-ups cannot be negative")

    def fields(self) -> dict[str, Any]:
        """Its fields by name: the access log's columns, the JSON report's keys."""
        return {
            "at": self.at,
            "principal": self.principal,
            "action": str(self.action),
            "tables": list(self.tables),
            "columns": list(self.columns),
            "rows": self.rows,
            "purpose": self.purpose,
            "origin": self.origin,
            "token_lookups": self.token_lookups,
        }
