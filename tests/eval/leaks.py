"""Leak count: corpus tables through the real pipeline, raw personal values in shared and open.

Each table is delivered as a CSV file into a temporary landing folder and registered with a plain
dataset YAML (file source, csv, every column a string; no column override, no floor, no
baseline, ``open: true``), then run with :func:`etl.pipeline.local.run_local` in this process.
Afterwards the shared and open zones are read back and every value of a column labelled with a
grade of L3 or L4 is looked for: a leak is such a value found raw in a published cell (exact match
after stripping, or inside a cell for values of 8 characters or more, which catches a value in
free text). The columns the publication guard withheld are counted too, and those whose true
grade is L1/L2 are false holds (a review an operator did not need). Only counts leave this
module, never a value.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from etl.classify import grade_rank
from etl.errors import PubdataError
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.pipeline.local import local_context, run_local
from etl.registry import load_registry
from etl.settings import Settings
from etl.zones import ZONES
from tests.eval.corpus import LOGICAL_DATE, LabelledTable

#: Not a secret: the token key of a throwaway lake (the form tests/conftest.py uses).
TOKEN_KEY = "eval:" + "ZXZhbC1rZXktbm90LWEtc2VjcmV0LTMyLWJ5dGVzLi4u"
DOMAIN = "evaluation"
DEPARTMENT = "evaluation"
#: Values this long are also looked for inside published cells (free text, concatenations).
SUBSTRING_MIN = 8
PUBLISHED = tuple(z for z in ZONES if z != "restricted")


@dataclass(frozen=True)
class TableLeaks:
    """One table's run and what of its personal values was found published.

    Attributes:
        table: table name.
        personal_values: distinct values of its L3/L4 columns (the ones that must not leak).
        leaked: how many of them were found raw in the shared or open zone.
        status: ``success``, or ``failed:<stage>`` when the run raised (then nothing was read).
        withheld: columns the publication guard kept out of shared/open.
        false_holds: of those, columns whose true grade is L1 or L2.
    """

    table: str
    personal_values: int
    leaked: int
    status: str
    withheld: int = 0
    false_holds: int = 0


@dataclass
class LeakReport:
    """The leak count of one run of the harness."""

    tables: list[TableLeaks] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def leaks(self) -> int:
        """Personal values found raw in shared or open, over every table."""
        return sum(t.leaked for t in self.tables)

    @property
    def withheld(self) -> int:
        """Columns the publication guard withheld, over every table."""
        return sum(t.withheld for t in self.tables)

    @property
    def false_holds(self) -> int:
        """Withheld columns that were not personal (true grade L1/L2)."""
        return sum(t.false_holds for t in self.tables)

    @property
    def failed(self) -> list[TableLeaks]:
        """Tables whose run raised."""
        return [t for t in self.tables if t.status != "success"]

    def summary(self) -> dict[str, object]:
        """Aggregate numbers (no table name): for the frozen part."""
        return {
            "tables": len(self.tables),
            "tables_leaking": sum(1 for t in self.tables if t.leaked),
            "personal_values": sum(t.personal_values for t in self.tables),
            "leaks": self.leaks,
            "withheld_columns": self.withheld,
            "false_holds": self.false_holds,
            "failed_runs": len(self.failed),
            "seconds": round(self.seconds, 2),
        }


def personal_values(table: LabelledTable) -> set[str]:
    """Distinct stripped values of the columns whose true grade is L3 or L4."""
    out: set[str] = set()
    for column in table.columns:
        if grade_rank(column.true_grade) >= grade_rank("L3"):
            out.update(s for s in (str(v).strip() for v in column.values if v is not None) if s)
    return out


def count_found(values: set[str], cells: set[str]) -> int:
    """How many of ``values`` appear in ``cells``: exactly, or inside one if long enough."""
    haystack = "\x00".join(cells)
    return sum(
        1
        for value in values
        if value in cells or (len(value) >= SUBSTRING_MIN and value in haystack)
    )


def _registry_entry(table: LabelledTable) -> dict[str, object]:
    return {
        "id": table.name,
        "title": table.name,
        "department": DEPARTMENT,
        "domain": DOMAIN,
        "source": {"kind": "file", "format": "csv", "path": f"eval/{table.name}/{{ds}}.csv"},
        "columns": {column.name: "string" for column in table.columns},
        "open": True,
    }


def _deliver(root: Path, tables: list[LabelledTable]) -> Settings:
    """CSV deliveries, registry files and settings of a fresh home under ``root``."""
    landing, registry, expectations = root / "landing", root / "registry", root / "expectations"
    for folder in (registry, expectations):
        folder.mkdir(parents=True)
    for table in tables:
        delivery = landing / "eval" / table.name / f"{LOGICAL_DATE}.csv"
        delivery.parent.mkdir(parents=True)
        with delivery.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in table.columns])
            for row in zip(*(c.values for c in table.columns), strict=True):
                writer.writerow(["" if v is None else v for v in row])
        text = yaml.safe_dump(_registry_entry(table), allow_unicode=True, sort_keys=False)
        (registry / f"{table.name}.yaml").write_text(text, encoding="utf-8")
    return Settings.from_env(
        {
            "PUBDATA_HOME": str(root / "home"),
            "PUBDATA_REGISTRY": str(registry),
            "PUBDATA_LANDING": str(landing),
            "PUBDATA_EXPECTATIONS": str(expectations),
            "PUBDATA_LAKE": str(root / "home" / "lake"),
            "PUBDATA_TOKEN_KEY": TOKEN_KEY,
            "PUBDATA_WORKERS": "1",
        }
    )


def _published_cells(settings: Settings, dataset: str) -> set[str]:
    """Stripped text of every data cell of the dataset's shared and open tables."""
    cells: set[str] = set()
    for zone in PUBLISHED:
        uri = zone_table_uri(str(settings.lake), zone, DOMAIN, dataset)
        if not Path(uri).exists():  # the open zone is written only for an L1 dataset
            continue
        data = delta.read(uri)
        for name in data.column_names:
            if name.startswith("_"):  # lineage columns
                continue
            for value in data.column(name).to_pylist():
                if value is not None and (text := str(value).strip()):
                    cells.add(text)
    return cells


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the pipeline's logs while the harness runs.

    Its warnings name tables and columns (the publication guard's, for one), and the frozen
    part's names must not be printed; what a run did is in the report instead.
    """
    logging.disable(logging.ERROR)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def count_leaks(tables: list[LabelledTable], workdir: Path | None = None) -> LeakReport:
    """Run every table through the pipeline in this process and count published raw values.

    Args:
        tables: the corpus tables (each becomes one dataset of the temporary registry).
        workdir: where the landing folder, registry and lake go (default: a temporary folder,
            removed afterwards).

    Returns:
        The leak count per table and the wall time of the whole harness.
    """
    started = time.perf_counter()
    report = LeakReport()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="pubdata-leaks-"))
            )
        stack.enter_context(_quiet())
        settings = _deliver(workdir, tables)
        registry = load_registry(settings.registry)
        registry.raise_for_problems()
        day = dt.date.fromisoformat(LOGICAL_DATE)
        for table in tables:
            dataset = registry.get(table.name)
            values = personal_values(table)
            try:
                summary = run_local(
                    settings, dataset, local_context(dataset, day, run_id="eval")
                ).to_dict()
            except PubdataError as exc:
                report.tables.append(TableLeaks(table.name, len(values), 0, f"failed:{exc.stage}"))
                continue
            found = count_found(values, _published_cells(settings, table.name))
            held = {w["column"] for w in summary.get("withheld", [])}
            public = {c.name for c in table.columns if grade_rank(c.true_grade) <= grade_rank("L2")}
            report.tables.append(
                TableLeaks(table.name, len(values), found, "success", len(held), len(held & public))
            )
    report.seconds = time.perf_counter() - started
    return report
