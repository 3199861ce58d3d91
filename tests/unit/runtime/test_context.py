"""Each execution of a DAG run is a run of its own in lineage; the Airflow run stays one."""

from __future__ import annotations

from datetime import date

from etl.runtime.context import RunContext, airflow_run_id, execution_run_id


def test_a_cleared_run_executes_under_a_new_lineage_id_of_the_same_airflow_run() -> None:
    first = execution_run_id("manual__2024-06-01", 0)
    again = execution_run_id("manual__2024-06-01", 1)
    assert first == "manual__2024-06-01"
    assert again == "manual__2024-06-01~1"
    assert {airflow_run_id(first), airflow_run_id(again)} == {"manual__2024-06-01"}
    ids = {
        RunContext("d", "ingest__x__d", run, date(2024, 6, 1)).lineage_run_id
        for run in (first, again)
    }
    assert ids == {"ingest__x__d/manual__2024-06-01", "ingest__x__d/manual__2024-06-01~1"}
