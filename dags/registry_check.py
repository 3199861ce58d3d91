"""Surface registry and domain-file problems as an Airflow import error naming each file and field.

The valid datasets keep their DAGs (built by ``ingest.py``); a broken file is never a silently
missing DAG: it shows here, in the UI's import errors, until it is fixed. Domain files (the
integrated repositories under ``<registry>/domains/``) are checked against the datasets here too;
a broken one never touches the datasets' DAGs; so are product files (``<registry>/products/``).
(This file holds no DAG.)
"""

from __future__ import annotations

from etl.integrate import load_domains
from etl.products import load_products
from etl.registry import load_registry
from etl.registry.problems import raise_for
from etl.settings import Settings

_registry = load_registry(Settings.from_env().registry)
_domains = load_domains(_registry)
raise_for((*_registry.problems, *_domains.problems, *load_products(_registry, _domains).problems))
