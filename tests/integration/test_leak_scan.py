"""No side channels: raw L3/L4 values of the restricted zone appear nowhere else.

Every sample dataset runs through the real CLI (`pubdata run` → the DAG runner) in the
session's Airflow home (runs another test module already made there are reused). Then every raw
value of every column graded L3 or L4 — taken from the restricted zone and the quarantine tables —
is searched for in: every table of the shared and open zones, every ``_meta`` table, the
OpenLineage event file, the CLI and Airflow logs, the ``invocations`` records, every table of the
Airflow metadata DB and the staging files other than the runs' Arrow data. The helpers are
shared with test_secrets, which adds credentials to what is searched.

A value that also appears in an L1/L2 column of some restricted table is public there, and a
value written in an expectation suite is a code-table entry (the 56 民族 names): neither is
searched (a registration date equal to a child's birth date is not a leak; the vocabulary of a
value set is not, only its link to a person would be). Failures name the
place and the column the value came from, never the value.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from etl.classify import classification_from_meta
from etl.lake import delta
from etl.lake.layout import RUN_META_TABLES, quarantine_table_uri, zone_table_uri
from etl.lineage import read_meta
from etl.registry import load_registry
from tests.integration.conftest import Cli

pytestmark = pytest.mark.integration

DAY = "2024-06-01"
#: Secrets at least this long are searched as substrings; shorter Han ones only standing alone.
LONG = 4
HAN = re.compile(r"[\u3400-\u9fff]")
#: Literals per RE2 alternation when searching text.
CHUNK = 200


@pytest.fixture(scope="module")
def every_sample_run(cli: Cli) -> dict[str, str]:
    """Run every registered dataset for DAY unless this Airflow home already has a success."""
    return run_every_sample(cli)


def run_every_sample(cli: Cli) -> dict[str, str]:
    """Dataset id → domain, after making sure each dataset has a successful run for DAY."""
    registry = load_registry(cli.settings.registry)
    runs = read_meta(cli.settings.lake, "lineage_runs").to_pylist()
    done = {
        r["dataset"] for r in runs if r["status"] == "success" and str(r["logical_date"]) == DAY
    }
    if set(registry.datasets) - done:
        # every dataset through one DAG runner, as `make demo` runs them
        ran = cli("demo", "--date", DAY)
        assert ran.returncode == 0, ran.stderr.strip()[-1000:]
    return {d.id: d.domain for d in registry.datasets.values()}


def cells_of(table: pa.Table) -> Iterator[str]:
    for column in table.columns:
        for value in column.to_pylist():
            if value is not None and value != "":
                yield str(value).strip()


def _classifications(cli: Cli) -> dict[str, dict[str, str]]:
    rows = read_meta(cli.settings.lake, "classifications").to_pylist()
    out: dict[str, dict[str, str]] = {}
    for dataset in {r["dataset"] for r in rows}:
        latest = classification_from_meta(r for r in rows if r["dataset"] == dataset)
        assert latest is not None
        out[dataset] = {c.name: c.grade for c in latest.columns}
    return out


SHORT_NUMBER = re.compile(r"-?[0-9]{1,6}(?:\.[0-9]+)?")


@pytest.fixture(scope="module")
def secret_values(cli: Cli, every_sample_run: dict[str, str]) -> dict[str, str]:
    """Raw L3/L4 value → ``dataset.column`` it came from (public values removed)."""
    return collect_secrets(cli, every_sample_run)


def collect_secrets(cli: Cli, domains: dict[str, str], minimum: int = 5000) -> dict[str, str]:
    """Raw L3/L4 values of the restricted zone, each with the column it came from.

    ``minimum``: how many there must be at least (a scan for nothing proves nothing).
    """
    lake = cli.settings.lake
    found: dict[str, str] = {}
    public: set[str] = set()
    for dataset, grades in _classifications(cli).items():
        domain = domains[dataset]
        for uri in (
            zone_table_uri(lake, "restricted", domain, dataset),
            quarantine_table_uri(lake, domain, dataset),
        ):
            if not delta.table_exists(uri):
                continue
            table = delta.read(uri)
            for name in table.column_names:
                if name.startswith("_") or name not in grades:
                    continue
                values = set(cells_of(table.select([name])))
                if grades[name] in ("L3", "L4"):
                    found.update(dict.fromkeys(values - found.keys(), f"{dataset}.{name}"))
                else:
                    public |= values
    public |= _configured_literals(cli)
    # A short number (an amount of an L4 personal_finance column: 744.0) identifies nobody and
    # turns up in any page's counts and hours; identifiers are searched, amounts are not.
    secret = {
        v: where
        for v, where in found.items()
        if v not in public and len(v) >= 2 and not SHORT_NUMBER.fullmatch(v)
    }
    assert len(secret) > minimum  # the samples hold thousands of personal values
    return secret


def _configured_literals(cli: Cli) -> set[str]:
    """Strings written in the expectation suites (code tables such as the 56 民族 names)."""

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    literals: set[str] = set()
    for suite in Path(cli.settings.expectations).glob("*.json"):
        literals.update(walk(json.loads(suite.read_text(encoding="utf-8"))))
    return literals


def delta_tables(root: Path) -> Iterator[Path]:
    for log in root.rglob("_delta_log"):
        yield log.parent


def search(lines: list[str], secret: dict[str, str]) -> Counter[str]:
    """Source columns of the secrets found inside ``lines`` (RE2 alternations in chunks).

    Values of four characters or more are searched as substrings. Shorter ones (two- and
    three-character names) only where they stand alone, not inside a longer run of Han
    characters: a company name may contain a person's two characters by chance.
    """
    hits: Counter[str] = Counter()
    if not lines:
        return hits
    text = pa.array(lines, pa.string())
    long = sorted(v for v in secret if len(v) >= LONG)
    short = sorted(v for v in secret if len(v) < LONG and HAN.search(v))
    for needles, edge in ((long, ("", "")), (short, (r"(?:^|[^\p{Han}])", r"(?:$|[^\p{Han}])"))):
        for i in range(0, len(needles), CHUNK):
            chunk = needles[i : i + CHUNK]
            pattern = edge[0] + "(?:" + "|".join(re.escape(v) for v in chunk) + ")" + edge[1]
            mask = pc.match_substring_regex(text, pattern)
            if not pc.any(mask).as_py():
                continue
            suspects = text.filter(mask)
            for value in chunk:
                one = edge[0] + re.escape(value) + edge[1]
                if pc.any(pc.match_substring_regex(suspects, one)).as_py():
                    hits[secret[value]] += 1
    return hits


def lines_of(paths: Iterable[Path]) -> list[str]:
    out: list[str] = []
    for path in paths:
        if path.is_file():
            out.extend(path.read_text(encoding="utf-8", errors="replace").splitlines())
    return out


def report(hits: Counter[str]) -> str:
    return ", ".join(f"{n} value(s) of {where}" for where, n in hits.most_common())


def test_no_raw_value_in_shared_or_opendelta_tables(
    cli: Cli, secret_values: dict[str, str]
) -> None:
    lake = Path(cli.settings.lake)
    checked = 0
    for zone in ("shared", "open"):
        for path in delta_tables(lake / zone):
            cells = list(cells_of(delta.read(str(path))))
            exact = Counter(secret_values[c] for c in cells if c in secret_values)
            assert not exact, f"{zone} {path.name}: {report(exact)}"
            inside = search([c for c in cells if len(c) > 2], secret_values)
            assert not inside, f"{zone} {path.name}: {report(inside)}"
            checked += 1
    assert checked >= 12  # nine datasets' shared tables and the three open ones


def test_no_raw_value_in_metadelta_tables(cli: Cli, secret_values: dict[str, str]) -> None:
    tables = list(delta_tables(Path(cli.settings.lake) / "_meta"))
    # quarantine_rows and reviews are created by the first run that has something to put there
    assert {p.name for p in tables} >= set(RUN_META_TABLES) - {"quarantine_rows", "reviews"}
    for path in tables:
        cells = list(cells_of(delta.read(str(path))))
        exact = Counter(secret_values[c] for c in cells if c in secret_values)
        assert not exact, f"_meta.{path.name}: {report(exact)}"
        inside = search(cells, secret_values)
        assert not inside, f"_meta.{path.name}: {report(inside)}"


def test_no_raw_value_in_lineage_events_logs_or_records(
    cli: Cli, secret_values: dict[str, str]
) -> None:
    home = cli.settings.home
    places = {
        "openlineage events": [home / "openlineage" / "events.jsonl"],
        "CLI logs": sorted((home / "logs").rglob("*")),
        "Airflow task logs": sorted((home / "airflow" / "logs").rglob("*")),
        "CLI invocation records": sorted((home / "invocations").rglob("*")),
    }
    assert (home / "logs").is_dir() and any(p.is_file() for p in places["CLI logs"])
    for place, paths in places.items():
        hits = search(lines_of(paths), secret_values)
        assert not hits, f"{place}: {report(hits)}"


def metadata_db_lines(path: Path) -> dict[str, list[str]]:
    """Every non-empty cell of every table of an Airflow SQLite metadata DB, as text, by table.

    XCom, rendered task instance fields, DAG runs and their conf, the audit log, connections and
    variables as stored: whatever a task or the CLI put there. Binary cells are decoded as UTF-8
    with replacement, so text inside them is still found.
    """
    found: dict[str, list[str]] = {}
    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for name in names:
            lines = found.setdefault(name, [])
            for row in db.execute(f'SELECT * FROM "{name}"'):
                for cell in row:
                    if isinstance(cell, bytes):
                        lines.append(cell.decode("utf-8", errors="replace"))
                    elif isinstance(cell, str) and cell:
                        lines.append(cell)
    return found


def staging_lines(home: Path) -> list[str]:
    """Text of every staging file but the Arrow tables of run data (the restricted area)."""
    return lines_of(p for p in sorted((home / "staging").rglob("*")) if p.suffix != ".arrow")


def test_no_raw_value_in_the_airflow_metadata_db(cli: Cli, secret_values: dict[str, str]) -> None:
    tables = metadata_db_lines(cli.settings.home / "airflow" / "airflow.db")
    assert tables["xcom"], "the runs pushed no XCom at all"
    for table, lines in tables.items():
        hits = search(lines, secret_values)
        assert not hits, f"airflow.db {table}: {report(hits)}"


def test_no_raw_value_in_staging_outside_the_run_data(
    cli: Cli, secret_values: dict[str, str]
) -> None:
    hits = search(staging_lines(cli.settings.home), secret_values)
    assert not hits, f"staging: {report(hits)}"
