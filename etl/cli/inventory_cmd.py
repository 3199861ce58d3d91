"""``pubdata inventory``: export the 数据分类分级清单 and the 重要数据目录.

Formats:

- ``csv``: two files, because a CSV holds one table: ``FILE`` (the 清单, one row per column)
  and ``FILE`` with ``.important`` before the suffix (the 重要数据目录). UTF-8 with a BOM, so
  that Chinese Excel opens them without mojibake.
- ``xlsx``: one workbook with a sheet for each.
- ``json``: both lists in one document (stdout unless ``--output``).

Each export is also kept as a snapshot in ``_meta/inventory`` when its content changed
(:mod:`etl.lineage.inventory`); ``--as-of`` exports an earlier snapshot instead.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.cli.output import emit, parse_instant, say, write_csv, write_workbook
from etl.errors import ConfigError
from etl.registry import load_registry
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.lineage.inventory import ColumnEntry, ImportantEntry, Inventory

#: Field → header of the 数据分类分级清单 (Chinese first, for the people it is handed to).
COLUMN_HEADERS: dict[str, str] = {
    "dataset": "数据集编号 dataset",
    "dataset_title": "数据集名称 title",
    "department": "部门编号 department",
    "department_title": "部门名称 department title",
    "domain": "领域 domain",
    "column": "字段 column",
    "column_title": "字段中文名 column title",
    "column_description": "字段说明 column description",
    "category": "数据类别 category",
    "grade": "数据级别 grade",
    "basis": "定级依据 basis",
    "decided_by": "判定方式 decided by",
    "reviewer": "确认人 reviewer",
    "decided_on": "判定日期 date",
    "logical_date": "数据日期 logical date",
    "lineage_run_id": "运行 run",
}
#: Field → header of the 重要数据目录.
IMPORTANT_HEADERS: dict[str, str] = {
    "dataset": "数据集编号 dataset",
    "dataset_title": "数据集名称 title",
    "department": "部门编号 department",
    "department_title": "部门名称 department title",
    "domain": "领域 domain",
    "dataset_grade": "数据集级别 dataset grade",
    "basis": "认定依据 basis",
    "persons": "涉及自然人数 persons",
    "persons_with_l4": "含敏感属性人数 persons with an L4 attribute",
    "logical_date": "数据日期 logical date",
    "lineage_run_id": "运行 run",
}
COLUMN_SHEET = "数据分类分级清单"
IMPORTANT_SHEET = "重要数据目录"


def _cells(entry: ColumnEntry | ImportantEntry, headers: dict[str, str]) -> list[Any]:
    values = asdict(entry)
    return [values[k].isoformat() if isinstance(values[k], date) else values[k] for k in headers]


def important_path(path: Path) -> Path:
    """The 重要数据目录's CSV beside ``path``: ``inventory.csv`` → ``inventory.important.csv``."""
    return path.with_name(f"{path.stem}.important{path.suffix or '.csv'}")


def write_xlsx(path: Path, inventory: Inventory) -> None:
    """Both lists in one workbook, a sheet each, headers frozen and filterable."""
    write_workbook(
        path,
        [
            (
                COLUMN_SHEET,
                list(COLUMN_HEADERS.values()),
                [_cells(c, COLUMN_HEADERS) for c in inventory.columns],
            ),
            (
                IMPORTANT_SHEET,
                list(IMPORTANT_HEADERS.values()),
                [_cells(i, IMPORTANT_HEADERS) for i in inventory.important],
            ),
        ],
    )


def _as_of(text: str, settings: Settings) -> int | datetime:
    """A snapshot's Delta version, or an instant (without an offset: local time)."""
    return int(text) if text.isdigit() else parse_instant(text, settings.zone)


def _inventory(settings: Settings, as_of: str | None) -> Inventory:
    from etl.lineage.inventory import build_inventory, read_snapshot, record_snapshot

    if as_of is not None:
        try:
            snapshot = read_snapshot(settings.lake, _as_of(as_of, settings))
        except ValueError as exc:
            raise ConfigError(f"--as-of {as_of}: {exc}") from None
        if snapshot is None:
            raise ConfigError(f"--as-of {as_of}: no inventory snapshot at that point")
        return snapshot
    registry = load_registry(settings.registry)
    return record_snapshot(settings.lake, build_inventory(settings.lake, registry))


def cmd_inventory(settings: Settings, args: argparse.Namespace) -> int:
    """Export the grading record in the chosen format."""
    inventory = _inventory(settings, args.as_of)
    version = f" (snapshot v{inventory.version})" if inventory.version is not None else ""
    if args.format == "json":
        if args.output is None:
            emit(inventory.to_dict())
            return 0
        Path(args.output).write_text(
            json.dumps(inventory.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        say(f"wrote {args.output}{version}")
        return 0
    output = Path(args.output or f"inventory.{args.format}")
    counts = f"{len(inventory.columns)} columns, {len(inventory.important)} 重要数据 datasets"
    if args.format == "xlsx":
        write_xlsx(output, inventory)
        say(f"wrote {output}: {counts}{version}")
        return 0
    columns = [_cells(c, COLUMN_HEADERS) for c in inventory.columns]
    write_csv(output, list(COLUMN_HEADERS.values()), columns)
    important = important_path(output)
    rows = [_cells(i, IMPORTANT_HEADERS) for i in inventory.important]
    write_csv(important, list(IMPORTANT_HEADERS.values()), rows)
    say(f"wrote {output} and {important}: {counts}{version}")
    return 0


def register(sub: Any) -> None:
    """Add ``inventory`` to the ``pubdata`` parser."""
    inv = sub.add_parser(
        "inventory", help="export the 数据分类分级清单 and the 重要数据目录 (csv, xlsx, json)"
    )
    inv.add_argument("--format", choices=["csv", "xlsx", "json"], default="csv")
    inv.add_argument(
        "--output",
        help="file to write (default: inventory.csv / inventory.xlsx; json: stdout); csv also "
        "writes <name>.important.csv",
    )
    inv.add_argument(
        "--as-of", help="an earlier snapshot: a Delta version of _meta/inventory or an ISO time"
    )
    inv.set_defaults(func=cmd_inventory)
