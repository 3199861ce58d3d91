"""The access log's cost per append: 200 appends, then the same after a compaction.

    .venv/bin/python bench/audit_log.py [--appends 200]

Prints a table: appends, total seconds, mean, first and last 20 (the head is found from the
latest commits, so the cost must not grow with the log), and ``audit verify`` of the whole log.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from etl.audit import AccessEvent, Action, record_access, verify_chain
from etl.audit.log import log_uri
from etl.cli.table import render
from etl.lake.maintenance import compact_table
from tests.conftest import make_settings


def _appends(settings, count: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for n in range(count):
        event = AccessEvent("os:bench", Action.SQL, ("shared.population.t",), ("xm",), rows=n)
        started = time.perf_counter()
        record_access(settings, event)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appends", type=int, default=200)
    args = parser.parse_args()
    settings = make_settings(Path(tempfile.mkdtemp()) / "home")
    rows = []
    for label in ("fresh log", "after compaction"):
        times = _appends(settings, args.appends)
        rows.append(
            [
                label,
                len(times),
                f"{sum(times):.2f}",
                f"{1000 * sum(times) / len(times):.0f}",
                f"{1000 * sum(times[:20]) / 20:.0f}",
                f"{1000 * sum(times[-20:]) / 20:.0f}",
            ]
        )
        compact_table(settings, log_uri(settings))
    started = time.perf_counter()
    report = verify_chain(settings)
    print(render(["log", "appends", "s", "mean ms", "first 20 ms", "last 20 ms"], rows))
    print(f"verify: {report.rows} rows, ok={report.ok}, {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
