"""What every command shares: writing results and parsing dates the same way."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

#: What makes Excel read a CSV file as UTF-8 (without it, Chinese Excel reads GBK): every CSV a
#: person may open (inventory, quarantine export) starts with it.
EXCEL_BOM = "\ufeff"


def say(text: str) -> None:
    """Write one line of human-readable output to stdout."""
    sys.stdout.write(text + "\n")


def emit(data: Any) -> None:
    """Write a JSON document to stdout (UTF-8 text, Chinese kept readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def parse_date(text: str) -> date:
    """``argparse`` type for ``YYYY-MM-DD`` dates, with a one-line error."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def parse_instant(text: str, tz: ZoneInfo, option: str = "--as-of") -> datetime:
    """An ISO-8601 instant given on the command line; without an offset, local time in ``tz``.

    Raises:
        ConfigError: not an ISO-8601 time (one line, naming the option).
    """
    from etl.errors import ConfigError

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"{option} {text!r} is not an ISO-8601 time (e.g. 2024-06-02T08:00:00+08:00)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def write_csv(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """One table as UTF-8 CSV with a BOM (what Excel needs to read Chinese right)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(EXCEL_BOM)
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([["" if v is None else v for v in row] for row in rows])


def write_workbook(
    path: Path, sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]
) -> None:
    """Tables as one xlsx workbook: a sheet each (name, headers, rows), headers frozen."""
    import xlsxwriter  # type: ignore[import-untyped]

    workbook = xlsxwriter.Workbook(str(path))
    bold = workbook.add_format({"bold": True})
    for name, headers, rows in sheets:
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, list(headers), bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, ["" if v is None else v for v in row])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
