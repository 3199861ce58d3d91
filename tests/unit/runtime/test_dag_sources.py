"""The runner registers the DAG folder again exactly when what the DAGs are made from changed."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

from etl.runtime.dag_sources import dag_sources_fingerprint, record_registration, registered_dags
from etl.settings import PROJECT_ROOT, Settings
from tests.conftest import make_settings

DAGS = PROJECT_ROOT / "dags"
DB = "sqlite:////tmp/airflow.db"


def _settings(tmp_path: Path) -> Settings:
    registry = tmp_path / "datasets"
    shutil.copytree(PROJECT_ROOT / "datasets", registry)
    return make_settings(tmp_path / "home", PUBDATA_REGISTRY=str(registry))


def test_the_fingerprint_follows_the_registry_the_settings_and_the_database(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    first = dag_sources_fingerprint(settings, DAGS, DB)
    assert dag_sources_fingerprint(settings, DAGS, DB) == first  # nothing changed
    some = next(settings.registry.rglob("*.yaml"))
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 1_000_000))
    edited = dag_sources_fingerprint(settings, DAGS, DB)
    assert edited != first
    (settings.registry / "new_dataset.yaml").write_text("id: x\n", encoding="utf-8")
    added = dag_sources_fingerprint(settings, DAGS, DB)
    assert added != edited
    assert dag_sources_fingerprint(replace(settings, timezone="UTC"), DAGS, DB) != added
    assert dag_sources_fingerprint(settings, DAGS, "postgresql://db/airflow") != added


def test_a_registration_is_remembered_with_its_dags_for_its_fingerprint_only(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path)
    assert registered_dags(settings, "abc") is None  # never registered
    record_registration(settings, "abc", ["ingest__a", "integrate__b"])
    assert registered_dags(settings, "abc") == {"ingest__a", "integrate__b"}
    assert registered_dags(settings, "def") is None
    (settings.airflow_home / ".pubdata-dags-registered").write_text("not json")
    assert registered_dags(settings, "abc") is None
