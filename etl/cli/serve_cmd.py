"""``pubdata serve refresh|roles|status``: the SQL endpoint for BI tools (:mod:`etl.serve`).

Needs ``PUBDATA_SERVE_URL`` (a ``postgresql://`` URL of the serving database; its user creates
schemas and roles). ``refresh`` publishes the shared and open tables (restricted ones with
``PUBDATA_SERVE_RESTRICTED=1``); ``roles`` gives each principal of the access file a role
holding exactly what its active grants cover, and takes away what expired; ``status`` lists
the served tables.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from etl.cli.output import emit, say
from etl.cli.table import render
from etl.local_time import show
from etl.settings import Settings


def cmd_refresh(settings: Settings, args: argparse.Namespace) -> int:
    """Refresh the served tables (each swapped in whole, in one transaction)."""
    from etl.serve import refresh

    results = refresh(settings, dataset=args.dataset, force=args.force)
    if args.json:
        emit([asdict(r) for r in results])
        return 0
    rows = [
        [
            r.table,
            r.state,
            "" if r.rows is None else r.rows,
            "" if r.lake_version is None else r.lake_version,
            f"{r.seconds:.1f}",
        ]
        for r in results
    ]
    say(render(["table", "state", "rows", "lake version", "seconds"], rows))
    return 0


def cmd_roles(settings: Settings, args: argparse.Namespace) -> int:
    """Sync the PostgreSQL roles from the access file's grants."""
    from etl.serve import sync_roles

    grants = sync_roles(settings)
    if args.json:
        emit([asdict(g) for g in grants])
        return 0
    rows = [
        [g.principal, g.role, "yes" if g.login else "no", ", ".join(g.tables) or "(nothing)"]
        for g in grants
    ]
    say(render(["principal", "role", "login", "may read"], rows))
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    """List the served tables with rows, lake version, last refresh and readers."""
    from etl.serve import serve_status

    tables = serve_status(settings)
    if args.json:
        found: list[dict[str, Any]] = []
        for t in tables:
            found.append(asdict(t) | {"refreshed_at": t.refreshed_at.isoformat()})
        emit(found)
        return 0
    rows = [
        [
            t.table,
            t.rows,
            t.lake_version,
            show(t.refreshed_at, settings.zone),
            ", ".join(t.readers) or "-",
        ]
        for t in tables
    ]
    say(render(["table", "rows", "lake version", "refreshed", "readers"], rows))
    return 0


def register(sub: Any) -> None:
    """Add ``serve refresh``, ``serve roles`` and ``serve status`` to the ``pubdata`` parser."""
    serve = sub.add_parser(
        "serve",
        help="the SQL endpoint for BI tools (PostgreSQL; needs PUBDATA_SERVE_URL)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve_sub = serve.add_subparsers(dest="serve_command", required=True)
    ref = serve_sub.add_parser(
        "refresh",
        help="publish the shared/open tables whose lake version changed (atomic swap per table)",
    )
    ref.add_argument("--dataset", help="only this dataset's (or integrated repository's) tables")
    ref.add_argument("--force", action="store_true", help="reload unchanged tables too")
    ref.add_argument("--json", action="store_true")
    ref.set_defaults(func=cmd_refresh)
    roles = serve_sub.add_parser(
        "roles",
        help="sync roles pubdata_<principal> from the access file's grants (revokes expired ones)",
    )
    roles.add_argument("--json", action="store_true")
    roles.set_defaults(func=cmd_roles)
    status = serve_sub.add_parser("status", help="served tables, rows, last refresh, readers")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)
