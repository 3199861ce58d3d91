"""One Airflow DAG per authorised data product: ``product__<id>``.

Each releases its product on the product's schedule from the authorisation's date until its
expiry (:func:`pubdata_wiring.build_product_dag`). Parsing reads the registry, domain and product
YAML only (no pandas, pyarrow, GX or deltalake at module level). A product file with problems
gets no DAG here; ``registry_check.py`` reports it as an import error.
"""

from __future__ import annotations

from airflow.sdk import get_parsing_context

from etl.integrate import load_domains
from etl.products import load_products
from etl.registry import load_registry
from etl.settings import Settings
from pubdata_wiring import build_product_dag

_settings = Settings.from_env()
_registry = load_registry(_settings.registry)

# When a worker parses this file to run one task, build only that task's DAG.
_wanted = get_parsing_context().dag_id

for _product in load_products(_registry, load_domains(_registry)).products.values():
    if _wanted is not None and _product.dag_id != _wanted:
        continue
    globals()[_product.dag_id] = build_product_dag(_product, _settings)
