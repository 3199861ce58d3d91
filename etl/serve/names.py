"""What the serving database calls things: schemas, tables, roles. Nothing else builds a name.

BI users see one schema per zone and domain (``shared_population``, ``open_transport``,
``restricted_health``; integrated repositories under ``shared_integrated``), one view per
dataset named after it. The rows live in base tables of :data:`STORE_SCHEMA`, which no role
may read; the views read them for the role and record each read (:mod:`etl.serve.database`).
"""

from __future__ import annotations

import hashlib
from typing import Final

from etl.access.model import OS_PREFIX
from etl.errors import ConfigError
from etl.zones import Zone

#: The base tables (one per served view) and the bookkeeping tables; no role has any privilege.
STORE_SCHEMA: Final = "pubdata_store"
#: The read capture: ``reads`` and the function the views call; roles may only execute it.
AUDIT_SCHEMA: Final = "pubdata_audit"
#: The schema suffix of the integrated repositories' shared records (``shared_integrated``).
INTEGRATED_DOMAIN: Final = "integrated"
#: Every role the sync manages starts with this.
ROLE_PREFIX: Final = "pubdata_"
#: PostgreSQL truncates identifiers longer than this (NAMEDATALEN - 1).
MAX_IDENTIFIER: Final = 63


def served_schema(zone: Zone, domain: str) -> str:
    """The schema of a zone's tables of one domain: ``<zone>_<domain>``.

    Raises:
        ConfigError: the name is longer than PostgreSQL keeps.
    """
    name = f"{zone}_{domain}"
    if len(name) > MAX_IDENTIFIER:
        raise ConfigError(
            f"domain {domain}: schema name {name} is longer than {MAX_IDENTIFIER} characters"
        )
    return name


def store_table(schema: str, table: str) -> str:
    """The base table of the view ``schema.table`` (hashed when it would be too long)."""
    name = f"{schema}__{table}"
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{name[: MAX_IDENTIFIER - 17]}_{digest}"


def loading_table(base: str) -> str:
    """The table a refresh loads into before it takes ``base``'s place."""
    return f"{base[: MAX_IDENTIFIER - 5]}__new"


def role_name(principal: str) -> str:
    """The PostgreSQL role of a principal: ``pubdata_<name>`` (``os:alice`` → ``pubdata_os_alice``).

    Raises:
        ConfigError: the name is longer than PostgreSQL keeps.
    """
    plain = f"os_{principal[len(OS_PREFIX) :]}" if principal.startswith(OS_PREFIX) else principal
    name = f"{ROLE_PREFIX}{plain}"
    if len(name) > MAX_IDENTIFIER:
        raise ConfigError(
            f"principal {principal}: role name {name} is longer than {MAX_IDENTIFIER} characters"
        )
    return name
