"""Sample DAGs run through Airflow (`pubdata run` → the DAG runner) and land in the lake."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from etl.lake import delta
from etl.lineage import read_meta
from tests.integration.conftest import Cli, cli_for

pytestmark = pytest.mark.integration

DAY = "2024-06-01"


#: Run together, in one runner (``pubdata run`` of several ids): one Airflow start-up for three
#: DAG runs; the tests below each read one dataset's summary (``--json`` gives a list of them).
SAMPLES = ("household_register", "enterprise_registry", "clinic_visits")


@pytest.fixture(scope="module")
def samples(cli: Cli) -> dict[str, dict[str, Any]]:
    done = cli("run", *SAMPLES, "--date", DAY, "--json")
    assert done.returncode == 0, done.stderr
    summaries = json.loads(done.stdout)
    assert [s["dataset"] for s in summaries] == list(SAMPLES)
    return {s["dataset"]: s for s in summaries}


@pytest.fixture(scope="module")
def household(samples: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return samples["household_register"]


def test_run_summary_contract(household: dict[str, Any]) -> None:
    s = household
    assert s["status"] == "success"
    assert s["dataset"] == "household_register"
    assert s["logical_date"] == DAY
    assert s["rows_in"] == s["rows_loaded"] + s["rows_quarantined"]
    assert s["rows_quarantined"] > 0  # the samples carry deliberately bad rows
    assert s["dataset_grade"] in {"L3", "L4"}
    assert set(s["tables"]) == {"restricted", "shared"}


def test_a_batched_run_forks_its_workers_inside_airflow_and_loads_the_same(
    tmp_path: Path, household: dict[str, Any]
) -> None:
    # 200-row batches: GX validates in forked worker processes and load forks token workers,
    # all inside the Airflow task; the outcome is the one-batch run's.
    batched = cli_for(tmp_path / "home", PUBDATA_BATCH_ROWS="200", PUBDATA_WORKERS="2")
    code, summary, stderr = batched.run_json("household_register", DAY)
    assert code == 0, stderr
    keys = ("status", "rows_in", "rows_loaded", "rows_quarantined", "dataset_grade", "flags")
    assert {k: summary[k] for k in keys} == {k: household[k] for k in keys}
    assert summary["rows_loaded"] > 200 * 2  # really several batches
    restricted = delta.read(summary["tables"]["restricted"]).drop_columns(["_run_id"])
    first = delta.read(household["tables"]["restricted"]).drop_columns(["_run_id"])
    assert restricted.sort_by("_source_row").equals(first.sort_by("_source_row"))


def test_zones_hold_the_right_rows_and_lineage_columns(cli: Cli, household: dict[str, Any]) -> None:
    restricted = delta.read(household["tables"]["restricted"])
    shared = delta.read(household["tables"]["shared"])
    assert restricted.num_rows == shared.num_rows == household["rows_loaded"]
    for table in (restricted, shared):
        for column in ("_run_id", "_source_sha256", "_source_row", "_logical_date"):
            assert column in table.column_names
    assert pc.min(restricted["_source_row"]).as_py() >= 1


def test_no_raw_personal_value_in_the_shared_zone(cli: Cli, household: dict[str, Any]) -> None:
    restricted = delta.read(household["tables"]["restricted"])
    shared = delta.read(household["tables"]["shared"])
    classes = read_meta(cli.settings.lake, "classifications").to_pylist()
    graded = {r["column"]: r["grade"] for r in classes if r["dataset"] == "household_register"}
    sensitive = [c for c, g in graded.items() if g in {"L3", "L4"}]
    assert {"gmsfhm", "xm", "lxdh"} <= set(sensitive)
    # identifier-like values (11+ characters) must not appear in any shared column; shorter
    # ones (names, dates) must not appear in the shared column of the same name
    shared_values = {
        str(v) for c in shared.column_names for v in shared[c].to_pylist() if v is not None
    }
    for column in sensitive:
        raw = {str(v) for v in restricted[column].to_pylist() if v not in (None, "")}
        same = set()
        if column in shared.column_names:
            same = {str(v) for v in shared[column].to_pylist() if v is not None}
        leaked = {v for v in raw if v in same or (len(v) >= 11 and v in shared_values)}
        assert not leaked, f"{len(leaked)} raw values of {column} in the shared zone"
    l4 = [c for c, g in graded.items() if g == "L4"]
    for column in l4:  # kept in the schema, without a value
        assert shared[column].null_count == shared.num_rows, column


def test_rerunning_the_date_is_idempotent(cli: Cli, household: dict[str, Any]) -> None:
    code, again, stderr = cli.run_json("household_register", DAY)
    assert code == 0, stderr
    assert again["rows_loaded"] == household["rows_loaded"]
    for zone, uri in again["tables"].items():
        assert delta.read(uri).num_rows == household["rows_loaded"], zone
    quarantine = delta.read(uri.replace("/shared/", "/restricted/") + "__quarantine")
    assert quarantine.num_rows == household["rows_quarantined"]


def test_lineage_tables_and_cli(cli: Cli, household: dict[str, Any]) -> None:
    runs = read_meta(cli.settings.lake, "lineage_runs").to_pylist()
    mine = [r for r in runs if r["dataset"] == "household_register" and r["status"] == "success"]
    assert {r["zone"] for r in mine} >= {"restricted", "shared"}
    assert all(r["rows_in"] == household["rows_in"] for r in mine)
    files = read_meta(cli.settings.lake, "source_files").to_pylist()
    assert any(f["dataset"] == "household_register" and len(f["sha256"]) == 64 for f in files)
    results = read_meta(cli.settings.lake, "validation_results").to_pylist()
    assert any(r["dataset"] == "household_register" and not r["success"] for r in results)
    done = cli("lineage", "household_register")
    assert done.returncode == 0 and "success" in done.stdout
    assert "restricted@v" in done.stdout


def test_open_dataset_publishes_l1_columns_only(
    cli: Cli, samples: dict[str, dict[str, Any]]
) -> None:
    s = samples["enterprise_registry"]
    assert s["status"] == "success"
    assert set(s["tables"]) == {"restricted", "shared", "open"}
    classes = read_meta(cli.settings.lake, "classifications").to_pylist()
    graded = {r["column"]: r["grade"] for r in classes if r["dataset"] == "enterprise_registry"}
    open_table = delta.read(s["tables"]["open"])
    data_columns = [c for c in open_table.column_names if not c.startswith("_")]
    assert set(data_columns) == set(graded)  # every column, the others without a value
    valued = [c for c in data_columns if open_table[c].null_count < open_table.num_rows]
    assert valued and all(graded[c] == "L1" for c in valued)


def test_catalog_lists_every_dataset(cli: Cli, household: dict[str, Any]) -> None:
    done = cli("catalog")
    assert done.returncode == 0, done.stderr
    assert "household_register" in done.stdout and "public_security" in done.stdout


def test_l4_columns_never_leave_the_restricted_zone(
    cli: Cli, samples: dict[str, dict[str, Any]]
) -> None:
    s = samples["clinic_visits"]
    assert s["status"] == "success"
    assert s["dataset_grade"] == "L4"
    restricted = delta.read(s["tables"]["restricted"])
    shared = delta.read(s["tables"]["shared"])
    assert {"zdmc", "zddm"} <= set(restricted.column_names)
    for column in ("zdmc", "zddm"):
        assert shared[column].null_count == shared.num_rows
        assert shared.schema.field(column).metadata[b"pubdata.status"] == b"removed"
    lineage = read_meta(cli.settings.lake, "column_lineage").to_pylist()
    dropped = {
        r["source_column"]
        for r in lineage
        if r["dataset"] == "clinic_visits"
        and r["zone"] == "shared"
        and r["transformation"] == "dropped"
    }
    assert {"zdmc", "zddm"} <= dropped


def test_token_key_from_an_airflow_variable(cli: Cli) -> None:
    secret = "dmFyaWFibGUta2V5LWZvci10ZXN0cy1vbmx5LTMyLWJ5dGVz"
    env = dict(cli.env, AIRFLOW_VAR_PUBDATA_TOKEN_KEY=f"var1:{secret}")
    with_variable = Cli(cli.settings, env)
    code, s, stderr = with_variable.run_json("relief_payments", DAY)
    assert code == 0, stderr
    shared = delta.read(s["tables"]["shared"])
    tokens = [v for v in shared["sfzh"].to_pylist() if v]
    assert tokens and all(v.startswith("var1:") for v in tokens)
    logs = cli.settings.home / "logs"
    assert not any(secret in p.read_text(errors="ignore") for p in logs.rglob("*.log"))
