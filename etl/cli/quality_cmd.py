"""Quality commands: `registry check`, `expectations suggest`, `quality`, `docs`.

`registry check` checks the dataset files, the domain files, the product files and the suites.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from etl.cli.output import parse_date as _date
from etl.cli.output import say as _say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.registry import load_registry
from etl.settings import Settings


def cmd_registry_check(settings: Settings, args: argparse.Namespace) -> int:
    """Report every problem in every registry, domain and product file and suite; exit 1 if any."""
    from etl.integrate import load_domains
    from etl.products import load_products

    registry = load_registry(settings.registry)
    domains = load_domains(registry)
    products = load_products(registry, domains)
    problems = [str(p) for p in (*registry.problems, *domains.problems, *products.problems)]
    suites: list[Path] = []
    if not args.registry_only:
        from etl.validate.check import check_registry_suites

        suites, suite_problems = check_registry_suites(settings, registry)
        problems.extend(str(p) for p in suite_problems)
    if args.json:
        payload = {
            "registry": str(registry.root),
            "datasets": sorted(registry.datasets),
            "domains": sorted(domains.domains),
            "products": sorted(products.products),
            "suites": [str(p) for p in suites],
            "problems": problems,
        }
        _say(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for line in problems:
            sys.stderr.write(f"{line}\n")
        state = f"{len(problems)} problem(s)" if problems else "no problems"
        checked = "" if args.registry_only else f", {len(suites)} suite(s)"
        counts = (
            f"{len(registry.datasets)} dataset(s), {len(domains.domains)} domain(s), "
            f"{len(products.products)} product(s)"
        )
        _say(f"{counts} in {registry.root}{checked}: {state}")
    return 1 if problems else 0


def cmd_suggest(settings: Settings, args: argparse.Namespace) -> int:
    """Profile a delivered file and write a draft suite for review."""
    from etl.validate.suggest import draft_from_delivery

    dataset = load_registry(settings.registry).get(args.dataset)
    output: Path = args.output or settings.expectations / f"{dataset.id}.draft.json"
    if output.exists() and not args.force:
        raise ConfigError(f"{output} exists; use --force to replace it or --output elsewhere")
    doc = draft_from_delivery(settings, dataset, args.date)
    for note in doc["meta"]["pubdata_draft"]["notes"]:  # what the draft could not check
        sys.stderr.write(f"note: {note}\n")
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if str(output) == "-":
        sys.stdout.write(text)
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    _say(
        f"wrote a draft of {len(doc['expectations'])} expectations to {output}; review it, "
        f"then save it as {dataset.id}.json"
    )
    return 0


def cmd_quality(settings: Settings, args: argparse.Namespace) -> int:
    """Per expectation: the rows that passed, and the runs that passed (``_meta``)."""
    from etl.lineage.quality import history_cells, quality_history

    if args.dataset:
        load_registry(settings.registry).get(args.dataset)
    history = quality_history(settings.lake, args.dataset)
    if args.json:
        _say(json.dumps(history, ensure_ascii=False, indent=2))
        return 0
    if not history:
        _say("no validation results recorded yet")
        _say_latest_failure(settings, args.dataset)
        return 0
    rows = [
        [
            h["dataset"],
            h["expectation"],
            *history_cells(h),
            "pass" if h["last_success"] else "FAIL",
        ]
        for h in history
    ]
    headers = [
        "dataset",
        "expectation",
        "severity",
        "rows passed",
        "rows flagged",
        "rows checked",
        "runs passed",
        "last",
    ]
    _say(render(headers, rows))
    _say_latest_failure(settings, args.dataset)
    return 0


def _say_latest_failure(settings: Settings, dataset: str | None) -> None:
    """Below a dataset's checks: why its latest run failed (a cast, a source), if it did."""
    from etl.catalog.runs import failure_line

    failed = failure_line(settings, dataset) if dataset else None
    if failed:
        _say(f"{dataset}: {failed}")


def cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    """Build the scrubbed Data Docs site under PUBDATA_HOME and print its index page."""
    from etl.lineage.docs import build_docs

    _say(str(build_docs(settings, load_registry(settings.registry))))
    return 0


def register(sub: Any) -> None:
    """Add ``expectations suggest`` and ``quality`` to the command parser."""
    exp = sub.add_parser("expectations", help="expectation suite tools")
    exp_sub = exp.add_subparsers(dest="expectations_command", required=True)
    suggest = exp_sub.add_parser(
        "suggest", help="profile a delivered file into a draft suite (no personal values)"
    )
    suggest.add_argument("dataset")
    suggest.add_argument("--date", type=_date, default=date(2024, 6, 1), help="delivery date")
    suggest.add_argument(
        "--output",
        type=Path,
        help="where to write (default expectations/<id>.draft.json; - = stdout)",
    )
    suggest.add_argument("--force", action="store_true", help="replace an existing draft")
    suggest.set_defaults(func=cmd_suggest)

    quality = sub.add_parser(
        "quality", help="rows passed (and runs passed) per dataset and expectation"
    )
    quality.add_argument("dataset", nargs="?")
    quality.add_argument("--json", action="store_true")
    quality.set_defaults(func=cmd_quality)

    docs = sub.add_parser("docs", help="build the scrubbed Data Docs HTML under PUBDATA_HOME")
    docs.set_defaults(func=cmd_docs)


def add_check_options(check: argparse.ArgumentParser) -> None:
    """Make ``registry check`` check the suites too (``--registry-only`` skips them)."""
    check.add_argument(
        "--registry-only", action="store_true", help="skip the suites (no Great Expectations)"
    )
    check.set_defaults(func=cmd_registry_check)
