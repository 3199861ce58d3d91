"""The access file's records: named principals and the grants that say what each may read.

A grant names a principal (a named principal, or an OS user as ``os:<login>``), the zones it
opens, optionally the domains and datasets it is limited to, and the day it ends. Everything
not granted is refused; there is no grant without an expiry.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field, field_validator

from etl.registry.closed import Closed
from etl.zones import Zone

#: How an OS user is named in a grant (``os:alice``): no secret, the OS vouches for the login.
OS_PREFIX = "os:"
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,62}$")
_OS_NAME = re.compile(r"^os:[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$")


class NamedPrincipal(Closed):
    """A principal that proves itself with a secret (a BI service account, an analyst).

    Attributes:
        name: lower-case letters, digits, ``_ . -``; what grants and the audit call it.
        secret_hash: :func:`etl.access.secrets.hash_secret` of its secret (never the secret).
        description: who holds it, for the people reviewing the file.
    """

    name: str
    secret_hash: str = Field(min_length=20)
    description: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                "a principal's name is 2-63 lower-case letters, digits, '_', '.' or '-', "
                "starting with a letter"
            )
        return value


class Grant(Closed):
    """What one principal may read, until when.

    Attributes:
        principal: a named principal's name, or ``os:<login>`` for an OS user.
        zones: the zones it opens (a quarantine table needs ``restricted``).
        domains: only datasets of these domains, and these integrated repositories; empty:
            every domain.
        datasets: only these datasets (within ``domains`` when both are given); empty: every
            dataset of the domains. A grant naming datasets does not open the integrated
            repositories.
        expires: the last day the grant holds (inclusive).
        purpose: why it was granted; shown by the audit.
        document: the approval's document number (文号), when there is one.
    """

    principal: str
    zones: tuple[Zone, ...] = Field(min_length=1)
    domains: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    expires: date
    purpose: str | None = None
    document: str | None = None

    @field_validator("principal")
    @classmethod
    def _principal(cls, value: str) -> str:
        if not (_NAME.match(value) or _OS_NAME.match(value)):
            raise ValueError("a grant's principal is a named principal or os:<login>")
        return value

    def active(self, today: date) -> bool:
        """Whether the grant still holds on ``today``."""
        return today <= self.expires
