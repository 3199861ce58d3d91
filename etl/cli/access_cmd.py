"""``pubdata access``: who am I, what is granted to whom, and the access file's upkeep.

The access file (``PUBDATA_ACCESS``, default ``$PUBDATA_HOME/access.yaml``) names the
principals and their grants (:mod:`etl.access.config`); every read of a zone table is decided
by them (:func:`etl.read.access.granted_tables`). ``whoami`` shows the caller's own grants;
``grants`` lists everyone's, for the pipeline's own user only; ``hash-secret`` makes the
``secret_hash`` of a named principal; ``check`` validates the file.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from typing import Any

from etl.access import AccessDenied, Grant, Principal, current_principal, hash_secret
from etl.access.config import AccessConfig, load_access
from etl.access.principal import pipeline_uid
from etl.cli.output import emit as _emit
from etl.cli.output import say as _say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.local_time import today
from etl.settings import Settings
from etl.zones import CLEARANCES, Zone

#: The shortest secret ``hash-secret`` accepts (a service account's secret is machine-made).
MIN_SECRET = 12


def effective_zones(principal: Principal, clearance: Zone, day: date) -> tuple[Zone, ...]:
    """The zones some table of which the caller may read today, its clearance request applied."""
    asked = CLEARANCES[: CLEARANCES.index(clearance) + 1]
    if principal.is_pipeline:
        return asked
    granted = {z for g in principal.active_grants(day) for z in g.zones}
    return tuple(z for z in asked if z in granted)


def _grant_row(grant: Grant, day: date) -> dict[str, Any]:
    return {
        "principal": grant.principal,
        "zones": list(grant.zones),
        "domains": list(grant.domains),
        "datasets": list(grant.datasets),
        "expires": grant.expires.isoformat(),
        "state": "active" if grant.active(day) else "expired",
        "purpose": grant.purpose,
        "document": grant.document,
    }


def _grant_table(rows: list[dict[str, Any]], with_principal: bool) -> str:
    headers = ["zones", "domains", "datasets", "expires", "state", "purpose", "document"]
    if with_principal:
        headers.insert(0, "principal")
    cells = [
        ([r["principal"]] if with_principal else [])
        + [
            ", ".join(r["zones"]),
            ", ".join(r["domains"]) or "(all)",
            ", ".join(r["datasets"]) or "(all)",
            r["expires"],
            r["state"],
            r["purpose"] or "",
            r["document"] or "",
        ]
        for r in rows
    ]
    return render(headers, cells)


def cmd_whoami(settings: Settings, args: argparse.Namespace) -> int:
    """The caller's principal, kind, active grants and the zones it may read."""
    me = current_principal(settings)
    day = today(settings.zone)
    zones = effective_zones(me, settings.clearance, day)
    grants = [_grant_row(g, day) for g in me.active_grants(day)]
    if args.json:
        _emit(
            {
                "principal": me.name,
                "kind": me.kind,
                "clearance_request": str(settings.clearance),
                "zones": [str(z) for z in zones],
                "grants": grants,
                "access_file": str(settings.access_file),
            }
        )
        return 0
    _say(f"principal  {me.name} ({me.kind})")
    _say(f"request    PUBDATA_CLEARANCE={settings.clearance}")
    if me.is_pipeline:
        _say(f"zones      {', '.join(zones)} (the pipeline's own user: every table of these zones)")
        return 0
    _say(f"zones      {', '.join(zones) or '(none: nothing is readable)'}")
    if grants:
        _say(_grant_table(grants, with_principal=False))
    else:
        _say(f"no active grant in {settings.access_file}")
    return 0


def cmd_grants(settings: Settings, args: argparse.Namespace) -> int:
    """Every grant of the access file with its state (the pipeline's own user only)."""
    me = current_principal(settings)
    if not me.is_pipeline:
        raise AccessDenied(
            f"principal {me.name} may not list the grants of {settings.access_file}; only the "
            "pipeline's own user may (pubdata access whoami shows your own)"
        )
    config = load_access(settings.access_file, owner=pipeline_uid(settings))
    day = today(settings.zone)
    chosen = [g for g in config.grants if args.principal in (None, g.principal)]
    if args.principal is not None and not chosen:
        known = config.principal(args.principal) is not None
        what = "has no grant" if known else "is neither a named principal nor granted anything"
        raise ConfigError(f"principal {args.principal} {what} in {settings.access_file}")
    rows = [_grant_row(g, day) for g in chosen]
    if args.json:
        _emit(rows)
        return 0
    if not rows:
        _say(f"no grants in {settings.access_file}: only the pipeline's own user reads the lake")
        return 0
    _say(_grant_table(rows, with_principal=True))
    return 0


