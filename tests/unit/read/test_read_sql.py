from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.cli.main import main
from etl.errors import ConfigError
from etl.lake import delta
from etl.lake.layout import integrated_table_uri
from etl.lake.merge_on_read import SUFFIX, changes_uri
from etl.read import sql
from etl.settings import CLEARANCES
from tests.unit.integrate.builders import CHANGED_NAME, id_number, population_with_changes
from tests.unit.integrate.builders import Lake as IntegratedLake
from tests.unit.read.conftest import Lake

#: What a reader might try to step outside its clearance or to write: file functions on the
#: lake's restricted folder, files by path, attaching, copying and exporting to files, changing
#: or unlocking the configuration, extensions, secrets, and a harmless query followed by a write.
#: ``{table}`` is the restricted table's folder, ``{out}`` a path that must never appear.
ESCAPES = {
    "read_parquet": "SELECT * FROM read_parquet('{table}/*.parquet')",
    "parquet by path": "SELECT * FROM '{table}/*.parquet'",
    "read_csv": "SELECT * FROM read_csv('{table}/_delta_log/*.json')",
    "read_json": "SELECT * FROM read_json('{table}/_delta_log/*.json')",
    "read_text": "SELECT * FROM read_text('{table}/_delta_log/00000000000000000000.json')",
    "read_blob": "SELECT content FROM read_blob('{table}/*.parquet')",
    "glob": "SELECT * FROM glob('{table}/*')",
    "parquet_metadata": "SELECT * FROM parquet_metadata('{table}/*.parquet')",
    "delta_scan": "SELECT * FROM delta_scan('{table}')",
    "attach file": "ATTACH '{out}.duckdb' AS stolen",
    "attach memory": "ATTACH ':memory:' AS scratch",
    "copy to": "COPY (SELECT 1 AS x) TO '{out}.csv'",
    "copy relative": "COPY (SELECT 1 AS x) TO 'relative.csv'",
    "copy view": "COPY open.population.people TO '{out}.parquet' (FORMAT parquet)",
    "export": "EXPORT DATABASE '{out}'",
    "import": "IMPORT DATABASE '{table}'",
    "set access": "SET enable_external_access = true",
    "reset access": "RESET enable_external_access",
    "unlock": "SET lock_configuration = false",
    "temp dir": "SET temp_directory = '{out}'",
    "pragma profiling": "PRAGMA enable_profiling",
    "pragma output": "PRAGMA profiling_output = '{out}.json'",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "load file": "LOAD '{out}.duckdb_extension'",
    "secret": "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'k', SECRET 'v')",
    "call": "CALL enable_logging()",
    "create": "CREATE TABLE t AS SELECT * FROM open.population.people",
    "query then copy": "SELECT 1; COPY (SELECT 1) TO '{out}.csv'",
}


