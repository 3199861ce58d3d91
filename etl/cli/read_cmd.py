"""``pubdata sql``: query the lake with DuckDB, within the caller's grants.

The same command is the reader distribution's own console script, ``pubdata-sql`` (:func:`main`),
so a downstream team that installs only ``pubdata-reader`` queries the lake the same way.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from etl.cli.entry import run_command
from etl.cli.output import parse_instant
from etl.cli.table import render
from etl.errors import ConfigError
from etl.settings import Settings

FORMATS = ("table", "csv", "parquet", "json")


def cmd_sql(settings: Settings, args: argparse.Namespace) -> int:
    """Run one query (or list the tables with ``--tables``) and write the result."""
    from etl.read import sql

    as_of = _instant(args.as_of, settings)
    pinned = _pinned(args.table_version)
    if args.tables:
        con, catalog = sql.connect(settings, as_of, pinned)
        con.close()
        rows = [[name] for name in (*catalog.tables, *catalog.meta)]
        header = f"tables ({catalog.principal}, clearance {settings.clearance})"
        sys.stdout.write(render([header], rows) + "\n")
        return 0
    if not args.query:
        raise ConfigError('give a query, e.g. pubdata sql "SELECT count(*) FROM ..."')
    if args.format == "parquet" and not args.output:
        raise ConfigError("--format parquet needs --output FILE")
    table = sql.query(settings, args.query, as_of, pinned)
    write_result(table, args.format, args.output, args.max_rows)
    return 0


def _instant(text: str | None, settings: Settings) -> datetime | None:
    """``--as-of``: an ISO-8601 instant; without an offset, local time in the configured zone."""
    return None if text is None else parse_instant(text, settings.zone)


def _pinned(given: list[str] | None) -> dict[str, int]:
    """``--table-version NAME=N`` options as ``{NAME: N}``."""
    pinned: dict[str, int] = {}
    for text in given or ():
        name, _, number = text.partition("=")
        if not name or not number.strip().isdigit():
            raise ConfigError(
                f"--table-version {text!r} is not NAME=VERSION "
                "(e.g. shared.population.household_register=3)"
            )
        pinned[name.strip()] = int(number)
    return pinned


def write_result(table: Any, fmt: str, output: Path | None, max_rows: int) -> None:
    """Write an Arrow table as a text table, CSV, JSON lines or Parquet (file or stdout)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if fmt == "parquet":
        if output is None:
            raise ConfigError("--format parquet needs --output FILE")
        pq.write_table(table, output, compression="zstd")
        sys.stderr.write(f"wrote {table.num_rows} rows to {output}\n")
        return
    if fmt == "csv":
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        text = buffer.getvalue().decode("utf-8")
    elif fmt == "json":
        import json

        text = "".join(
            json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in table.to_pylist()
        )
    else:
        shown = table.slice(0, max_rows)
        rows = [[row[c] for c in table.column_names] for row in shown.to_pylist()]
        text = render(table.column_names, rows) + "\n"
        more = table.num_rows - shown.num_rows
        text += f"({table.num_rows} rows{f', {more} not shown' if more else ''})\n"
    if output is not None:
        output.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {table.num_rows} rows to {output}\n")
    else:
        sys.stdout.write(text)


def add_arguments(cmd: argparse.ArgumentParser) -> None:
    """The arguments of ``pubdata sql`` (and ``pubdata-sql``)."""
    cmd.add_argument("query", nargs="?", help="the SQL query")
    cmd.add_argument("--format", choices=FORMATS, default="table")
    cmd.add_argument("--output", type=Path, help="write to this file instead of stdout")
    cmd.add_argument("--max-rows", type=int, default=50, help="rows shown by --format table")
    cmd.add_argument("--tables", action="store_true", help="list the tables you can query")
    cmd.add_argument(
        "--as-of",
        metavar="TIME",
        help="time travel: every table as it was at this ISO-8601 time (no offset: local time)",
    )
    cmd.add_argument(
        "--table-version",
        metavar="NAME=N",
        action="append",
        help=(
            "time travel for one table: its Delta version N, e.g. "
            "shared.population.household_register=3 (repeatable; wins over --as-of)"
        ),
    )
    cmd.set_defaults(func=cmd_sql)


_DESCRIPTION = (
    "Run SQL over every table your grants cover (pubdata access whoami; PUBDATA_CLEARANCE can "
    "only narrow them), offline. "
    "Tables: <zone>.<domain>.<dataset>, restricted.<domain>.<dataset>__quarantine, "
    "<zone>.integrated.<repository>_<table> (integrated repositories), _meta.<table>."
)


def register(sub: Any) -> None:
    """Add ``pubdata sql`` to the command parser."""
    cmd = sub.add_parser(
        "sql",
        help="query curated tables with DuckDB (views named <zone>.<domain>.<dataset>)",
        description=_DESCRIPTION,
    )
    add_arguments(cmd)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``pubdata-sql``, the reader distribution's ``pubdata sql``."""
    parser = argparse.ArgumentParser(prog="pubdata-sql", description=_DESCRIPTION)
    add_arguments(parser)
    return run_command(parser, argv)
