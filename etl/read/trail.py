"""Every read a caller makes leaves a row in the access log, or it is refused.

The read paths (:func:`etl.read.read`, ``pubdata sql``, the integrated repositories' look-ups,
``pubdata trace``) call :func:`record_read` once the rows are in hand and before they are
returned: a read the log cannot record is not returned (a reader whose process may not append to
``_meta.access_log`` reads nothing). The event names tables and columns and counts rows and
token look-ups; never a value, never a query's text (:mod:`etl.audit.event`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from etl.access import Principal
from etl.audit import AccessEvent, Action, record_access
from etl.audit.event import local_origin
from etl.errors import PolicyError, PubdataError
from etl.read.access import caller
from etl.settings import Settings

#: A token as the protection writes it (``<key id>:<32 base32 characters>``) inside a quoted
#: SQL literal: a query naming one looks up a single token.
_TOKEN_LITERAL = re.compile(r"'[A-Za-z0-9_.-]{1,64}:[a-z2-7]{32}'")


class AccessNotRecorded(PolicyError):
    """The access log could not record a read, so the read was not returned."""


def token_literals(sql: str) -> int:
    """How many token literals a query names (each a look-up of one token); never which."""
    return len(_TOKEN_LITERAL.findall(sql))


def record_read(
    settings: Settings,
    action: Action,
    tables: Iterable[str],
    *,
    columns: Iterable[str] = (),
    rows: int | None = None,
    token_lookups: int = 0,
    principal: Principal | None = None,
    origin: str | None = None,
) -> None:
    """Append one read to the access log (``_meta.access_log``).

    Args:
        settings: the lake (its ``_meta``), the caller's purpose (``PUBDATA_PURPOSE``).
        action: how the lake was read.
        tables: the tables read, by their ``pubdata sql`` names.
        columns: the columns returned.
        rows: rows returned (None: not known).
        token_lookups: look-ups of a single token the read made.
        principal: who read, when already known (a UI request's); default: this process's.
        origin: where from (default ``<host>:<pid>``; a request's client address).

    Raises:
        AccessNotRecorded: the log could not be appended to (the read must not be returned).
        AuditLogBroken: the log's chain is broken; nothing is appended to it.
    """
    who = caller(settings, principal)
    event = AccessEvent(
        principal=who.name,
        action=action,
        tables=tuple(dict.fromkeys(tables)),
        columns=tuple(dict.fromkeys(columns)),
        rows=rows,
        purpose=settings.purpose,
        origin=origin or local_origin(),
        token_lookups=token_lookups,
    )
    try:
        record_access(settings, event)
    except PubdataError:
        raise
    except Exception as exc:  # a store or folder this process may not write: fail closed
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        raise AccessNotRecorded(
            f"the access log could not record {who.name}'s read of "
            f"{', '.join(event.tables) or 'the lake'} ({reason}); the read is not returned"
        ) from None
