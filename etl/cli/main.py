"""The ``pubdata`` command line.

Readable tables for people, ``--json`` for machines, one-line errors without tracebacks.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from etl.cli import (
    access_cmd,
    audit_cmd,
    integrate_cmd,
    inventory_cmd,
    lineage_cmd,
    products_cmd,
    quality_cmd,
    quarantine_cmd,
    read_cmd,
    review_cmd,
    serve_cmd,
)
from etl.cli.classify_cmd import add_classify_parser
from etl.cli.entry import run_command
from etl.cli.output import emit as _emit
from etl.cli.output import parse_date as _date
from etl.cli.output import say as _say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.registry import Dataset, Registry, load_registry
from etl.runtime.records import RunSummary
from etl.runtime.runner_plan import RunnerEvent
from etl.settings import Settings

DEMO_DATE = "2024-06-01"


def _progress(text: str, *, terminal_only: bool = True) -> None:
    # A run's start line is for a person at a terminal (scripts of `pubdata run` get one line
    # per result or error); a demo's lines go out always, so it is never silent for minutes.
    if not terminal_only or sys.stderr.isatty():
        sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _checked(settings: Settings, dataset_id: str, day: date) -> Dataset:
    """The registered dataset, or a one-line ConfigError (broken file, unknown id, early date)."""
    registry = load_registry(settings.registry)
    if dataset_id not in registry.datasets and registry.problems:
        raise ConfigError(_not_loaded(registry, dataset_id))
    dataset = registry.get(dataset_id)
    if day < dataset.start_date:
        raise ConfigError(
            f"logical date {day.isoformat()} is before {dataset_id}'s start_date "
            f"{dataset.start_date.isoformat()}"
        )
    return dataset


def _check_token_key(settings: Settings) -> None:
    """A malformed ``PUBDATA_TOKEN_KEY`` stops a run before Airflow starts, not at its load."""
    from etl.protect.keys import parse_setting

    if settings.token_key is not None:
        parse_setting(settings.token_key)


def _undelivered(dataset: Dataset, day: date, missing: str) -> RunSummary:
    """The summary of a run not started: its delivery is not there (answered at once)."""
    return RunSummary(
        status="failed",
        dataset=dataset.id,
        logical_date=day,
        stage="extract",
        error=f"{missing} (no run was started)",
        seconds=0.0,
    )


def _run_dates(
    settings: Settings, dataset_ids: Sequence[str], day: date, quiet: bool
) -> list[RunSummary]:
    """Run each dataset's DAG for ``day`` in one warm runner; summaries in the order given.

    Every id is checked first (a broken registry file or unknown id stops before any run); a
    missing delivery is answered at once, without a run.
    """
    from etl.cli.run import Progress, Request, run_requests

    datasets = [_checked(settings, dataset_id, day) for dataset_id in dict.fromkeys(dataset_ids)]
    summaries: dict[str, RunSummary] = {}
    requests: list[Request] = []
    for dataset in datasets:
        missing = _not_delivered(settings, dataset, day)
        if missing is not None:  # answered at once: no Airflow run to start for nothing
            summaries[dataset.id] = _undelivered(dataset, day, missing)
        else:
            requests.append(Request(dataset, day))
    if requests:
        if not quiet:
            names = ", ".join(r.dataset.dag_id for r in requests)
            _progress(f"running {names} for {day.isoformat()} through Airflow ...")
        progress = Progress(settings, requests, plain=len(requests) > 1) if not quiet else None
        started = time.monotonic()
        outcomes = run_requests(settings, requests, progress)
        for request, outcome in zip(requests, outcomes, strict=True):
            summaries[request.dataset.id] = outcome.summary
        if len(requests) == 1:  # its time is the command's (several share one runner's start)
            only = requests[0].dataset.id
            seconds = round(time.monotonic() - started, 1)
            summaries[only] = summaries[only].model_copy(update={"seconds": seconds})
    return [summaries[dataset.id] for dataset in datasets]


def _not_loaded(registry: Registry, dataset_id: str) -> str:
    """Why a dataset the registry did not load cannot run: its broken file, if one declares it."""
    check = "run `pubdata registry check`"
    broken = registry.broken_file_of(dataset_id)
    if broken is None:
        return (
            f"unknown dataset {dataset_id!r}; the registry has {len(registry.problems)} "
            f"problem(s): {check}"
        )
    path, problems = broken
    first = problems[0]
    where = f"{first.where}: " if first.where else ""
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return (
        f"{dataset_id} is declared in {path}, which is broken: {where}{first.message}{more};"
        f" {check}"
    )


def _not_delivered(settings: Settings, dataset: Dataset, day: date) -> str | None:
    """Why a file source has nothing it may read for ``day``, or None when it has.

    None also for sources the check cannot answer for: a database or HTTP source, and a file
    source that waits for its delivery (its DAG's sensor does the waiting and the failing).
    """
    from etl.errors import SourceNotReady
    from etl.extract.paths import resolve_source_path, resolve_source_paths
    from etl.registry.sources import FileSource

    source = dataset.source
    if not isinstance(source, FileSource) or source.wait.timeout_minutes > 0:
        return None
    try:
        if source.marker is not None:
            resolve_source_path(settings.landing, source.marker, day)
        resolve_source_paths(settings.landing, source.path, day)
    except SourceNotReady as exc:  # a refused path (PolicyError) propagates: exit 2, no run
        return str(exc)
    return None


def cmd_registry_schema(settings: Settings, args: argparse.Namespace) -> int:
    """Write the JSON Schemas of dataset, domain and product files, or with ``--check`` compare."""
    from etl.integrate.schema import DOMAIN_SCHEMA_FILE, domain_schema_text
    from etl.products.schema import PRODUCT_SCHEMA_FILE, product_schema_text
    from etl.registry.schema import SCHEMA_FILE, schema_text

    folder: Path = args.folder or settings.registry
    stale = []
    schemas = (
        (SCHEMA_FILE, schema_text()),
        (DOMAIN_SCHEMA_FILE, domain_schema_text()),
        (PRODUCT_SCHEMA_FILE, product_schema_text()),
    )
    for name, text in schemas:
        output = folder / name
        if output.is_file() and output.read_text(encoding="utf-8") == text:
            _say(f"{output} is current")
            continue
        stale.append(output)
        if args.check:
            sys.stderr.write(f"pubdata: {output} is not current; run `pubdata registry schema`\n")
        else:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot write {output}: {exc.strerror or exc}") from None
            _say(f"wrote {output}")
    return 1 if args.check and stale else 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Run datasets' DAGs for one logical date, or (``--start``/``--end``) a backfill of one."""
    from etl.cli.run import public_summary

    _check_token_key(settings)
    if (args.start is None) != (args.end is None) or (args.start is None) == (args.date is None):
        raise ConfigError("give --date D, or --start D1 and --end D2 (a date range)")
    if args.start is not None:
        if len(args.dataset) > 1:
            raise ConfigError("a date range (--start/--end) runs one dataset; give one id")
        return _run_range(settings, args)

    summaries = _run_dates(settings, args.dataset, args.date, quiet=args.json)
    if args.json:
        found = [public_summary(summary) for summary in summaries]
        _emit(found if len(args.dataset) > 1 else found[0])  # several ids: a list
    elif len(summaries) == 1 and summaries[0].ok:
        summary = summaries[0]
        _say(
            f"{summary.dataset} {summary.logical_date}: {summary.rows_in} rows in, "
            f"{summary.rows_loaded} loaded, {summary.rows_quarantined} quarantined, "
            f"grade {summary.dataset_grade} ({summary.seconds} s)"
        )
        _say(render(["zone", "table"], [[zone, uri] for zone, uri in summary.tables.items()]))
    elif len(summaries) > 1:
        _say(_runs_table(summaries, first="dataset"))
    for summary in summaries:
        if not summary.ok:
            stage = summary.stage or "airflow"
            sys.stderr.write(f"pubdata: {summary.dataset} failed at {stage}: {summary.error}\n")
    return 0 if all(summary.ok for summary in summaries) else 1


def _runs_table(summaries: Sequence[RunSummary], first: str) -> str:
    """One row per run: its ``first`` (``dataset`` or ``date``), status, counts and error."""
    rows = [
        [
            s.dataset if first == "dataset" else s.logical_date,
            s.status,
            s.rows_loaded if s.rows_loaded is not None else "",
            s.rows_quarantined if s.rows_quarantined is not None else "",
            s.error or "",
        ]
        for s in summaries
    ]
    return render([first, "status", "loaded", "quarantined", "error"], rows)


def _run_range(settings: Settings, args: argparse.Namespace) -> int:
    """Backfill ``--start``..``--end`` through Airflow; one line per run, a table at the end."""
    from etl.cli.run import Progress, Request, public_summary, run_requests

    if args.end < args.start:
        raise ConfigError(
            f"--end {args.end.isoformat()} is before --start {args.start.isoformat()}"
        )
    dataset = _checked(settings, args.dataset[0], args.start)
    request = Request(dataset, args.start, args.end)
    outcomes = run_requests(settings, [request], Progress(settings, [request], plain=not args.json))
    summaries = [o.summary for o in outcomes]
    if args.json:
        _emit([public_summary(s) for s in summaries])
    else:
        _say(_runs_table(summaries, first="date"))
    return 0 if summaries and all(o.ok for o in outcomes) else 1


def _print_catalog(settings: Settings, as_json: bool, dataset: str | None = None) -> None:
    from etl.catalog import catalog, catalog_entry
    from etl.cli.catalog import render_card, render_catalog

    registry = load_registry(settings.registry)
    if dataset is not None:
        entry = catalog_entry(settings, registry, dataset)
        if as_json:
            _emit([entry])
        else:
            _say(render_card(entry))
        return
    items = catalog(settings, registry)
    if as_json:
        _emit(items)
        return
    _say(render_catalog(items))


def cmd_catalog(settings: Settings, args: argparse.Namespace) -> int:
    """List every registered dataset (or one) with grade, latest run, freshness and quality."""
    _print_catalog(settings, args.json, getattr(args, "dataset", None))
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """Run every registered dataset for one date in one runner, then print the catalog."""
    from etl.cli.run import Progress, Request, run_requests

    _check_token_key(settings)
    registry = load_registry(settings.registry)
    registry.raise_for_problems()
    datasets = [registry.datasets[i] for i in sorted(registry.datasets)]
    failures = 0
    requests: list[Request] = []
    for dataset in datasets:
        missing = _not_delivered(settings, dataset, args.date)
        if missing is None:
            requests.append(Request(dataset, args.date))
        else:
            failures += 1
            _progress(f"  {dataset.id} failed at extract: {missing}", terminal_only=False)
    triggered: list[RunnerEvent] = []
    if requests:
        progress = Progress(settings, requests, plain=True)
        outcomes = run_requests(settings, requests, progress)
        failures += sum(not o.ok for o in outcomes)
        triggered = progress.triggered
        failures += sum(e.state != "success" for e in triggered)
    _say("")
    _print_catalog(settings, as_json=False)
    if triggered:
        _say("")
        _say(_repositories_table(triggered))
    return 1 if failures else 0


def _repositories_table(triggered: Sequence[RunnerEvent]) -> str:
    """One row per integration the runs triggered: its DAG, date, state and counts."""
    rows = [
        [
            e.dag_id or "",
            e.day or "",
            e.state or "",
            "" if e.entities is None else e.entities,
            "" if e.conflicts is None else e.conflicts,
        ]
        for e in triggered
    ]
    return render(["repository", "date", "state", "entities", "conflicts"], rows)


def cmd_env(settings: Settings, args: argparse.Namespace) -> int:
    """Print ``export`` lines for the embedded Airflow (``eval "$(pubdata env)"``)."""
    from etl.runtime.airflow_env import airflow_environment

    env = airflow_environment(settings, base={})
    for key, value in sorted(env.items()):
        _say(f"export {key}={shlex.quote(value)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pubdata``."""
    parser = argparse.ArgumentParser(prog="pubdata", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    reg = sub.add_parser("registry", help="registry commands")
    reg_sub = reg.add_subparsers(dest="registry_command", required=True)
    check = reg_sub.add_parser("check", help="check every registry, domain and product file")
    check.add_argument("--json", action="store_true")
    quality_cmd.add_check_options(check)

    schema = reg_sub.add_parser(
        "schema",
        help="write the JSON Schemas of dataset, domain and product files for editors "
        "(registry.schema.json, domain.schema.json, product.schema.json)",
    )
    schema.add_argument(
        "--folder", type=Path, help="where to write them (default: the registry folder)"
    )
    schema.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a file is not current"
    )
    schema.set_defaults(func=cmd_registry_schema)

    run = sub.add_parser(
        "run",
        help="run datasets' DAGs for one logical date (one warm runner), or backfill a date range",
    )
    run.add_argument("dataset", nargs="+", help="dataset id(s); a date range takes one")
    run.add_argument("--date", type=_date, help="logical date YYYY-MM-DD")
    run.add_argument("--start", type=_date, help="first logical date of a backfill")
    run.add_argument("--end", type=_date, help="last logical date of a backfill (inclusive)")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=cmd_run)

    demo = sub.add_parser("demo", help="run every dataset for one date and print the catalog")
    demo.add_argument("--date", type=_date, default=_date(DEMO_DATE))
    demo.set_defaults(func=cmd_demo)

    cat = sub.add_parser("catalog", help="list datasets with grade and latest run")
    cat.add_argument("dataset", nargs="?", help="show one dataset's entry in full")
    cat.add_argument("--json", action="store_true")
    cat.set_defaults(func=cmd_catalog)

    env = sub.add_parser("env", help="print the embedded Airflow environment as export lines")
    env.set_defaults(func=cmd_env)

    read_cmd.register(sub)
    lineage_cmd.register(sub)
    integrate_cmd.register(sub)
    quarantine_cmd.register(sub)
    quality_cmd.register(sub)
    review_cmd.register(sub)
    serve_cmd.register(sub)
    inventory_cmd.register(sub)
    products_cmd.register(sub)
    audit_cmd.register(sub)
    access_cmd.register(sub)
    add_classify_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pubdata`` console script."""
    return run_command(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
