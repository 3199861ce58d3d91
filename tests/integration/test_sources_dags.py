"""Every source kind through its DAG: ``pubdata run`` → the DAG runner → the lake.

One embedded Airflow home and lake serve four runs (each costs ~20 s of Airflow start-up):

* a ``sql`` source, incremental over the run's data interval, on a database this module creates
  on the machine's PostgreSQL, with the connection given as an ``AIRFLOW_CONN_<ID>`` variable;
* an ``http`` source, paginated, against a JSON API this module serves on 127.0.0.1;
* a glob of two CSV files (one with a ragged row), then the same files again for another date:
  a duplicate delivery, recorded and skipped.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pytest
import sqlalchemy as sa

from etl.lake import delta
from etl.lake.layout import quarantine_table_uri
from etl.lineage import read_meta
from tests.http_quiet import QuietHandler
from tests.integration.conftest import Cli, cli_for

pytestmark = pytest.mark.integration

DAY = "2024-06-01"
TOKEN = "exchange-token"
ORDERS = [  # id, code, name, updated_at (UTC): only 2024-06-01's rows belong to the run
    (1, "0012345", "甲公司", "2024-05-31 23:59:59"),
    (2, "0000001", "乙公司", "2024-06-01 00:00:00"),
    (3, "0000002", "丙公司", "2024-06-01 12:30:00"),
    (4, "0000003", "丁公司", "2024-06-01 23:59:59"),
    (5, "0000004", "戊公司", "2024-06-02 00:00:00"),
]
RECORDS = [
    {"tyshxydm": f"{i:018d}", "qymc": f"企业{i}", "fr": {"xm": f"法人{i}"}} for i in range(5)
]

REGISTRY = {
    "dept/orders_db.yaml": """
id: orders_db
title: 订单 (orders from a department database)
department: dept
domain: finance
source:
  kind: sql
  conn_id: dept_db
  table: orders
  mode: incremental
  watermark: updated_at
columns: {id: int64, code: string, updated_at: timestamp}
""",
    "dept/enterprises_api.yaml": """
id: enterprises_api
title: 企业 (enterprises from the exchange platform)
department: dept
domain: legal_entity
source:
  kind: http
  conn_id: exchange
  endpoint: /api/enterprises
  params: {day: "{ds}"}
  records: data.items
  pagination: {type: page, size: 2}
""",
    "dept/parts.yaml": """
