"""Publishing the lake to PostgreSQL: schemas per zone and domain, comments, atomic refresh."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pyarrow as pa
import pytest

from etl.errors import ConfigError
from etl.lake import delta, zone_table_uri
from etl.serve import refresh, serve_status, served_tables
from etl.serve.database import connect, prepare
from etl.serve.publish import load_and_swap
from tests.unit.read.conftest import D1, rows
from tests.unit.serve.conftest import Served


def names(con: psycopg.Connection[tuple[object, ...]], schema: str) -> list[str]:
    found = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1",
        (schema,),
    )
    return [str(n) for (n,) in found]


def test_refresh_serves_shared_and_open_by_zone_and_domain(served: Served) -> None:
    results = refresh(served.settings)

    assert [(r.table, r.state, r.rows) for r in results] == [
        ("shared_population.people", "refreshed", 3),
        ("open_population.people", "refreshed", 3),
    ]
    with served.admin() as con:
        assert names(con, "shared_population") == ["people"]
        assert names(con, "open_population") == ["people"]
        assert names(con, "restricted_population") == []
        got = con.execute("SELECT xm, n FROM shared_population.people ORDER BY xm").fetchall()
        assert sorted(got) == [("丙", 0), ("乙", 1), ("甲", 0)]
        types = dict(
            con.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'shared_population' AND table_name = 'people'"
            ).fetchall()
        )
    assert types["n"] == "bigint" and types["xm"] == "text" and types["_logical_date"] == "date"


def test_restricted_tables_only_when_configured(served: Served) -> None:
    settings = replace(served.settings, serve_restricted=True)
    tables = [t.qualified for t in served_tables(settings)]
    assert "restricted_population.people" in tables

    refresh(settings)

    with served.admin() as con:
        assert names(con, "restricted_population") == ["people"]


def test_comments_carry_the_dictionary_and_the_dataset(served: Served) -> None:
    refresh(served.settings)

    with served.admin() as con:
        table = con.execute(
            "SELECT obj_description('shared_population.people'::regclass, 'pg_class')"
        ).fetchone()
        columns = dict(
            con.execute(
                "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                "WHERE a.attrelid = 'shared_population.people'::regclass AND a.attnum > 0"
            ).fetchall()
        )
    assert table is not None
    comment = str(table[0])
    assert "人口 people" in comment and "公安局 (public_security)" in comment
    assert "分级" in comment and "共享区 (shared)" in comment
    assert columns["xm"] == "姓名：登记的姓名"
    assert columns["n"] == "序号"
    assert str(columns["_run_id"]).startswith("运行编号")


def test_a_second_refresh_skips_unchanged_tables_and_reloads_changed_ones(served: Served) -> None:
    refresh(served.settings)
    uri = zone_table_uri(served.settings.lake, "shared", "population", "people")
    delta.replace_partition(uri, rows(["甲", "乙", "戊", "己"], D1, "r3"), D1, {})

    again = {r.table: (r.state, r.rows) for r in refresh(served.settings)}

    assert again == {
        "shared_population.people": ("refreshed", 5),
        "open_population.people": ("unchanged", None),
    }
    status = {s.table: s for s in serve_status(served.settings)}
    assert status["shared_population.people"].rows == 5
    assert status["shared_population.people"].lake_version == 2
    forced = refresh(served.settings, dataset="people", force=True)
    assert {r.state for r in forced} == {"refreshed"}


def test_refresh_of_an_unknown_dataset_is_refused(served: Served) -> None:
    with pytest.raises(ConfigError, match="dataset nobody: no served table"):
        refresh(served.settings, dataset="nobody")


def test_without_a_url_nothing_is_served(served: Served) -> None:
    with pytest.raises(ConfigError, match="PUBDATA_SERVE_URL is not set"):
        refresh(replace(served.settings, serve_url=None))


def _table(served: Served):  # type: ignore[no-untyped-def]
    return next(t for t in served_tables(served.settings) if t.zone == "shared")


def test_a_reader_sees_the_old_rows_until_the_swap_commits(served: Served) -> None:
    refresh(served.settings)
    table = _table(served)
    new = rows([f"p{i}" for i in range(1000)], D1, "r9")
    seen_during_load: list[int] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for i, batch in enumerate(new.to_batches(max_chunksize=100)):
            if i == 5:  # half loaded: another connection reads the view
                with served.admin() as reader:
                    count = reader.execute("SELECT count(*) FROM shared_population.people")
                    seen_during_load.append(int(str(count.fetchone()[0])))  # type: ignore[index]
            yield batch

    with connect(served.settings) as conn:
        load_and_swap(
            conn,
            table,
            new.schema,
            batches(),
            comment="c",
            column_comments={},
            roles=[],
            lake_version=7,
        )

    assert seen_during_load == [3]
    with served.admin() as reader:
        after = reader.execute("SELECT count(*) FROM shared_population.people").fetchone()
    assert after == (1000,)


def test_a_failed_load_leaves_the_old_rows_served(served: Served) -> None:
    refresh(served.settings)
    table = _table(served)
    new = rows(["x"] * 10, D1, "r9")

    def broken() -> Iterator[pa.RecordBatch]:
        yield new.to_batches()[0]
        raise OSError("the lake went away")

    with connect(served.settings) as conn, pytest.raises(OSError):
        load_and_swap(
            conn,
            table,
            new.schema,
            broken(),
            comment="c",
            column_comments={},
            roles=[],
            lake_version=7,
        )

    with served.admin() as reader:
        assert reader.execute("SELECT count(*) FROM shared_population.people").fetchone() == (3,)
    assert serve_status(served.settings)[0].lake_version != 7


def test_nulls_and_empty_strings_survive_the_copy(served: Served) -> None:
    table = _table(served)
    data = pa.table({"s": ["", None, 'a"b,\nc'], "f": [1.5, None, float("inf")]})
    with connect(served.settings) as conn:
        prepare(conn)
        load_and_swap(
            conn,
            table,
            data.schema,
            data.to_batches(),
            comment="c",
            column_comments={},
            roles=[],
            lake_version=1,
        )
    with served.admin() as con:
        got = con.execute("SELECT s, f FROM shared_population.people").fetchall()
    assert got == [("", 1.5), (None, None), ('a"b,\nc', float("inf"))]
