"""``pubdata run`` of a repository's contributors builds it through an asset-triggered DAG run.

One runner invocation on a fresh home: the three population datasets' runs publish their
restricted assets, the runner creates ``integrate__population``'s run as the scheduler would
(run type ``asset_triggered``, the three asset events consumed) and executes it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from etl.integrate import load_domains
from etl.integrate.keys import person_keys
from etl.integrate.tables import current_records
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.lineage.meta import read_meta
from etl.registry import load_registry
from etl.zones import Zone
from tests.integration.conftest import Cli, cli_for

DAY = "2024-06-01"
DAG_ID = "integrate__population"


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Any]:
    cli = cli_for(tmp_path_factory.mktemp("integrate") / "home")
    domain = load_domains(load_registry(cli.settings.registry)).get("population")
    done = cli("run", *domain.datasets, "--date", DAY)
    return cli, done


def test_the_contributors_runs_trigger_the_integration(ran: tuple[Cli, Any]) -> None:
    cli, done = ran
    assert done.returncode == 0, done.stderr
    registry = load_registry(cli.settings.registry)
    domain = load_domains(registry).get("population")
    # the entities: every valid ID number any contributor's restricted table holds
    keys: set[str] = set()
    for dataset_id in domain.datasets:
        dataset = registry.datasets[dataset_id]
        uri = zone_table_uri(cli.settings.lake, Zone.RESTRICTED, dataset.domain, dataset.id)
        column = delta.read(uri)[domain.contributor(dataset_id).key]
        keys |= {k for k in person_keys(column).to_pylist() if k}
    records = current_records(cli.settings.lake, domain)
    assert records.num_rows == len(keys) > 100

    integrated = read_meta(cli.settings.lake, "integration_runs").to_pylist()
    assert sorted(r["dataset"] for r in integrated) == sorted(domain.datasets)
    (integration_id,) = {r["integration_id"] for r in integrated}

    db = Path(cli.settings.home) / "airflow" / "airflow.db"
    with sqlite3.connect(db) as conn:
        runs = conn.execute(
            "SELECT run_id, run_type, state FROM dag_run WHERE dag_id = ?", (DAG_ID,)
        ).fetchall()
        consumed = conn.execute(
            "SELECT count(*) FROM dagrun_asset_event JOIN dag_run ON dag_run.id = dag_run_id"
            " WHERE dag_run.dag_id = ?",
            (DAG_ID,),
        ).fetchone()[0]
    assert runs == [(integration_id, "asset_triggered", "success")]
    assert consumed == len(domain.datasets)  # one restricted asset event per contributor run
    # the progress shows the integration's run and its counts (no values)
    assert f"{DAG_ID} {DAY}: {len(keys)} entities, " in done.stderr
