"""The asset-scheduled DAG ``serve__postgres``: the SQL endpoint for BI tools (:mod:`etl.serve`).

It exists only when ``PUBDATA_SERVE_URL`` is set, and runs when any shared or open table
(restricted ones with ``PUBDATA_SERVE_RESTRICTED=1``) or a repository's shared records update,
and once a day so expired grants are revoked (:func:`pubdata_wiring.build_serve_dag`). Parsing
reads the registry and domain YAML only.
"""

from __future__ import annotations

from etl.integrate import load_domains
from etl.registry import load_registry
from etl.settings import Settings
from pubdata_wiring import SERVE_DAG_ID, build_serve_dag

_settings = Settings.from_env()
if _settings.serve_url is not None:
    _registry = load_registry(_settings.registry)
    _dag = build_serve_dag(_settings, _registry, list(load_domains(_registry).domains.values()))
    if _dag is not None:
        globals()[SERVE_DAG_ID] = _dag
