"""The access decision: may this principal read this table, and if not, why not.

A table is read only when the caller's clearance request (``PUBDATA_CLEARANCE``) covers its
zone and, unless the caller is the pipeline's own user, an active grant covers the zone, the
domain and the dataset. A refusal names the principal and the table, never a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etl.access.model import Grant
from etl.access.principal import Principal
from etl.errors import PolicyError
from etl.zones import TableZone, Zone, storage_zone


class AccessDenied(PolicyError):
    """A principal asked for a table no active grant of theirs covers."""


@dataclass(frozen=True)
class TableScope:
    """What a grant is matched against: one table.

    Attributes:
        name: the table's name in messages and the audit (its ``pubdata sql`` name).
        zone: its zone (a quarantine table is read as restricted).
        domain: the dataset's domain, or the integrated repository's id.
        dataset: the dataset id; None for an integrated repository's table.
    """

    name: str
    zone: TableZone
    domain: str
    dataset: str | None


def covers(grant: Grant, scope: TableScope) -> bool:
    """Whether ``grant`` opens ``scope`` (expiry aside)."""
    if storage_zone(scope.zone) not in grant.zones:
        return False
    if grant.domains and scope.domain not in grant.domains:
        return False
    if grant.datasets:
        return scope.dataset is not None and scope.dataset in grant.datasets
    return True


def refusal(principal: Principal, scope: TableScope, clearance: Zone, today: date) -> str | None:
    """Why ``principal`` may not read ``scope`` (None: it may).

    Args:
        principal: the caller.
        scope: the table.
        clearance: the most the caller asked for (``PUBDATA_CLEARANCE``): it can only narrow.
        today: the day grants are checked against.
    """
    zone = storage_zone(scope.zone)
    if not clearance.covers(zone):
        return (
            f"reading {scope.name} needs clearance {zone}; this caller asked for {clearance} "
            "(PUBDATA_CLEARANCE)"
        )
    if principal.is_pipeline:
        return None
    matching = [g for g in principal.grants if covers(g, scope)]
    if any(g.active(today) for g in matching):
        return None
    if matching:
        last = max(g.expires for g in matching)
        return f"principal {principal.name}'s grant for {scope.name} expired on {last}"
    return f"principal {principal.name} has no grant for {scope.name}"


def authorize(principal: Principal, scope: TableScope, clearance: Zone, today: date) -> None:
    """Return if ``principal`` may read ``scope``.

    Raises:
        AccessDenied: it may not (the message says why).
    """
    reason = refusal(principal, scope, clearance, today)
    if reason is not None:
        raise AccessDenied(reason)


def may_read_meta(principal: Principal, today: date) -> bool:
    """Whether the ``_meta`` tables (counts, names, grades; no values) are open to the caller.

    Any principal with an active grant may read them; a caller without one reads nothing.
    """
    return principal.is_pipeline or bool(principal.active_grants(today))
