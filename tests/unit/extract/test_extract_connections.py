from __future__ import annotations

import base64
import json

import pytest

from etl.errors import ConfigError
from etl.extract import ConnectionFields, EnvConnections, StaticConnections
from etl.extract.connections import http_target, sql_url


def test_env_uri_is_parsed_as_airflow_does() -> None:
    env = {"AIRFLOW_CONN_SRC_PG": "postgresql://etl:p%40ss@db.local:5432/dept?sslmode=require"}
    fields = EnvConnections(env).fields("src_pg")
    assert (fields.conn_type, fields.host, fields.port, fields.schema) == (
        "postgres",
        "db.local",
        5432,
        "dept",
    )
    assert (fields.login, fields.password) == ("etl", "p@ss")
    assert dict(fields.extra) == {"sslmode": "require"}
    assert "p@ss" not in repr(fields)


def test_env_json_form() -> None:
    value = {"conn_type": "mysql", "host": "h", "port": "3306", "login": "u", "password": "pw"}
    fields = EnvConnections({"AIRFLOW_CONN_M": json.dumps(value)}).fields("m")
    assert (fields.conn_type, fields.port) == ("mysql", 3306)
    url = sql_url(fields)
    assert url.drivername == "mysql+pymysql"
    assert "pw" not in repr(url)


def test_missing_and_broken_connections() -> None:
    with pytest.raises(ConfigError, match="set AIRFLOW_CONN_NOPE"):
        EnvConnections({}).fields("nope")
    with pytest.raises(ConfigError, match="not a valid connection URI") as info:
        EnvConnections({"AIRFLOW_CONN_X": "http://u:secret@h:notaport/"}).fields("x")
    assert "secret" not in str(info.value)
    with pytest.raises(ConfigError, match="not valid connection JSON"):
        EnvConnections({"AIRFLOW_CONN_X": "{not json"}).fields("x")


@pytest.mark.parametrize(
    ("uri", "driver"),
    [
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("mysql://u@h/db", "mysql+pymysql"),
        ("mariadb://u@h/db", "mysql+pymysql"),
        ("postgres://u@h/db?sqlalchemy_scheme=postgresql%2Bpsycopg2", "postgresql+psycopg2"),
    ],
)
def test_sql_url_drivers(uri: str, driver: str) -> None:
    url = StaticConnections({"c": uri}).sql_url("c")
    assert url.drivername == driver
    assert (url.host, url.database, url.username) == ("h", "db", "u")


def test_sql_url_refuses_non_database_types() -> None:
    with pytest.raises(ConfigError, match="has type 'http'"):
        StaticConnections({"c": "http://h"}).sql_url("c")


def test_sqlite() -> None:
    fields = ConnectionFields(conn_id="s", conn_type="sqlite", host="/tmp/x.db")
    assert sql_url(fields).render_as_string() == "sqlite:////tmp/x.db"


@pytest.mark.parametrize(
    ("uri", "base"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("https://api.example.gov.cn/", "https://api.example.gov.cn"),
        ("http://api.example.gov.cn/https", "https://api.example.gov.cn"),
        ("http://https://api.example.gov.cn:8443", "https://api.example.gov.cn:8443"),
    ],
)
def test_http_base_url(uri: str, base: str) -> None:
    assert StaticConnections({"c": uri}).http_target("c").base_url == base


def test_http_auth_headers_and_secret_params() -> None:
    basic = http_target(ConnectionFields.from_uri("c", "http://user:pw@h"))
    token = base64.b64encode(b"user:pw").decode()
    assert basic.headers == {"Authorization": f"Basic {token}"}
    extra = json.dumps(
        {"auth_type": "bearer", "headers": {"X-App": "pubdata"}, "params": {"k": "s"}}
    )
    fields = ConnectionFields(
        conn_id="c", conn_type="http", host="h", password="tok", extra=json.loads(extra)
    )
    bearer = http_target(fields)
    assert bearer.headers == {"X-App": "pubdata", "Authorization": "Bearer tok"}
    assert bearer.params == {"k": "s"}
    assert "tok" not in repr(bearer)


def test_driver_options_from_the_extra() -> None:
    uri = "postgres://u@h/db?sslmode=require&application_name=pubdata&unrelated=1"
    url = StaticConnections({"c": uri}).sql_url("c")
    assert dict(url.query) == {"sslmode": "require", "application_name": "pubdata"}
    mysql = StaticConnections({"m": "mysql://u@h/db?charset=utf8mb4"}).sql_url("m")
    assert dict(mysql.query) == {"charset": "utf8mb4"}