id: parts
title: 分片文件 (a delivery of several files)
department: dept
domain: population
source:
  kind: file
  format: csv
  path: parts/{ds}/*.csv
columns: {n: int64}
""",
}
PART_1 = "n,name\n1,a\n2,b\n"
PART_2 = "n,name\n3,c\n4,d,extra\n5,e\n"  # line 3 is ragged


class _Api(QuietHandler):
    days: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            status, body = 401, {"error": "unauthorised"}
        elif url.path != "/api/enterprises":
            status, body = 404, {"error": "not found"}
        else:
            self.days.append(query.get("day", ""))
            page, size = int(query["page"]), int(query["size"])
            status, body = 200, {"data": {"items": RECORDS[(page - 1) * size : page * size]}}
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A throw-away PostgreSQL database with an ``orders`` table; yields its SQLAlchemy URL."""
    name = f"pubdata_dag_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TABLE orders (id integer PRIMARY KEY, code varchar(18), name text,"
                " updated_at timestamp)"
            )
            conn.exec_driver_sql("COMMENT ON COLUMN orders.name IS '企业名称'")
            for row in ORDERS:
                conn.execute(
                    sa.text("INSERT INTO orders VALUES (:i, :c, :n, CAST(:u AS timestamp))"),
                    dict(zip("icnu", row, strict=True)),
                )
        engine.dispose()
        yield url
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, database: str, api: str) -> Cli:
    root = tmp_path_factory.mktemp("sources")
    registry, landing = root / "registry", root / "landing"
    for name, text in REGISTRY.items():
        (registry / name).parent.mkdir(parents=True, exist_ok=True)
        (registry / name).write_text(text.lstrip(), encoding="utf-8")
    parts = landing / "parts" / DAY
    parts.mkdir(parents=True)
    (parts / "part-1.csv").write_text(PART_1, encoding="utf-8")
    (parts / "part-2.csv").write_text(PART_2, encoding="utf-8")
    cli = cli_for(
        root / "home",
        PUBDATA_REGISTRY=str(registry),
        PUBDATA_LANDING=str(landing),
        PUBDATA_EXPECTATIONS=str(root / "expectations"),
    )
    cli.env["AIRFLOW_CONN_DEPT_DB"] = database
    extra = json.dumps({"auth_type": "bearer"})
    cli.env["AIRFLOW_CONN_EXCHANGE"] = json.dumps(
        {"conn_type": "http", "host": api, "password": TOKEN, "extra": extra}
    )
    return cli


def run(cli: Cli, dataset: str, day: str = DAY) -> dict[str, Any]:
    code, summary, stderr = cli.run_json(dataset, day)
    assert code == 0 and summary["status"] == "success", (stderr, summary)
    assert summary["rows_in"] == summary["rows_loaded"] + summary["rows_quarantined"]
    return summary


def files_of(cli: Cli, dataset: str) -> list[dict[str, Any]]:
    rows = read_meta(cli.settings.lake, "source_files").to_pylist()
    return sorted((r for r in rows if r["dataset"] == dataset), key=lambda r: r["relative_path"])


def check_provenance(table: pa.Table, files: list[dict[str, Any]]) -> None:
    """Every row names a recorded delivery and carries that delivery's sha256."""
    recorded = {f["relative_path"]: f["sha256"] for f in files if f["role"] == "delivery"}
    for path, sha in zip(
        table["_source_file"].to_pylist(), table["_source_sha256"].to_pylist(), strict=True
    ):
        assert recorded[path] == sha


def test_sql_source_reads_exactly_the_data_interval(cli: Cli) -> None:
    summary = run(cli, "orders_db")
    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]) == (3, 3, 0)
    restricted = delta.read(summary["tables"]["restricted"]).sort_by("id")
    assert restricted["id"].to_pylist() == [2, 3, 4]
    assert restricted["code"].to_pylist() == ["0000001", "0000002", "0000003"]
    files = files_of(cli, "orders_db")
    assert [(f["relative_path"], f["kind"], f["rows"], f["role"]) for f in files] == [
        ("dept_db:orders", "sql", 3, "delivery")
    ]
    assert "postgres@" not in (files[0]["uri"] or "")
    check_provenance(restricted, files)
    assert restricted["_source_row"].to_pylist() == [1, 2, 3]


def test_http_source_reads_every_page(cli: Cli) -> None:
    summary = run(cli, "enterprises_api")
    assert (summary["rows_in"], summary["rows_loaded"]) == (5, 5)
    restricted = delta.read(summary["tables"]["restricted"])
    assert sorted(restricted["tyshxydm"].to_pylist()) == [r["tyshxydm"] for r in RECORDS]
    assert "fr.xm" in restricted.column_names  # nested objects flattened
    files = files_of(cli, "enterprises_api")
    assert [(f["kind"], f["rows"]) for f in files] == [("http", 2), ("http", 2), ("http", 1)]
    assert all("page=" in f["relative_path"] and TOKEN not in f["uri"] for f in files)
    check_provenance(restricted, files)
    assert set(_Api.days) == {DAY}  # {ds} filled in the query


def test_glob_of_two_files_with_a_ragged_row_then_a_duplicate_delivery(cli: Cli) -> None:
    summary = run(cli, "parts")
    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]) == (5, 4, 1)
    restricted = delta.read(summary["tables"]["restricted"]).sort_by("n")
    assert restricted["n"].to_pylist() == [1, 2, 3, 5]
    assert restricted["_source_file"].to_pylist() == [
        f"parts/{DAY}/part-1.csv",
        f"parts/{DAY}/part-1.csv",
        f"parts/{DAY}/part-2.csv",
        f"parts/{DAY}/part-2.csv",
    ]
    assert restricted["_source_row"].to_pylist() == [1, 2, 1, 3]
    files = files_of(cli, "parts")
    assert [(f["relative_path"], f["rows"], f["role"]) for f in files] == [
        (f"parts/{DAY}/part-1.csv", 2, "delivery"),
        (f"parts/{DAY}/part-2.csv", 3, "delivery"),  # rows read, the ragged one included
    ]
    check_provenance(restricted, files)
    uri = quarantine_table_uri(cli.settings.lake, "population", "parts")
    quarantine = delta.read(uri).to_pylist()
    assert [(q["_source_file"], q["_source_row"], q["_reasons"]) for q in quarantine] == [
        (f"parts/{DAY}/part-2.csv", 2, "ragged:3/2")
    ]

    # the same two files delivered again for the next day: recorded, not loaded twice
    later = "2024-06-02"
    folder = cli.settings.landing / "parts" / later
    folder.mkdir(parents=True)
    (folder / "part-1.csv").write_text(PART_1, encoding="utf-8")
    (folder / "part-2.csv").write_text(PART_2, encoding="utf-8")
    code, skipped, stderr = cli.run_json("parts", later)
    assert skipped["status"] == "skipped" and code != 0
    assert "already loaded" in stderr and len(stderr.strip().splitlines()) == 1
    assert {
        d for d in delta.read(summary["tables"]["restricted"])["_logical_date"].to_pylist()
    } == {date.fromisoformat(DAY)}
    again = [f for f in files_of(cli, "parts") if f["logical_date"].isoformat() == later]
    assert [(f["role"], f["duplicate_of_path"]) for f in again] == [
        ("duplicate", f"parts/{DAY}/part-1.csv"),
        ("duplicate", f"parts/{DAY}/part-2.csv"),
    ]
    runs = read_meta(cli.settings.lake, "lineage_runs").to_pylist()
    assert [r["status"] for r in runs if r["logical_date"].isoformat() == later] == ["skipped"]