def _read_secret() -> str:
    """The secret from a prompt without echo (a terminal), else stdin's first line."""
    if sys.stdin.isatty():
        first = getpass.getpass("secret: ")
        if getpass.getpass("again: ") != first:
            raise ConfigError("the two secrets differ; nothing was hashed")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_hash_secret(settings: Settings, args: argparse.Namespace) -> int:
    """Print the ``secret_hash`` of a secret read from stdin (never echoed, never logged)."""
    secret = _read_secret()
    if len(secret) < MIN_SECRET:
        raise ConfigError(f"a principal's secret has at least {MIN_SECRET} characters")
    _say(hash_secret(secret))
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    """Validate the access file: ownership, mode, every field (file, line and field named)."""
    path = settings.access_file
    if not path.exists():
        _say(f"{path}: absent; no grants, only the pipeline's own user reads the lake")
        return 0
    config = load_access(path, owner=pipeline_uid(settings))
    day = today(settings.zone)
    active = sum(g.active(day) for g in config.grants)
    _say(
        f"{path}: ok; {len(config.principals)} named principals, {len(config.grants)} grants "
        f"({active} active, {len(config.grants) - active} expired)"
    )
    idle = [p.name for p in config.principals if not config.grants_of(p.name)]
    if idle:
        _say(f"principals without a grant (they read nothing): {', '.join(idle)}")
    outliving = _outliving_products(settings, config)
    for line in outliving:
        sys.stderr.write(f"pubdata: {line}\n")
    return 1 if outliving else 0


def _outliving_products(settings: Settings, config: AccessConfig) -> list[str]:
    """Grants made under a product's authorisation that last longer than the product.

    A product's consumer reads under its authorisation only: when the product expires, the
    grants of its document (文号) must end with it.
    """
    from etl.integrate import load_domains
    from etl.products import load_products
    from etl.registry import load_registry

    registry = load_registry(settings.registry)
    products = load_products(registry, load_domains(registry)).products
    found = []
    for product in products.values():
        for grant in config.grants:
            if grant.document == product.authorisation.document and grant.expires > product.expires:
                found.append(
                    f"grant to {grant.principal} (document {grant.document}) lasts until "
                    f"{grant.expires}, after product {product.id} ends on {product.expires}: "
                    "end it with the product"
                )
    return found


def register(sub: Any) -> None:
    """Add ``pubdata access`` and its subcommands to the command parser."""
    cmd = sub.add_parser(
        "access",
        help="who you read as, the grants (授权) of the access file, and its upkeep",
        description=(
            "Every read of a zone table is decided by the access file (PUBDATA_ACCESS, default "
            "$PUBDATA_HOME/access.yaml): a principal reads only what an active grant covers. "
            "PUBDATA_CLEARANCE can only ask for less."
        ),
    )
    access = cmd.add_subparsers(dest="access_command", required=True)
    whoami = access.add_parser(
        "whoami",
        help="your principal, its kind, active grants and the zones you may read",
        description=(
            "The principal this process reads as: the pipeline's own user (owner of "
            "PUBDATA_HOME), a named principal (PUBDATA_PRINCIPAL with its secret), or os:<login>."
        ),
    )
    whoami.add_argument("--json", action="store_true")
    whoami.set_defaults(func=cmd_whoami)
    grants = access.add_parser(
        "grants",
        help="every grant with its state, active or expired (the pipeline's own user only)",
        description="Lists the grants of the access file; only the pipeline's own user may.",
    )
    grants.add_argument("--principal", help="only this principal's (name or os:<login>)")
    grants.add_argument("--json", action="store_true")
    grants.set_defaults(func=cmd_grants)
    hashing = access.add_parser(
        "hash-secret",
        help="read a secret from stdin (no echo at a terminal) and print its secret_hash",
        description=(
            "Prints the salted PBKDF2 hash to put in the access file as a named principal's "
            f"secret_hash. The secret ({MIN_SECRET}+ characters) is read without echo at a "
            "terminal, else from stdin's first line; it is never printed or logged."
        ),
    )
    hashing.set_defaults(func=cmd_hash_secret)
    check = access.add_parser(
        "check",
        help="validate the access file (owner, mode, fields; problems name file, line, field)",
        description=(
            "Checks that the pipeline's own user owns the access file, that nobody else may "
            "write it, and every principal and grant in it."
        ),
    )
    check.set_defaults(func=cmd_check)
