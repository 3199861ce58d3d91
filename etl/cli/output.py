"""What every command shares: writing results and parsing dates the same way."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

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
