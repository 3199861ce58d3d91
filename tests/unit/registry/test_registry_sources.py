from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from etl.registry import Dataset, HttpSource, SqlSource, load_registry

HEAD = {"id": "x", "title": "t", "department": "d", "domain": "m"}


def _problems(
    tmp_path: Path, source: dict[str, object], **more: object
) -> list[tuple[str | None, str]]:
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump({**HEAD, "source": source, **more}, allow_unicode=True))
    return [(p.field, p.message) for p in load_registry(tmp_path).problems]


def test_sql_table_source() -> None:
    ds = Dataset.model_validate(
        {
            **HEAD,
            "source": {
                "kind": "sql",
                "conn_id": "dept_db",
                "table": "public.order",
                "mode": "incremental",
                "watermark": "updated_at",
                "timezone": "Asia/Shanghai",
            },
        }
    )
    assert isinstance(ds.source, SqlSource)
    assert ds.source.table_parts == ("public", "order")
    assert not hasattr(ds.source, "path")  # what differs between kinds is in the part protocol


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        ({"table": "t; drop table x"}, "source.table", "must be 'table' or 'schema.table'"),
        ({"table": "a.b.c"}, "source.table", "must be 'table' or 'schema.table'"),
        ({"table": "t", "columns": ["ok", "bad name"]}, "source.columns.1", "should match"),
        ({"table": "t", "mode": "incremental"}, "source", "needs a 'watermark'"),
        ({"table": "t", "watermark": "w"}, "source", "only used with mode: incremental"),
        ({}, "source", "exactly one of 'table' or 'query'"),
        ({"table": "t", "query": "select 1"}, "source", "exactly one"),
        ({"query": "delete from t"}, "source", "must be a SELECT"),
        ({"query": "select 1; drop table t"}, "source", "single statement"),
        ({"query": "select * from t where a = :who"}, "source", "bind parameter :who"),
        (
            {"query": "select * from t where d >= :start", "mode": "incremental"},
            "source",
            ":start and :end",
        ),
        ({"query": "select * from t where d >= :start and d < :end"}, "source", "snapshot query"),
        ({"table": "t", "timezone": "Mars/Base"}, "source.timezone", "unknown time zone"),
        ({"table": "t", "conn_id": "a b"}, "source.conn_id", "should match"),
    ],
)
def test_sql_source_problems(
    tmp_path: Path, source: dict[str, object], field: str, message: str
) -> None:
    spec = {"kind": "sql", "conn_id": "db", **source}
    [(where, text)] = _problems(tmp_path, spec)
    assert where == field
    assert message in text


def test_sql_queries_that_pass() -> None:
    ok = [
        ("-- daily\nselect a::date from t where u >= :start and u < :end;", "incremental"),
        ("WITH x AS (SELECT 1 AS a) SELECT a FROM x", "snapshot"),
        ("select '10:30' as t", "snapshot"),
    ]
    for query, mode in ok:
        SqlSource(kind="sql", conn_id="db", query=query, mode=mode)  # type: ignore[arg-type]


def test_http_source_with_pagination() -> None:
    source = HttpSource.model_validate(
        {
            "kind": "http",
            "conn_id": "exchange",
            "endpoint": "/api/v1/enterprises/{ds_nodash}",
            "params": {"from": "{start}", "to": "{end}"},
            "records": "data.items",
            "pagination": {"type": "cursor", "next": "data.next_cursor"},
        }
    )
    assert source.pagination is not None and source.pagination.type == "cursor"


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        ({"endpoint": "https://evil.example/x"}, "source.endpoint", "not a full URL"),
        ({"endpoint": "/x/{date}"}, "source.endpoint", "unknown placeholder {date}"),
        (
            {"endpoint": "/x", "pagination": {"type": "page", "sise": 10}},
            "source.pagination.sise",
            "unknown key",
        ),
        ({"endpoint": "/x", "pagination": {"type": "scroll"}}, "source.pagination", "page"),
        ({"endpoint": "/x", "retries": 99}, "source.retries", "less than or equal"),
    ],
)
def test_http_source_problems(
    tmp_path: Path, source: dict[str, object], field: str, message: str
) -> None:
    [(where, text)] = _problems(tmp_path, {"kind": "http", "conn_id": "api", **source})
    assert where == field
    assert message in text


def test_file_source_globs_markers_and_wait(tmp_path: Path) -> None:
    source = {
        "kind": "file",
        "format": "excel",
        "path": "ps/{ds}/*.xls",
        "marker": "ps/{ds}/_SUCCESS",
        "header_row": 4,
        "wait": {"timeout_minutes": 360, "poke_minutes": 15},
    }
    assert _problems(tmp_path, source) == []
    [(where, text)] = _problems(tmp_path, {**source, "marker": "/abs/_SUCCESS"})
    assert where == "source.marker"
    assert "relative" in text


def test_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    [(where, text)] = _problems(tmp_path, {"kind": "ftp"})
    assert where == "source"
    assert "'file', 'sql', 'http'" in text


def test_normalize_and_schema_changes(tmp_path: Path) -> None:
    more = {
        "columns": {"zczb": "float64", "clrq": "date"},
        "normalize": {
            "rename": {"注册资本（万元）": "zczb", "成立日期": "clrq"},
            "null_markers": ["", "无", "-"],
            "dates": {"excel_serial": True},
            "numbers": {"zczb": {"scale": 10000, "suffixes": {"万元": 10000}}},
        },
        "schema_changes": {"removed": ["old"], "retyped": []},
    }
    source = {"kind": "file", "format": "csv", "path": "a.csv"}
    assert _problems(tmp_path, source, **more) == []
    bad = {**more, "normalize": {"numbers": {"zczb": {"suffixes": {"万元": 0}}}}}
    [(where, text)] = _problems(tmp_path, source, **bad)
    assert where == "normalize.numbers.zczb.suffixes"
    assert "must be positive" in text
    [(where, _)] = _problems(tmp_path, source, normalize={"trimm": True})
    assert where == "normalize.trimm"
