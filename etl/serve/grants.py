"""Which principals may read a served table: the access file's active grants, nothing else.

The match is :func:`etl.access.decide.covers`, the same rule ``etl.read`` and the CLI apply, so
the database refuses exactly what the library refuses.
"""

from __future__ import annotations

from datetime import date

from etl.access import AccessConfig
from etl.access.decide import TableScope, covers
from etl.access.principal import access_in_force
from etl.settings import Settings


def access_config(settings: Settings) -> AccessConfig:
    """The grants in force, as every reader takes them (:func:`etl.access.access_in_force`)."""
    return access_in_force(settings)


def readers(config: AccessConfig, scope: TableScope, day: date) -> set[str]:
    """The principals with an active grant covering the table ``scope`` on ``day``."""
    return {g.principal for g in config.grants if g.active(day) and covers(g, scope)}
