"""The maintenance DAG compacts, then vacuums, rebuilds the Data Docs and purges staging."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import REPO, fresh_python

PARSE = """
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]).parent)
dag = bag.dags.get("maintenance__data_docs")
print(json.dumps({
    "errors": list(bag.import_errors.values()),
    "tasks": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks} if dag else None,
    "tags": sorted(dag.tags) if dag else None,
}))
"""


def parse(tmp_path: Path, **env: str) -> dict:
    script = REPO / "dags" / "maintenance.py"
    environment = dict(os.environ, PUBDATA_HOME=str(tmp_path / "home"), **env)
    return dict(fresh_python(PARSE, str(script), env=environment))


def test_maintenance_dag_has_its_tasks_in_order(tmp_path: Path) -> None:
    dag = parse(tmp_path)
    assert dag["errors"] == []
    assert dag["tasks"] == {
        "compact_tables": [],
        "compact_meta": [],
        "vacuum_lake": ["compact_meta", "compact_tables"],
        "build_data_docs": [],
        "purge_staging": [],
    }
    assert dag["tags"] == ["maintenance"]


def test_a_retention_below_deltas_default_is_an_import_error(tmp_path: Path) -> None:
    dag = parse(tmp_path, PUBDATA_RETENTION_HOURS="1")
    assert dag["tasks"] is None
    (error,) = dag["errors"]
    assert "PUBDATA_RETENTION_HOURS" in error
