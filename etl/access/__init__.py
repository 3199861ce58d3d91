"""Who is reading, and what they were granted: principals, grants and the access decision.

The zone a caller may read is not the caller's choice. A caller is a :class:`Principal`
(:func:`current_principal`): the pipeline's own OS user (the owner of ``PUBDATA_HOME``), a named
principal proving itself with a secret, or another OS user. Each holds the grants the access file
(``PUBDATA_ACCESS``, :mod:`etl.access.config`) gives it; :func:`authorize` refuses a table no
grant covers. ``PUBDATA_CLEARANCE`` only asks for less than the grants allow.
"""

from etl.access.config import AccessConfig, load_access
from etl.access.decide import AccessDenied, TableScope, authorize, refusal
from etl.access.model import Grant, NamedPrincipal
from etl.access.principal import PIPELINE, Principal, access_in_force, current_principal
from etl.access.secrets import hash_secret, verify_secret

__all__ = [
    "PIPELINE",
    "AccessConfig",
    "AccessDenied",
    "Grant",
    "NamedPrincipal",
    "Principal",
    "TableScope",
    "access_in_force",
    "authorize",
    "current_principal",
    "hash_secret",
    "load_access",
    "refusal",
    "verify_secret",
]
