from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from etl.cli.main import main
from etl.errors import ConfigError
from etl.read import sql
from tests.unit.read.conftest import Lake


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


def test_files_cannot_be_read_by_path(lake: Lake) -> None:
    glob = f"{lake.settings.lake}/restricted/population/people/*/*.parquet"
    with pytest.raises(ConfigError, match=r"PermissionException|Permission Error"):
        sql.query(lake.settings, f"SELECT * FROM read_parquet('{glob}')")
    with pytest.raises(ConfigError, match="query failed"):
        sql.query(lake.settings, "SET enable_external_access = true")


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
