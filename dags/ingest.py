"""One Airflow DAG per registered dataset: ``ingest__<department>__<id>``.

Parsing reads the registry YAML only (no pandas, pyarrow, GX or deltalake at module level).
Problems in registry files are reported as an import error by ``registry_check.py``.
"""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from etl.registry import load_registry
from etl.settings import Settings
from pubdata_wiring import build_dag

_settings = Settings.from_env()
_registry = load_registry(_settings.registry)

# When a worker parses this file to run one task, build only that task's DAG.
_wanted = get_parsing_context().dag_id

for _dataset in _registry.datasets.values():
    if _wanted is not None and _dataset.dag_id != _wanted:
        continue
    globals()[_dataset.dag_id] = build_dag(_dataset, _settings)
