"""``pubdata products``: authorised data products (授权运营), their releases and the disclosure.

- ``pubdata products``: every product with its consumer, purpose, expiry, state (active or
  expired), last release, rows, refusals and the access grant made under its document.
- ``pubdata products show ID``: the declaration's summary and every release attempt with its
  gate results (counts and one-line refusals, never a value).
- ``pubdata products release ID [--date D]``: release now; a refusal exits 1 with the gate's line.
- ``pubdata products disclose --year Y``: the yearly disclosure (which products were authorised
  to whom, for what, and how many releases and rows went out that year).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from etl.cli.output import emit, parse_date, say
from etl.cli.table import render
from etl.errors import PolicyError
from etl.local_time import today
from etl.settings import Settings

#: What the list shows for a linked grant nobody made.
NO_GRANT = "-"


def _products(settings: Settings) -> Any:
    from etl.integrate import load_domains
    from etl.products import load_products
    from etl.registry import load_registry

    registry = load_registry(settings.registry)
    return registry, load_products(registry, load_domains(registry))


def _warn(lines: list[str]) -> None:
    for line in lines:
        sys.stderr.write(f"pubdata: warning: {line}\n")


def _grants_cell(summary: dict[str, Any]) -> str:
    if summary["linked_grants_note"]:
        return "?"
    grants = summary["linked_grants"]
    return ", ".join(f"{g['principal']} ({g['state']})" for g in grants) or NO_GRANT


def cmd_products(settings: Settings, args: argparse.Namespace) -> int:
    """List every product with its state, last release, refusals and linked grant."""
    from etl.products.status import product_statuses

    _, found = _products(settings)
    for problem in found.problems:  # a broken product file is not silently missing
        sys.stderr.write(f"pubdata: {problem}\n")
    chosen = [found.products[i] for i in sorted(found.products)]
    statuses = [s.summary() for s in product_statuses(settings, chosen, today(settings.zone))]
    notes = sorted({s["linked_grants_note"] for s in statuses if s["linked_grants_note"]})
    if args.json:
        emit(statuses)
    elif not statuses:
        say(f"no products in {found.folder}")
    else:
        rows = [
            [
                s["id"],
                s["consumer"]["name"],
                s["purpose"],
                s["expires"],
                s["state"],
                s["last_release"] or "",
                "" if s["rows"] is None else s["rows"],
                s["refusals"],
                _grants_cell(s),
            ]
            for s in statuses
        ]
        headers = ["product", "consumer", "purpose", "expires", "state", "last release"]
        say(render([*headers, "rows", "refusals", "linked grant"], rows))
    _warn([w for s in statuses for w in s["warnings"]])
    _warn([f"linked grants unknown: {n}" for n in notes])
    return 0


def _show_text(page: dict[str, Any]) -> str:
    consumer = page["consumer"]
    auth = page["authorisation"]
    lines = [
        f"{page['id']}  {page['title']}",
        f"consumer   {consumer['name']} ({consumer['uscc']})",
        f"purpose    {page['purpose']}",
        f"document   {auth['document']} ({auth['approved_by']}, {auth['date']})",
        f"expires    {page['expires']} ({page['state']})",
        "sources    " + ", ".join(f"{s['table']} ({s['zone']})" for s in page["sources"]),
        f"columns    {', '.join(page['columns'])}",
    ]
    if page["filters"]:
        lines.append(f"filters on {', '.join(page['filters'])}")
    if page["aggregation"]:
        agg = page["aggregation"]
        lines.append(
            f"aggregated by {', '.join(agg['group_by'])}: {', '.join(agg['measures'])}"
            f" (cells under k={page['k']} suppressed)"
        )
    else:
        lines.append(f"row level, k={page['k']}")
    lines.append(f"ceiling    {page['grade_ceiling']}; schedule {page['schedule']}")
    grants = [
        f"{g['principal']} until {g['expires']} ({g['state']})" for g in page["linked_grants"]
    ]
    lines.append(f"grant      {'; '.join(grants) or 'none under this document'}")
    if not page["history"]:
        lines += ["", "no release yet"]
        return "\n".join(lines)
    rows = [
        [
            r["logical_date"],
            r["status"],
            "" if r["rows"] is None else r["rows"],
            "" if r["suppressed_cells"] is None else r["suppressed_cells"],
            "; ".join(f"{c['gate']} {'ok' if c['passed'] else 'FAILED'}" for c in r["gate"]),
            r["error"] or "",
        ]
        for r in page["history"]
    ]
    headers = ["date", "status", "rows", "suppressed", "gate", "refusal"]
    return "\n".join([*lines, "", render(headers, rows)])


def cmd_show(settings: Settings, args: argparse.Namespace) -> int:
    """One product's declaration summary and every release attempt with its gate results."""
    from etl.products.status import product_statuses

    _, found = _products(settings)
    [status] = product_statuses(settings, [found.get(args.product)], today(settings.zone))
    page = status.details()
    if args.json:
        emit(page)
    else:
        say(_show_text(page))
    _warn(list(status.warnings))
    return 0


