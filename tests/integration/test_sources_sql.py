"""sql sources against the machine's real PostgreSQL and MariaDB servers.

Each backend gets its own throw-away database, created and dropped here. The drivers are project
dependencies (psycopg for PostgreSQL, PyMySQL for MariaDB): when one is missing these tests fail
with a message saying which package to add; they are never skipped.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.errors import ConfigError, DataError, TransientError
from etl.extract import EnvConnections, Extracted, extract_source
from etl.registry.sources import SqlSource

pytestmark = pytest.mark.integration

DAY = date(2024, 6, 1)
# 2024-06-01 in Asia/Shanghai, as Airflow passes a data interval (aware, UTC).
INTERVAL = (datetime(2024, 5, 31, 16, tzinfo=UTC), datetime(2024, 6, 1, 16, tzinfo=UTC))
ROWS = [
    (1, "0012345", "甲公司", "12.50", "2024-06-01 00:00:00", "2024-06-01", None),
    (2, "0000001", "乙公司", "0.00", "2024-06-01 23:59:59", "2024-06-01", "备注"),
    (3, "0000002", "丙公司", "7.25", "2024-05-31 23:59:59", "2024-05-31", None),
    (4, "0000003", "丁公司", "1.00", "2024-06-02 00:00:00", "2024-06-02", None),
]
DRIVERS = {"postgres": ("psycopg", "psycopg[binary]"), "mariadb": ("pymysql", "pymysql")}


@dataclass(frozen=True)
class Backend:
    kind: str
    name: str
    engine: sa.Engine
    env: dict[str, str]


def _require_driver(kind: str) -> None:
    module, package = DRIVERS[kind]
    try:
        importlib.import_module(module)
    except ModuleNotFoundError:
        pytest.fail(
            f"the {kind} driver is not installed: add {package!r} to the project dependencies"
            " in pyproject.toml (these tests are never skipped)",
            pytrace=False,
        )


def _setup_postgres(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            'CREATE TABLE "order" (id integer PRIMARY KEY, code varchar(18), name text,'
            " amount numeric(12, 2), updated_at timestamp, day date, note text,"
            " updated_tz timestamptz)"
        )
        conn.exec_driver_sql("COMMENT ON COLUMN \"order\".code IS '统一社会信用代码'")
        conn.exec_driver_sql("COMMENT ON COLUMN \"order\".name IS '企业名称'")
        conn.exec_driver_sql("CREATE SCHEMA dept")
        conn.exec_driver_sql('CREATE TABLE dept."Select" (id integer PRIMARY KEY, v text)')
        conn.exec_driver_sql("INSERT INTO dept.\"Select\" VALUES (1, 'x')")
        conn.exec_driver_sql("CREATE TABLE audit (n integer)")
        conn.exec_driver_sql(
            "CREATE FUNCTION bump() RETURNS integer AS"
            " 'INSERT INTO audit VALUES (1) RETURNING 1' LANGUAGE sql"
        )
        conn.exec_driver_sql("SET TIME ZONE 'Asia/Shanghai'")
        for row in ROWS:
            conn.execute(
                sa.text(
                    'INSERT INTO "order" VALUES (:i, :c, :n, CAST(:a AS numeric), CAST(:u AS'
                    " timestamp), CAST(:d AS date), :o, CAST(:u AS timestamp))"
                ),
                dict(zip("icnaudo", row, strict=True)),
            )


def _setup_mariadb(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE `order` (id INT PRIMARY KEY, code VARCHAR(18) COMMENT '统一社会信用代码',"
            " name TEXT COMMENT '企业名称', amount DECIMAL(12, 2), updated_at DATETIME(6),"
            " day DATE, note TEXT) DEFAULT CHARSET=utf8mb4"
        )
        conn.exec_driver_sql("CREATE TABLE `Select` (id INT PRIMARY KEY, v TEXT)")
        conn.exec_driver_sql("INSERT INTO `Select` VALUES (1, 'x')")
        conn.exec_driver_sql("CREATE TABLE audit (n INT)")
        conn.exec_driver_sql(
            "CREATE FUNCTION bump() RETURNS INT MODIFIES SQL DATA"
            " BEGIN INSERT INTO audit VALUES (1); RETURN 1; END"
        )
        for row in ROWS:
            conn.execute(
                sa.text("INSERT INTO `order` VALUES (:i, :c, :n, :a, :u, :d, :o)"),
                dict(zip("icnaudo", row, strict=True)),
            )


@contextmanager
def _database(kind: str) -> Iterator[Backend]:
    _require_driver(kind)
    name = f"pubdata_src_{uuid.uuid4().hex[:10]}"
    if kind == "postgres":
        admin_url = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        env_uri = f"postgres://postgres@127.0.0.1:5432/{name}"
        drop = f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    else:
        admin_url = "mysql+pymysql://root@127.0.0.1:3306/"
        url = f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
        env_uri = f"mysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
        drop = f"DROP DATABASE IF EXISTS {name}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine = sa.create_engine(url)
    try:
        (_setup_postgres if kind == "postgres" else _setup_mariadb)(engine)
        yield Backend(kind, name, engine, {"AIRFLOW_CONN_DEPT_DB": env_uri})
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(drop)
        admin.dispose()


@pytest.fixture(scope="module", params=["postgres", "mariadb"])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    with _database(request.param) as database:
        yield database


@pytest.fixture(scope="module")
def postgres() -> Iterator[Backend]:
    with _database("postgres") as database:
        yield database


def _extract(backend: Backend, interval: object = INTERVAL, **spec: object) -> Extracted:
    source = SqlSource.model_validate({"kind": "sql", "conn_id": "dept_db", **spec})
    return extract_source(
        source,
        landing=Path("/nonexistent"),
        logical_date=DAY,
        interval=interval,  # type: ignore[arg-type]
        connections=EnvConnections(backend.env),
    )


def test_snapshot_of_a_reserved_word_table_with_comments(backend: Backend) -> None:
    extracted = _extract(backend, table="order")
    rows = extracted.table.to_pylist()
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0]["code"] == "0012345"  # identifiers keep their leading zeros
    assert rows[0]["name"] == "甲公司"
    assert rows[0]["amount"] == "12.50"
    assert rows[0]["updated_at"] == "2024-06-01T00:00:00"
    assert rows[0]["day"] == "2024-06-01"
    assert rows[0]["note"] is None
    assert extracted.column_comments == {"code": "统一社会信用代码", "name": "企业名称"}
    [fingerprint] = extracted.fingerprints
    assert (fingerprint.kind, fingerprint.format, fingerprint.rows) == ("sql", "sql", 4)
    assert fingerprint.relative_path == "dept_db:order"
    assert "postgres@" not in fingerprint.uri and "root@" not in fingerprint.uri


def test_incremental_reads_exactly_the_data_interval(backend: Backend) -> None:
    spec = {
        "table": "order",
        "mode": "incremental",
        "watermark": "updated_at",
        "timezone": "Asia/Shanghai",
        "columns": ["id", "code", "updated_at"],
    }
    first = _extract(backend, **spec)
    assert first.table.column("id").to_pylist() == ["1", "2"]
    again = _extract(backend, **spec)
    assert again.fingerprints[0].sha256 == first.fingerprints[0].sha256
    by_day = _extract(backend, None, table="order", mode="incremental", watermark="day")
    assert by_day.table.column("id").to_pylist() == ["1", "2"]


def test_incremental_on_a_zoned_timestamp(postgres: Backend) -> None:
    # timestamptz is PostgreSQL's: the interval is bound as aware datetimes.
    extracted = _extract(
        postgres, table="order", mode="incremental", watermark="updated_tz", columns=["id"]
    )
    assert extracted.table.column("id").to_pylist() == ["1", "2"]


def test_query_with_bound_interval(backend: Backend) -> None:
    table = '"order"' if backend.kind == "postgres" else "`order`"
    query = (
        f"SELECT code, amount FROM {table} WHERE updated_at >= :start AND updated_at < :end"
        " ORDER BY code"
    )
    extracted = _extract(backend, query=query, mode="incremental", timezone="Asia/Shanghai")
    assert extracted.table.to_pylist() == [
        {"code": "0000001", "amount": "0.00"},
        {"code": "0012345", "amount": "12.50"},
    ]
    assert extracted.column_comments == {}
    assert extracted.fingerprints[0].uri.startswith("sql://dept_db/query?start=")


def test_a_column_named_like_a_lineage_column_is_refused(backend: Backend) -> None:
    table = '"order"' if backend.kind == "postgres" else "`order`"
    with pytest.raises(DataError, match=r"named '_run_id', a name the pipeline reserves"):
        _extract(backend, query=f"SELECT code, amount AS _run_id FROM {table}")


def test_schema_qualified_mixed_case_table(backend: Backend) -> None:
    schema = "dept" if backend.kind == "postgres" else backend.name
    extracted = _extract(backend, table=f"{schema}.Select")
    assert extracted.table.to_pylist() == [{"id": "1", "v": "x"}]


def _count(backend: Backend, table: str) -> int:
    quoted = f'"{table}"' if backend.kind == "postgres" else f"`{table}`"
    with backend.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"SELECT COUNT(*) FROM {quoted}").scalar() or 0)


def test_sessions_are_read_only(backend: Backend) -> None:
    with pytest.raises(ConfigError, match=r"^reading dept_db:query failed \(\w+ (25006|1792)\)"):
        _extract(backend, query="SELECT bump() AS n")
    assert _count(backend, "audit") == 0


def test_data_modifying_queries_are_refused(postgres: Backend) -> None:
    query = 'WITH gone AS (DELETE FROM "order" RETURNING id) SELECT id FROM gone'
    with pytest.raises(ConfigError, match=r"reading dept_db:query failed"):
        _extract(postgres, query=query)
    assert _count(postgres, "order") == 4


def test_errors_are_one_line_and_classified(backend: Backend) -> None:
    with pytest.raises(ConfigError, match="table missing not found on connection 'dept_db'"):
        _extract(backend, table="missing")
    wrong_user = dict(backend.env)
    wrong_user["AIRFLOW_CONN_DEPT_DB"] = (
        backend.env["AIRFLOW_CONN_DEPT_DB"]
        .replace("postgres@", "nobody@")
        .replace("root@", "nobody@")
    )
    source = SqlSource(kind="sql", conn_id="dept_db", table="order")
    # MariaDB names the refusal (errno 1698/1045: no retry); psycopg reports no SQLSTATE for a
    # refused connection, so for PostgreSQL it stays retriable.
    expected = TransientError if backend.kind == "postgres" else ConfigError
    with pytest.raises(expected, match=r"^connecting to 'dept_db' failed") as info:
        extract_source(
            source, landing=Path("/x"), logical_date=DAY, connections=EnvConnections(wrong_user)
        )
    assert "nobody" not in str(info.value)
    closed = {"AIRFLOW_CONN_DEPT_DB": "postgres://postgres@127.0.0.1:1/x"}
    with pytest.raises(TransientError, match="connecting to 'dept_db' failed"):
        extract_source(
            source, landing=Path("/x"), logical_date=DAY, connections=EnvConnections(closed)
        )
