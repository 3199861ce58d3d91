"""``pubdata lineage --column`` and ``pubdata trace``: column and row lineage, no data values."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from etl.cli.output import emit as _emit
from etl.cli.output import say as _say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.local_time import show
from etl.registry import Dataset, load_registry
from etl.settings import Settings
from etl.zones import CLEARANCES, QUARANTINE, TABLE_ZONES, ZONES


def cmd_lineage(settings: Settings, args: argparse.Namespace) -> int:
    """Runs of a dataset, or with ``--column`` where one column goes in each zone."""
    if args.column is None:
        return _runs(settings, args)
    from etl.lineage.columns import column_lineage
    from etl.lineage.trace import resolve_run

    dataset = load_registry(settings.registry).get(args.dataset)
    run = resolve_run(settings, dataset, args.run, None) if args.run else None
    info = column_lineage(settings.lake, dataset.id, args.column, run)
    if args.json:
        _emit(info)
        return 0
    _say(
        f"{info['dataset']}.{info['column']}: category {info['category']}, grade {info['grade']} "
        f"(decided by {info['decided_by']}); run {info['lineage_run_id']}"
    )
    rows = [
        [z["zone"], z["output"] or "-", z["transformation"], "yes" if z["masked"] else "no"]
        for z in info["zones"]
    ]
    _say(render(["zone", "output column", "transformation", "masked"], rows))
    return 0


def _runs(settings: Settings, args: argparse.Namespace) -> int:
    """List the runs of one dataset with counts, grade, fingerprint and table versions."""
    from etl.catalog import runs_of

    load_registry(settings.registry).get(args.dataset)
    runs = runs_of(settings, args.dataset)
    if args.json:
        _emit(runs)
        return 0
    rows = [
        [
            r["logical_date"],
            r["run_id"],
            r["status"],
            r["rows_in"],
            r["rows_loaded"],
            r["rows_quarantined"],
            r["dataset_grade"] or "-",
            (r["source_sha256"] or "-")[:12],
            ", ".join(f"{z}@v{t['version']}" for z, t in r["tables"].items()) or "-",
            r["error_stage"] or "",
        ]
        for r in runs
    ]
    headers = [
        "date",
        "run",
        "status",
        "in",
        "loaded",
        "quarantined",
        "grade",
        "sha256",
        "tables",
        "failed at",
    ]
    _say(render(headers, rows) if rows else f"no runs of {args.dataset} yet")
    return 0


def _row_key(text: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column:
        raise argparse.ArgumentTypeError("expected COLUMN=VALUE")
    return column.strip(), value


def cmd_trace(settings: Settings, args: argparse.Namespace) -> int:
    """Answer where a row came from: file, department, run, checks, columns.

    With an entity after the first argument, the first is an integrated repository and the
    answer is each attribute's dataset, run, file and row (:func:`integrate_cmd.trace_entity`).
    """
    from etl.lineage.trace import resolve_run, trace_row

    if args.entity is not None:
        from etl.cli.integrate_cmd import trace_entity

        return trace_entity(settings, args)
    if args.source_row is None and args.row_key is None:
        raise ConfigError(
            "give --source-row N or --row-key COLUMN=VALUE (an integrated record: "
            "pubdata trace DOMAIN KEY|TOKEN [ATTRIBUTE])"
        )
    dataset = load_registry(settings.registry).get(args.dataset)
    if args.source_row is not None:
        targets = [(resolve_run(settings, dataset, args.run, args.date), args.source_row)]
    else:
        targets = _rows_with_key(settings, dataset, args)
    traces = [trace_row(settings, dataset, run, row) for run, row in dict.fromkeys(targets)]
    if args.json:
        _emit(traces if args.row_key else traces[0])
        return 0
    for i, trace in enumerate(traces):
        if i:
            _say("")
        _say(render_trace(trace, settings.zone))
    return 0


def _rows_with_key(
    settings: Settings, dataset: Dataset, args: argparse.Namespace
) -> list[tuple[str, int]]:
    """``(lineage run id, source row)`` of the rows whose ``--row-key`` column has the value.

    Searched in ``--zone``, else in the most sensitive published zone the caller is granted
    (and the quarantine table when granted); only ``--run``/``--date``'s run when given.
    """
    from etl.audit import Action
    from etl.lake.layout import published_zones
    from etl.lineage.trace import find_rows, resolve_run
    from etl.read.access import granted_tables, locate, may_read
    from etl.read.trail import record_read, token_literals

    column, value = args.row_key
    zones: list[Any] = [args.zone] if args.zone else []
    if not zones:
        granted = [
            z for z in published_zones(dataset) if may_read(settings, locate(settings, dataset, z))
        ]
        zones = [max(granted, key=CLEARANCES.index)] if granted else [settings.clearance]
        if may_read(settings, locate(settings, dataset, QUARANTINE)):
            zones.append(QUARANTINE)
    wanted = (
        resolve_run(settings, dataset, args.run, args.date) if (args.run or args.date) else None
    )
    refs = [locate(settings, dataset, zone) for zone in zones]
    targets: list[tuple[str, int]] = []
    opened = granted_tables(settings, refs, strict=True).tables
    for ref in opened:
        for run_id, row in find_rows(settings, dataset, ref.uri, column, value):
            lineage_run_id = f"{dataset.dag_id}/{run_id}"
            if wanted is None or wanted == lineage_run_id:
                targets.append((lineage_run_id, row))
    record_read(
        settings,
        Action.TRACE,
        [ref.sql_name for ref in opened],
        columns=(column,),
        rows=len(targets),
        token_lookups=token_literals(f"'{value}'"),
    )
    if not targets:
        raise ConfigError(f"no row of {dataset.id} has that {column} in {', '.join(zones)}")
    return targets


def render_trace(t: dict[str, Any], tz: ZoneInfo) -> str:
    """A trace for people: facts, zones, checks and columns as tables; times in ``tz``."""
    src, run, row, checks = t["source"], t["run"], t["row"], t["checks"]
    dept = t["department"]
    resub = ", ".join(f"{r['relative_path']} ({r['sha256'][:12]})" for r in src["resubmitted_in"])
    finished = show(run["finished_at"], tz)
    facts = [
        ["dataset", f"{t['dataset']} — {t['title']}"],
        ["department", f"{dept['id']} {dept['title'] or ''} (owner {dept['owner']})"],
        ["source file", src["relative_path"]],
        ["row in file", src["location"]],
        ["fingerprint", f"sha256 {src['sha256']}, {src['bytes']} bytes, {src['encoding'] or '-'}"],
        ["resubmitted", resub or "no"],
        [
            "run",
            f"{run['run_id']} ({run['dag_id']}), finished {finished} {tz.key}",
        ],
        ["logical date", run["logical_date"]],
        ["run status", run["status"] + (f" at {run['error_stage']}" if run["error_stage"] else "")],
        [
            "row outcome",
            row["outcome"] + (f": {'; '.join(row['reasons'])}" if row["reasons"] else ""),
        ],
        ["suite", f"{checks['suite']}: {checks['passed']}/{checks['total']} expectations passed"],
        ["dataset grade", run["dataset_grade"] or "-"],
    ]
    parts = [render(["trace", "answer"], facts)]
    zones = [
        [z["zone"], z["version"], _yes(z["holds_row"]) if "note" not in z else z["note"]]
        for z in t["zones"]
    ]
    parts.append(render(["zone", "version", "holds this row"], zones))
    parts.append(
        render(
            ["expectation", "level", "severity", "run", "this row"],
            [
                [c["expectation"], c["level"], c["severity"], c["run_result"], c["this_row"]]
                for c in checks["expectations"]
            ],
        )
    )
    zone_names = [z for z in ZONES if any(z in c["zones"] for c in t["columns"])]
    parts.append(
        render(
            ["column", "category", "grade", *zone_names],
            [
                [
                    c["column"],
                    c["category"] or "-",
                    c["grade"] or "-",
                    *[_zone_cell(c["zones"].get(z)) for z in zone_names],
                ]
                for c in t["columns"]
            ],
        )
    )
    return "\n\n".join(parts)


def _yes(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _zone_cell(info: dict[str, Any] | None) -> str:
    if info is None:
        return "-"
    return str(info["transformation"])


def register(sub: Any) -> None:
    """Add ``pubdata lineage`` and ``pubdata trace`` to the command parser."""
    add_lineage_parser(sub)
    trace = sub.add_parser(
        "trace",
        help="where a row came from: file, line, run, checks, what each zone did to each column",
        description=(
            "pubdata trace DATASET --source-row N | --row-key COLUMN=VALUE traces a row; "
            "pubdata trace DOMAIN KEY|TOKEN [ATTRIBUTE] traces an integrated record's values "
            "(a key needs a grant of the repository's restricted tables; the pipeline's own "
            "user: PUBDATA_CLEARANCE=restricted)."
        ),
    )
    trace.add_argument("dataset", help="a dataset id, or an integrated repository (domain) id")
    trace.add_argument(
        "entity", nargs="?", help="with a domain: the ID number, USCC, 组织机构代码 or token"
    )
    trace.add_argument("attribute", nargs="?", help="with a domain: only this attribute")
    trace.add_argument("--run", help="Airflow run id (the row's _run_id) or lineage run id")
    trace.add_argument("--date", help="logical date: its latest successful run")
    which = trace.add_mutually_exclusive_group()
    which.add_argument("--source-row", type=int, help="the row's _source_row")
    which.add_argument(
        "--row-key",
        type=_row_key,
        metavar="COLUMN=VALUE",
        help="find the row by a column value in your most sensitive granted zone",
    )
    trace.add_argument(
        "--zone",
        choices=TABLE_ZONES,
        help="where --row-key looks (default: your highest cleared zone)",
    )
    trace.add_argument("--json", action="store_true")
    trace.set_defaults(func=cmd_trace)


def add_lineage_parser(sub: Any) -> None:
    """``pubdata lineage DATASET [--column C [--run R]]``."""
    parser = sub.add_parser("lineage", help="runs of a dataset with counts, grade and versions")
    parser.add_argument("dataset")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--column", help="show where this column goes in each zone")
    parser.add_argument("--run", help="with --column: this run instead of the latest")
    parser.set_defaults(func=cmd_lineage)
