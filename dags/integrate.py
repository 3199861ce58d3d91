"""One asset-scheduled Airflow DAG per integrated repository: ``integrate__<domain>``.

Each runs when any of its contributing datasets publishes its restricted table, and integrates
the runs no integration has read yet (:func:`pubdata_wiring.build_integration_dag`). Parsing
reads the registry and domain YAML only (no pandas, pyarrow, GX or deltalake at module level).
A domain file with problems gets no DAG here; ``registry_check.py`` reports it as an import
error, and the other DAGs stay.
"""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from etl.integrate import load_domains
from etl.registry import load_registry
from etl.settings import Settings
from pubdata_wiring import build_integration_dag

_settings = Settings.from_env()
_registry = load_registry(_settings.registry)

# When a worker parses this file to run one task, build only that task's DAG.
_wanted = get_parsing_context().dag_id

for _domain in load_domains(_registry).domains.values():
    if _wanted is not None and _domain.dag_id != _wanted:
        continue
    globals()[_domain.dag_id] = build_integration_dag(_domain, _registry, _settings)