def cmd_release(settings: Settings, args: argparse.Namespace) -> int:
    """Release one product now for ``--date`` (default: today); a refusal exits 1."""
    from etl.products.release import release

    registry, found = _products(settings)
    product = found.get(args.product)
    day = today(settings.zone)  # products expire at the end of their last local day
    try:
        done = release(settings, product, day=args.date or day, registry=registry, today=day)
    except PolicyError as exc:
        sys.stderr.write(f"pubdata: {exc.message}\n")
        return 1
    if args.json:
        emit(
            {
                "release_id": done.release_id,
                "product": done.product,
                "consumer_uscc": done.consumer_uscc,
                "logical_date": done.logical_date.isoformat(),
                "path": str(done.path),
                "files": len(done.files),
                "rows": done.rows,
                "suppressed_cells": done.suppressed_cells,
                "reused": done.reused,
            }
        )
        return 0
    again = " (made before; nothing written)" if done.reused else ""
    say(
        f"{done.release_id}: {len(done.files)} file(s), {done.rows} row(s), "
        f"{done.suppressed_cells} cell(s) suppressed → {done.path}{again}"
    )
    return 0


def cmd_disclose(settings: Settings, args: argparse.Namespace) -> int:
    """Write the yearly disclosure: products authorised, to whom, for what; releases and rows."""
    from etl.products.disclosure import disclosure, render
    from etl.products.status import release_records

    _, found = _products(settings)
    found.raise_for_problems()  # a disclosure leaves no product out silently
    records = release_records(settings.lake, found.products)
    entries = disclosure(found.products.values(), records, args.year)
    text = render(entries, args.year, args.format)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    Path(args.output).write_text(text, encoding="utf-8")
    say(f"wrote {args.output}: {len(entries)} product(s) for {args.year}")
    return 0


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"not a year (YYYY): {text!r}")
    return int(text)


def register(sub: Any) -> None:
    """Add ``products`` and its subcommands to the ``pubdata`` parser."""
    cmd = sub.add_parser(
        "products",
        help="authorised data products (授权运营): list, show, release, yearly disclosure",
        description=__doc__.replace("``", "`") if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("--json", action="store_true", help="the list as JSON")
    cmd.set_defaults(func=cmd_products)
    products = cmd.add_subparsers(dest="products_command")
    show = products.add_parser(
        "show", help="a product's declaration and its releases with gate results (no values)"
    )
    show.add_argument("product", help="product id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)
    rel = products.add_parser(
        "release",
        help="make a product's release now; a refusal (gate, expiry) exits 1 with its one line",
        description="Releases into the product's destination (a release per product and day; "
        "repeating a day returns the release made). An expired product is refused.",
    )
    rel.add_argument("product", help="product id")
    rel.add_argument("--date", type=parse_date, help="the day released for (default: today)")
    rel.add_argument("--json", action="store_true")
    rel.set_defaults(func=cmd_release)
    dis = products.add_parser(
        "disclose",
        help="the yearly disclosure of authorised products (md, csv or json)",
        description="Each product whose authorisation was in force during the year, or released "
        "in it: consumer and USCC, purpose, document and date, tables and columns, expiry, and "
        "the releases and rows of the year (by the day released for). Nothing else.",
    )
    dis.add_argument("--year", type=_year, required=True, help="the year disclosed (YYYY)")
    dis.add_argument("--format", choices=["md", "csv", "json"], default="md")
    dis.add_argument("--output", help="file to write (default: stdout)")
    dis.set_defaults(func=cmd_disclose)
