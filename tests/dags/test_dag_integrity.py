"""Every registry dataset produces its DAG; parsing is cheap; broken YAML is loud."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.registry import load_registry
from tests.conftest import REPO

DAGS = REPO / "dags"
HEAVY = ("pandas", "pyarrow", "great_expectations", "deltalake", "duckdb")
#: DAGs that are not built from the registry, each listed on purpose.
MAINTENANCE_DAGS = {"maintenance__data_docs"}
#: The sample downstream consumer; built only when its source dataset is registered.
EXAMPLE_DAGS = {"example_downstream__household_register"}

PARSE = """
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag
import airflow.sdk
before = set(sys.modules)
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({
    "dags": {d: {"tags": sorted(dag.tags), "tasks": [t.task_id for t in dag.topological_sort()],
                 "outlets": [o.name for t in dag.tasks for o in t.outlets],
                 "schedule_assets": [a.name for a in getattr(
                     getattr(dag.timetable, "asset_condition", None), "objects", ())],
                 "retries": dag.default_args.get("retries")} for d, dag in bag.dags.items()},
    "errors": {Path(k).name: v for k, v in bag.import_errors.items()},
    "new_modules": new,
}))
"""


def parse(registry: Path, tmp_path: Path) -> dict:
    env = dict(os.environ, PUBDATA_REGISTRY=str(registry), PUBDATA_HOME=str(tmp_path / "home"))
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(DAGS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return parse(REPO / "datasets", tmp_path_factory.mktemp("parse"))


def ingest_dags(result: dict) -> set[str]:
    return {d for d in result["dags"] if d.startswith("ingest__")}


def test_every_registry_dataset_has_its_dag(parsed: dict) -> None:
    registry = load_registry(REPO / "datasets")
    assert registry.datasets, "the sample registry is empty"
    expected = {d.dag_id for d in registry.datasets.values()}
    assert set(parsed["dags"]) == expected | MAINTENANCE_DAGS | EXAMPLE_DAGS
    assert parsed["errors"] == {}


def test_downstream_example_is_scheduled_on_a_published_asset(parsed: dict) -> None:
    (example,) = EXAMPLE_DAGS
    consumer = parsed["dags"][example]
    assert consumer["schedule_assets"] == ["shared.population.household_register"]
    producer = parsed["dags"]["ingest__public_security__household_register"]
    assert set(consumer["schedule_assets"]) <= set(producer["outlets"])


def test_dag_shape_tags_retries_and_assets(parsed: dict) -> None:
    registry = load_registry(REPO / "datasets")
    for ds in registry.datasets.values():
        dag = parsed["dags"][ds.dag_id]
        assert dag["tasks"] == ["extract", "validate", "classify", "load", "record"]
        assert f"department:{ds.department}" in dag["tags"]
        assert f"domain:{ds.domain}" in dag["tags"]
        assert dag["retries"] == ds.retries
        assert f"restricted.{ds.domain}.{ds.id}" in dag["outlets"]
        assert (f"open.{ds.domain}.{ds.id}" in dag["outlets"]) == (
            ds.open and not ds.classification.important
        )


def test_parsing_imports_no_heavy_library(parsed: dict) -> None:
    heavy = [m for m in parsed["new_modules"] if m in HEAVY]
    assert heavy == []


def test_broken_yaml_is_an_import_error_naming_the_file(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    for src in (REPO / "datasets").rglob("*.yaml"):
        target = registry / src.relative_to(REPO / "datasets")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    broken = registry / "broken" / "bad_dataset.yaml"
    broken.parent.mkdir()
    broken.write_text("id: bad_dataset\ntitle: t\ndepartment: x\ndomain: y\nsorce: {}\n")
    result = parse(registry, tmp_path)
    assert "registry_check.py" in result["errors"]
    message = result["errors"]["registry_check.py"]
    assert "bad_dataset.yaml" in message and "sorce" in message
    # the valid datasets keep their DAGs
    assert len(ingest_dags(result)) == len(load_registry(REPO / "datasets").datasets)


def test_thousand_generated_entries_all_produce_dags(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from parse_dags import write_registry
    finally:
        sys.path.pop(0)
    registry = tmp_path / "registry"
    write_registry(registry, 1000)
    result = parse(registry, tmp_path)
    assert len(ingest_dags(result)) == 1000
    # the example consumer needs household_register, which a generated registry lacks
    assert set(result["dags"]) - ingest_dags(result) == MAINTENANCE_DAGS
    assert result["errors"] == {}
