"""Who is calling: the pipeline's own user, a named principal, or another OS user.

The pipeline's OS user owns ``PUBDATA_HOME`` (it created the lake, the keys and the access
file) and reads everything. A named principal (``PUBDATA_PRINCIPAL``) proves itself with its
secret (``PUBDATA_PRINCIPAL_SECRET``, or ``PUBDATA_CREDENTIALS``: a file holding
``<name>:<secret>``), so one OS account can act as a less-privileged principal, and a service
(a BI tool, a product's consumer) never runs as the pipeline. Any other OS user is
``os:<login>`` and holds only what the access file grants that name.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

from etl.access.config import AccessConfig, load_access
from etl.access.model import OS_PREFIX, Grant
from etl.access.secrets import verify_secret
from etl.errors import PolicyError
from etl.registry.loader import product_files, validate_file
from etl.registry.product import Product
from etl.settings import Settings

#: The kind of the pipeline's own OS user.
PrincipalKind = Literal["pipeline", "named", "os"]
PIPELINE: PrincipalKind = "pipeline"


@dataclass(frozen=True)
class Principal:
    """One caller and its grants.

    Attributes:
        name: what the audit and messages call it: a named principal's name, ``os:<login>``,
            or ``pipeline:<login>`` for the pipeline's own user.
        kind: ``pipeline``, ``named`` or ``os``.
        grants: every grant the access file gives it (expired ones too: a refusal says so).
    """

    name: str
    kind: PrincipalKind
    grants: tuple[Grant, ...] = ()

    @property
    def is_pipeline(self) -> bool:
        """Whether this is the pipeline's own user (reads everything)."""
        return self.kind == PIPELINE

    def active_grants(self, today: date) -> tuple[Grant, ...]:
        """The grants that still hold on ``today``."""
        return tuple(g for g in self.grants if g.active(today))


def pipeline_uid(settings: Settings) -> int:
    """The uid of the pipeline's OS user: the owner of ``PUBDATA_HOME`` (else: this process).

    A home that does not exist yet will be created by whoever runs first, so that caller is
    the pipeline.
    """
    try:
        return settings.home.stat().st_uid
    except FileNotFoundError:
        return os.geteuid()


def access_in_force(settings: Settings) -> AccessConfig:
    """The access file as it applies: checked (owner-only), its product grants capped.

    A grant made under a data product's authorisation (its ``document`` is the product's
    文号) ends when the product ends, whatever the grant's own ``expires`` says: an expired
    product's consumer reads nothing more. Every reader of the grants (this module, the UI, the
    SQL endpoint's roles) takes them from here.

    Raises:
        PolicyError: an access file others own or could write.
        ConfigError: an invalid access file.
    """
    config = load_access(settings.access_file, owner=pipeline_uid(settings))
    ends = product_ends(settings.registry)
    if not ends or not config.grants:
        return config
    capped = tuple(
        g.model_copy(update={"expires": min(g.expires, ends[g.document])})
        if g.document in ends
        else g
        for g in config.grants
    )
    return config.model_copy(update={"grants": capped})


def product_ends(registry: Path) -> dict[str, date]:
    """Each data product's authorisation document (文号) → the last day of its product.

    A product file with problems is left out (``pubdata registry check`` reports it); two
    products under one document end with the later one.
    """
    ends: dict[str, date] = {}
    for path in product_files(registry):
        product, _, problems = validate_file(path, Product)
        if isinstance(product, Product) and not problems:
            document = product.authorisation.document
            ends[document] = max(ends.get(document, product.expires), product.expires)
    return ends


def current_principal(settings: Settings, uid: int | None = None) -> Principal:
    """The principal this process (or the OS user ``uid``, e.g. a UI request's) reads as.

    Raises:
        PolicyError: a named principal that is not in the access file or whose secret is
            missing or wrong (one message for both: a caller cannot probe for names), or an
            access file others could have written.
        ConfigError: an invalid access file.
    """
    owner = pipeline_uid(settings)
    config = access_in_force(settings)
    if settings.principal is not None:
        return _named(config, settings.principal, settings.principal_secret, settings.access_file)
    uid = os.geteuid() if uid is None else uid
    login = _login(uid)
    if uid == owner:
        return Principal(f"{PIPELINE}:{login}", PIPELINE)
    name = f"{OS_PREFIX}{login}"
    return Principal(name, "os", config.grants_of(name))


def _named(config: AccessConfig, name: str, secret: str | None, source: Path) -> Principal:
    entry = config.principal(name)
    if entry is None or secret is None or not _verified(secret, entry.secret_hash):
        raise PolicyError(
            f"principal {name!r}: unknown in {source} or wrong secret "
            "(PUBDATA_PRINCIPAL_SECRET or PUBDATA_CREDENTIALS)"
        )
    return Principal(name, "named", config.grants_of(name))


@lru_cache(maxsize=32)
def _verified(secret: str, stored: str) -> bool:
    # PBKDF2 costs ~0.3 s by design; one process checks the same secret once
    return verify_secret(secret, stored)


def _login(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a passwd entry (containers)
        return f"uid{uid}"