def _tree(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``roots`` with its size and modification time."""
    found = {}
    for root in roots:
        if root.exists():
            for path in [root, *root.rglob("*")]:
                info = path.lstat()
                found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


@pytest.mark.parametrize("clearance", CLEARANCES)
@pytest.mark.parametrize("attack", sorted(ESCAPES))
def test_pubdata_sql_refuses_every_escape_in_one_line_and_writes_nothing(
    lake_read_only: Lake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clearance: str,
    attack: str,
) -> None:
    lake = lake_read_only
    for name, value in (
        ("PUBDATA_HOME", str(lake.settings.home)),
        ("PUBDATA_LAKE", lake.settings.lake),
        ("PUBDATA_REGISTRY", str(lake.settings.registry)),
        ("PUBDATA_CLEARANCE", clearance),
        ("HOME", str(tmp_path / "user")),  # DuckDB's extension and secret folders
    ):
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    table = f"{lake.settings.lake}/restricted/population/people"
    out = tmp_path / "out" / "stolen"
    watched = (tmp_path, lake.settings.home, Path.home() / ".duckdb")
    before = _tree(*watched)
    assert main(["sql", ESCAPES[attack].format(table=table, out=out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("pubdata: "), err
    assert "Traceback" not in err
    assert _tree(*watched) == before


@pytest.mark.parametrize("clearance", CLEARANCES)
def test_each_clearance_sees_its_zones_and_the_meta_tables_only(lake: Lake, clearance: str) -> None:
    from etl.lineage import append_rows

    append_rows(lake.settings.lake, "lineage_runs", [{"dataset": "people", "status": "success"}])
    settings = replace(lake.settings, clearance=clearance)
    _, catalog = sql.connect(settings)
    visible = CLEARANCES[: CLEARANCES.index(clearance) + 1]
    expected = [f"{zone}.population.people" for zone in visible]
    if clearance == "restricted":
        expected.append("restricted.population.people__quarantine")
    assert sorted(catalog.tables) == sorted(expected)
    assert catalog.meta == ("_meta.lineage_runs",)
    names = sql.query(settings, "SELECT database_name, table_name FROM duckdb_tables()")
    views = sql.query(
        settings,
        "SELECT database_name || '.' || schema_name || '.' || view_name AS v"
        " FROM duckdb_views() WHERE NOT internal",
    )
    assert names.num_rows == 0  # nothing but views over what is registered
    reachable = {v.removeprefix("memory.") for v in views.column("v").to_pylist()}
    # each view reads one registered Arrow dataset (temp.main.__*), registered for it alone
    registered = {v for v in reachable if v.startswith("temp.main.__")}
    # the first query was logged: the access log is one of the pipeline's _meta tables now
    assert reachable - registered == {*expected, "_meta.lineage_runs", "_meta.access_log"}
    assert len(registered) == len(expected) + 2
    for zone in CLEARANCES[len(visible) :]:
        with pytest.raises(ConfigError, match=rf"{zone}.* tables are not visible"):
            sql.query(settings, f"SELECT * FROM {zone}.population.people")


def test_views_are_named_zone_domain_dataset(lake: Lake) -> None:
    result = sql.query(
        lake.settings,
        "SELECT _logical_date, count(*) AS n FROM shared.population.people GROUP BY 1 ORDER BY 1",
    )
    assert result.column("n").to_pylist() == [3, 1]
    _, catalog = sql.connect(lake.settings)
    assert catalog.tables == ("open.population.people", "shared.population.people")


def test_restricted_tables_need_clearance(lake: Lake) -> None:
    with pytest.raises(ConfigError, match="restricted tables are not visible"):
        sql.query(lake.settings, "SELECT * FROM restricted.population.people")
    cleared = replace(lake.settings, clearance="restricted")
    n = sql.query(cleared, "SELECT count(*) AS n FROM restricted.population.people__quarantine")
    assert n.column("n").to_pylist() == [1]


def test_errors_that_may_quote_values_are_withheld(lake: Lake) -> None:
    with pytest.raises(ConfigError) as exc:
        sql.query(lake.settings, "SELECT CAST(xm AS INTEGER) FROM shared.population.people")
    assert "甲" not in str(exc.value) and "withheld" in str(exc.value)


def test_cli_formats(
    lake: Lake,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PUBDATA_HOME", str(lake.settings.home))
    monkeypatch.setenv("PUBDATA_LAKE", lake.settings.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(lake.settings.registry))
    query = "SELECT xm FROM open.population.people ORDER BY _source_row, xm"
    assert main(["sql", query, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == '"xm"'
    assert main(["sql", query]) == 0
    assert "(3 rows)" in capsys.readouterr().out
    out = tmp_path / "r.parquet"
    assert main(["sql", query, "--format", "parquet", "--output", str(out)]) == 0
    assert pq.read_table(out).num_rows == 3
    assert main(["sql", "--tables"]) == 0
    listed = capsys.readouterr().out
    assert "shared.population.people" in listed and "restricted." not in listed
    assert main(["sql", "SELECT * FROM nowhere"]) == 2
    assert capsys.readouterr().err.startswith("pubdata: query failed: Catalog Error")


def test_as_of_queries_the_tables_as_they_were(
    lake: Lake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    count = "SELECT count(*) AS n FROM shared.population.people WHERE _logical_date = '2024-06-01'"
    now = sql.query(lake.settings, count)
    before = datetime.fromtimestamp(lake.before_rerun_ms / 1000, tz=UTC)
    then = sql.query(lake.settings, count, as_of=before)
    assert (then["n"][0].as_py(), now["n"][0].as_py()) == (2, 3)  # the re-run of D1 added 戊
    # before anything was written, no table was there
    _, catalog = sql.connect(lake.settings, datetime(2000, 1, 1, tzinfo=UTC))
    assert catalog.tables == () and catalog.meta == ()
    with pytest.raises(ConfigError, match="only the tables that existed then are visible"):
        sql.query(lake.settings, count, as_of=datetime(2000, 1, 1, tzinfo=UTC))
    monkeypatch.setenv("PUBDATA_HOME", str(lake.settings.home))
    monkeypatch.setenv("PUBDATA_LAKE", lake.settings.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(lake.settings.registry))
    assert main(["sql", count, "--format", "csv", "--as-of", before.isoformat()]) == 0
    assert capsys.readouterr().out.splitlines() == ['"n"', "2"]
    # without an offset the time is the city's local time (PUBDATA_TIMEZONE)
    local = before.astimezone(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert main(["sql", count, "--format", "csv", "--as-of", local.isoformat()]) == 0
    assert capsys.readouterr().out.splitlines() == ['"n"', "2"]
    assert main(["sql", count, "--as-of", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pubdata: --as-of 'yesterday' is not an ISO-8601 time")


def test_table_version_pins_one_table(
    lake: Lake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    people = "shared.population.people"
    count = f"SELECT count(*) AS n FROM {people}"
    # shared: v0 = D1 (2 rows), v1 = + D2 (3), v2 = the re-run of D1 (4)
    counted = [sql.query(lake.settings, count, pinned={people: v})["n"][0] for v in (0, 1)]
    assert [n.as_py() for n in counted] == [2, 3]
    # a pin wins over --as-of: before anything was written only the pinned table is there
    _, catalog = sql.connect(lake.settings, datetime(2000, 1, 1, tzinfo=UTC), {people: 1})
    assert catalog.tables == (people,)
    with pytest.raises(ConfigError, match="version 9 does not exist"):
        sql.query(lake.settings, count, pinned={people: 9})
    with pytest.raises(ConfigError, match=r"names restricted\.population\.people, which is not"):
        sql.query(lake.settings, count, pinned={"restricted.population.people": 0})
    monkeypatch.setenv("PUBDATA_HOME", str(lake.settings.home))
    monkeypatch.setenv("PUBDATA_LAKE", lake.settings.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(lake.settings.registry))
    pinned = ["--table-version", f"{people}=0", "--table-version", "_meta.loads=0"]
    assert main(["sql", count, "--format", "csv", *pinned]) == 2  # no _meta.loads in this lake
    assert "--table-version names _meta.loads" in capsys.readouterr().err
    assert main(["sql", count, "--format", "csv", *pinned[:2]]) == 0
    assert capsys.readouterr().out.splitlines() == ['"n"', "2"]
    assert main(["sql", count, "--table-version", people]) == 2
    assert "is not NAME=VERSION" in capsys.readouterr().err


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> IntegratedLake:
    return population_with_changes(tmp_path_factory.mktemp("changed"))


def test_a_repositorys_restricted_tables_are_read_with_their_changes(
    changed: IntegratedLake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = replace(changed.settings, clearance="restricted")
    records = "restricted.integrated.population_records"
    names = f"SELECT gmsfhm, xm FROM {records} ORDER BY gmsfhm"
    first, second, third = (id_number(i) for i in (1, 2, 3))
    built = [(first, "张三"), (second, "李四")]
    now = [(first, CHANGED_NAME), (second, "李四"), (third, "李四")]
    assert _rows(sql.query(settings, names)) == now
    conflicts = "SELECT is_open FROM restricted.integrated.population_conflicts"
    assert sql.query(settings, conflicts).column("is_open").to_pylist() == [False]
    known = "SELECT _dataset, count(*) AS n FROM restricted.integrated.population_candidates"
    counted = sql.query(settings, known + " GROUP BY 1 ORDER BY 1")
    assert _rows(counted) == [("register", 3), ("relief", 1)]
    # the same columns as the base: the sequence number stays hidden
    columns = sql.query(settings, f"DESCRIBE {records}").column("column_name").to_pylist()
    base = integrated_table_uri(changed.settings.lake, "population", "records")
    assert columns == delta.schema(base).names
    # time travel: a pinned version with the changes as they were then, and an instant
    assert _rows(sql.query(settings, names, pinned={records: 0})) == built
    updated = min(int(c["timestamp"]) for c in delta.history(changes_uri(base)))
    before = datetime.fromtimestamp((updated - 1) / 1000, tz=UTC)
    assert _rows(sql.query(settings, names, as_of=before)) == built
    assert _rows(sql.query(settings, names, as_of=datetime.now(UTC))) == now
    # the changes tables are no tables of their own
    _, catalog = sql.connect(settings)
    integrated = [t for t in catalog.tables if ".integrated." in t]
    assert integrated == [
        "restricted.integrated.population_candidates",
        "restricted.integrated.population_conflicts",
        "restricted.integrated.population_records",
    ]
    monkeypatch.setenv("PUBDATA_HOME", str(settings.home))
    monkeypatch.setenv("PUBDATA_LAKE", settings.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(settings.registry))
    monkeypatch.setenv("PUBDATA_TOKEN_KEY", settings.token_key or "")
    monkeypatch.setenv("PUBDATA_CLEARANCE", "restricted")
    assert main(["sql", "--tables"]) == 0
    listed = capsys.readouterr().out
    assert records in listed and SUFFIX not in listed
    with pytest.raises(ConfigError, match="Catalog Error"):
        sql.query(settings, f"SELECT * FROM {records}{SUFFIX}")


def _rows(table: pa.Table) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in table.to_pylist()]
