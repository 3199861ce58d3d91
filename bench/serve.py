"""The SQL endpoint's refresh of one large table: Delta snapshot → COPY → swap (issue #14).

Writes a register of ``--rows`` rows and 15 columns (ID-like strings, names, dates, amounts) as
a Delta table, creates a throwaway database on ``--admin`` (default: the machine's PostgreSQL),
and times :func:`etl.serve.publish.refresh_table` (read, CSV render, COPY, ANALYZE, swap), best
of ``--runs``, next to the CSV rendering alone (Arrow's writer, no database).

    .venv/bin/python bench/serve.py                 # 1,000,000 rows
    .venv/bin/python bench/serve.py --rows 100000 --runs 1
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv

from etl.lake import delta
from etl.registry import load_registry
from etl.serve.database import connect, prepare
from etl.serve.model import ServedTable
from etl.serve.publish import refresh_table
from etl.settings import Settings
from etl.zones import Zone


def register(rows: int) -> pa.Table:
    rng = np.random.default_rng(7)
    ids = rng.integers(10**17, 10**18 - 1, rows)
    days = np.datetime64("1950-01-01") + rng.integers(0, 25_000, rows).astype("timedelta64[D]")
    columns: dict[str, pa.Array] = {
        "sfzh": pa.array(ids.astype(str)),
        "xm": pa.array(np.char.add("姓名", (ids % 100_000).astype(str))),
        "xb": pa.array(np.where(ids % 2 == 0, "男", "女")),
        "csrq": pa.array(days),
        "mz": pa.array(np.char.add("民族", (ids % 56).astype(str))),
        "hjdz": pa.array(np.char.add("湖北省武汉市洪山区街道", (ids % 9973).astype(str))),
        "lxdh": pa.array(np.char.add("138", (ids % 10**8).astype(str))),
        "jfjs": pa.array(rng.random(rows) * 20_000),
        "rs": pa.array(rng.integers(1, 9, rows)),
        "zjlx": pa.array(np.full(rows, "居民身份证")),
        "dw": pa.array(np.char.add("单位", (ids % 5000).astype(str))),
        "zy": pa.array(np.char.add("职业", (ids % 300).astype(str))),
        "_run_id": pa.array(np.full(rows, "manual__2024-06-01T00:00:00+00:00")),
        "_source_row": pa.array(np.arange(1, rows + 1)),
        "_logical_date": pa.array([date(2024, 6, 1)] * rows, pa.date32()),
    }
    return pa.table(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--admin", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    table = register(args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        uri = str(Path(tmp) / "lake" / "shared" / "population" / "register")
        delta.replace_all(uri, table, {})
        started = time.perf_counter()
        for batch in delta.dataset(uri).to_batches(batch_size=50_000):
            pacsv.write_csv(batch, io.BytesIO(), pacsv.WriteOptions(include_header=False))
        render_s = time.perf_counter() - started
        name = f"pubdata_serve_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.admin, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.admin.rsplit("/", 1)[0] + f"/{name}"
            settings = replace(Settings.from_env({"PUBDATA_HOME": tmp}), serve_url=url)
            served = ServedTable(
                "shared_population",
                "register",
                Zone.SHARED,
                "population",
                "register",
                uri,
                "人口登记 (bench)",
            )
            registry = load_registry(Path(tmp) / "no-registry")
            best = timedelta.max.total_seconds()
            with connect(settings) as conn:
                prepare(conn)
                for _ in range(args.runs):
                    done = refresh_table(conn, served, settings, registry, {}, [], force=True)
                    assert done.rows == args.rows, done
                    best = min(best, done.seconds)
        finally:
            with psycopg.connect(args.admin, autocommit=True) as con:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rate = args.rows / best
    print("| rows | columns | CSV render alone | refresh (read, COPY, ANALYZE, swap) | rows/s |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {args.rows:,} | {table.num_columns} | {render_s:.1f} s | {best:.1f} s | {rate:,.0f} |"
    )


if __name__ == "__main__":
    main()
