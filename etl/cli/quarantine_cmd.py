"""``pubdata quarantine``: counts by reason (no values), export and re-submit of fixed rows.

See :mod:`etl.pipeline.amend` for why a resubmission is stored beside the delivery and applied
on every run of its date, so that nothing is lost.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from etl.cli.output import EXCEL_BOM
from etl.cli.output import parse_date as _date
from etl.cli.output import say as _say
from etl.cli.table import render
from etl.errors import ConfigError
from etl.registry import Dataset, load_registry
from etl.settings import Settings


def cmd_quarantine(settings: Settings, args: argparse.Namespace) -> int:
    """Show counts by reason; with ``--export``/``--resubmit`` move fixed rows back in."""
    from etl.lineage.quarantine import quarantine_summary

    dataset = load_registry(settings.registry).get(args.dataset)
    day = args.date.isoformat() if args.date else None
    if args.export or args.resubmit:
        if args.date is None:
            raise ConfigError("--export and --resubmit need --date")
        if args.export:
            return _export(settings, dataset, args.date, args.export)
        return _resubmit(settings, dataset, args.date, args.resubmit, run=not args.no_run)
    summary = quarantine_summary(settings.lake, dataset.id, day)
    if args.json:
        _say(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    if not summary:
        _say(_nothing_quarantined(settings, dataset, day))
        return 0
    rows = []
    for entry in summary:
        reasons = entry["by_reason"] or {"-": 0}
        if not entry["recorded"]:
            reasons = {"(not recorded for this run)": entry["rows_quarantined"]}
        for i, (reason, count) in enumerate(reasons.items()):
            first = i == 0
            rows.append(
                [
                    entry["logical_date"] if first else "",
                    entry["rows_quarantined"] if first else "",
                    reason,
                    count,
                ]
            )
    _say(render(["date", "quarantined", "reason", "rows"], rows))
    return 0


def _nothing_quarantined(settings: Settings, dataset: Dataset, day: str | None) -> str:
    """Why there is no quarantine to show: no successful run, and the latest failure's cause."""
    from etl.catalog.runs import failure_line

    text = f"no successful run of {dataset.id}" + (f" for {day}" if day else "")
    # a run stopped before publishing keeps nothing: its cause says what to change
    failed = failure_line(settings, dataset.id, day)
    return f"{text}; {failed}" if failed else text


def _quarantined(settings: Settings, dataset: Dataset, day: date) -> Any:
    from etl.read import read

    return read(dataset.id, zone="quarantine", date=day, settings=settings)


def _export(settings: Settings, dataset: Dataset, day: date, path: Path) -> int:
    import pyarrow.csv as pacsv

    from etl.lineage.quarantine import resubmit_command

    table = _quarantined(settings, dataset, day)
    data = [c for c in table.column_names if not c.startswith("_")]
    keys = [c for c in ("_source_file", "_source_row") if c in table.column_names]
    out = table.select([*data, *keys, "_reasons"]).sort_by([(k, "ascending") for k in keys])
    with path.open("wb") as handle:
        handle.write(EXCEL_BOM.encode("utf-8"))
        pacsv.write_csv(out, handle)
    sys.stderr.write(
        f"wrote {out.num_rows} quarantined rows of {dataset.id} {day.isoformat()} to {path}; "
        "fix values, keep _source_row, then: "
        f"{resubmit_command(dataset.id, day.isoformat(), str(path))}\n"
    )
    return 0


def _resubmittable(table: Any) -> set[int | tuple[str, int]]:
    """Quarantined rows a person may fix: not ragged ones (those need a corrected file)."""
    if "_raw_line" in table.column_names:
        import pyarrow.compute as pc

        table = table.filter(pc.is_null(table.column("_raw_line")))
    rows = [int(n) for n in table.column("_source_row").to_pylist()]
    if "_source_file" not in table.column_names:
        return set(rows)
    files = table.column("_source_file").to_pylist()
    return {(str(f), n) if f is not None else n for f, n in zip(files, rows, strict=True)}


def _resubmit(settings: Settings, dataset: Dataset, day: date, path: Path, run: bool) -> int:
    from etl.pipeline import amend

    table = _quarantined(settings, dataset, day)
    columns = [c for c in table.column_names if not c.startswith("_")]
    stored = amend.store(settings, dataset.id, day, path, columns, _resubmittable(table))
    _say(f"stored {stored}")
    if not run:
        _say(f"it applies from the next run: pubdata run {dataset.id} --date {day.isoformat()}")
        return 0
    from etl.cli.run import run_dataset

    outcome = run_dataset(settings, dataset, day)
    if not outcome.ok:
        sys.stderr.write(f"pubdata: {outcome.error_line()}\n")
        return 1
    s = outcome.summary
    _say(
        f"re-ran {dataset.id} {day.isoformat()}: {s.rows_in} rows in, {s.rows_loaded} "
        f"loaded, {s.rows_quarantined} quarantined (was {table.num_rows})"
    )
    return 0


def register(sub: Any) -> None:
    """Add ``pubdata quarantine`` to the command parser."""
    cmd = sub.add_parser(
        "quarantine",
        help="quarantined rows by reason; export and re-submit fixed rows",
        description=(
            "Counts by reason need no clearance (no values). --export writes the raw rows of a "
            "date and --resubmit stores fixed rows and re-runs the date; both read the quarantine "
            "table, which needs a restricted grant (the pipeline's own user: "
            "PUBDATA_CLEARANCE=restricted)."
        ),
    )
    cmd.add_argument("dataset")
    cmd.add_argument("--date", type=_date, help="logical date YYYY-MM-DD")
    cmd.add_argument("--json", action="store_true")
    action = cmd.add_mutually_exclusive_group()
    action.add_argument("--export", type=Path, metavar="FILE", help="write the rows to fix (CSV)")
    action.add_argument("--resubmit", type=Path, metavar="FILE", help="fixed rows (CSV)")
    cmd.add_argument("--no-run", action="store_true", help="with --resubmit: store only")
    cmd.set_defaults(func=cmd_quarantine)
