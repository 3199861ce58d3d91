"""``pubdata classify PATH``: grade any CSV/Excel/JSON/Parquet file without registering it.

The file is read exactly as extraction reads a delivery (encodings detected, every column a
string), then classified with the project's rules. ``--json`` prints the contract shape
``{"path", "rows_sampled", "dataset_grade", "flags", "rules", "columns": [{"name", "category",
"grade", "confidence", "evidence"}]}``; without it, a table for people. Evidence never holds a
data value, so the output is safe to paste into a ticket.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from etl.errors import ConfigError, SourceNotReady
from etl.settings import Settings
from etl.zones import Zone

#: File suffix → (registry format, CSV delimiter).
SUFFIXES: dict[str, tuple[str, str | None]] = {
    ".csv": ("csv", None),
    ".txt": ("csv", None),
    ".tsv": ("csv", "\t"),
    ".xlsx": ("excel", None),
    ".xlsm": ("excel", None),
    ".xls": ("excel", None),
    ".json": ("json", None),
    ".jsonl": ("jsonl", None),
    ".ndjson": ("jsonl", None),
    ".parquet": ("parquet", None),
    ".pq": ("parquet", None),
}
DEFAULT_SAMPLE = 1000


def classify_file(path: Path, *, sample: int = DEFAULT_SAMPLE) -> dict[str, Any]:
    """Read and classify one file.

    Args:
        path: the file; any folder (it is read with its own folder as the landing zone).
        sample: values sampled per column.

    Returns:
        The JSON-ready result (the CLI contract shape).

    Raises:
        ConfigError: unknown file type or a sample size below 1.
        SourceNotReady: the file does not exist.
        DataError: the file cannot be read as its type.
    """
    from etl.classify import classify_table
    from etl.classify.sampling import MIN_SAMPLE
    from etl.extract import read_source
    from etl.protect.guard import guard, guarded_columns
    from etl.registry.model import FileSource

    if sample < 1:
        raise ConfigError("--sample must be at least 1")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(SUFFIXES))
        raise ConfigError(f"{path.name}: unknown file type {path.suffix!r} (expected {known})")
    path = path.expanduser().absolute()
    if not path.is_file():
        raise SourceNotReady(f"{path}: no such file")
    fmt, delimiter = kind
    source = FileSource(kind="file", format=fmt, path=path.name, delimiter=delimiter)
    table, _ = read_source(path, source, landing=path.parent)
    result = classify_table(table, sample_size=sample)
    columns = guarded_columns(result, (Zone.SHARED,))
    withheld = guard([table], result, columns)
    return {
        "path": str(path),
        "rows_sampled": min(table.num_rows, max(sample, MIN_SAMPLE)),
        "dataset_grade": result.dataset_grade,
        "flags": list(result.flags),
        "rules": [hit.text for hit in result.rules],
        "columns": [
            {
                "name": c.name,
                "category": c.category,
                "grade": c.grade,
                "confidence": c.confidence,
                "evidence": c.evidence,
            }
            for c in result.columns
        ],
        "withheld": [w.to_dict() for w in withheld],
    }


def cmd_classify(settings: Settings, args: argparse.Namespace) -> int:
    """Print the classification of one file (``--json`` for machines)."""
    from etl.cli.table import render

    out = classify_file(Path(args.path), sample=args.sample)
    if args.json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    flags = f" ({', '.join(out['flags'])})" if out["flags"] else ""
    lines = [
        f"{out['path']}: grade {out['dataset_grade']}{flags}, "
        f"up to {out['rows_sampled']} values sampled per column",
        "",
        render(
            ["column", "category", "grade", "confidence", "evidence"],
            [
                [c["name"], c["category"], c["grade"], f"{c['confidence']:.2f}", c["evidence"]]
                for c in out["columns"]
            ],
        ),
    ]
    if out["rules"]:
        lines += ["", "rules:", *(f"  {r}" for r in out["rules"])]
    if out["withheld"]:
        lines += ["", "publication guard (every value checked): withheld from shared/open"]
        lines += [
            f"  {w['column']}: looks like {w['category']} ({w['grade']}) in {w['values']} of "
            f"{w['checked']} values"
            for w in out["withheld"]
        ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _sample_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_classify_parser(sub: Any) -> None:
    """Register ``classify`` on the ``pubdata`` subcommand parser ``sub``."""
    cls = sub.add_parser("classify", help="grade the columns of a CSV/Excel/JSON/Parquet file")
    cls.add_argument("path", help="the file (need not be in the landing zone)")
    cls.add_argument("--json", action="store_true")
    cls.add_argument(
        "--sample",
        type=_sample_size,
        default=DEFAULT_SAMPLE,
        help=f"values sampled per column (default {DEFAULT_SAMPLE}, at least 30 where present)",
    )
    cls.set_defaults(func=cmd_classify)
