"""Surface registry problems as an Airflow import error naming each file and field.

The valid datasets keep their DAGs (built by ``ingest.py``); a broken file is never a silently
missing DAG: it shows here, in the UI's import errors, until it is fixed. (This file holds no DAG.)
"""

from __future__ import annotations

from etl.registry import load_registry
from etl.settings import Settings

load_registry(Settings.from_env().registry).raise_for_problems()
