"""Which principals may read a served table: the access file's active grants, nothing else.

The match is :func:`etl.access.decide.covers`, the same rule ``etl.read`` and the CLI apply, so
the database refuses exactly what the library refuses.
"""

from __future__ import annotations

from datetime import date

from etl.access import AccessConfig, load_access
from etl.access.decide import TableScope, covers
from etl.access.principal import pipeline_uid
from etl.settings import Settings


def access_config(settings: Settings) -> AccessConfig:
    """The access file, checked as every reader checks it (owner-only, the pipeline's user)."""
    return load_access(settings.access_file, owner=pipeline_uid(settings))


def readers(config: AccessConfig, scope: TableScope, day: date) -> set[str]:
    """The principals with an active grant covering the table ``scope`` on ``day``."""
    return {g.principal for g in config.grants if g.active(day) and covers(g, scope)}
