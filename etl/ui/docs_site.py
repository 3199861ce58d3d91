"""Serving the scrubbed Data Docs site (built by :mod:`etl.lineage.docs`).

The site is built when it is missing or older than the latest ``_meta.lineage_runs`` commit, so
the pages a person opens after a run show that run. Only ``.html`` files inside the site folder
are served.
"""

from __future__ import annotations

import logging
from pathlib import Path

from etl.lake import delta
from etl.lake.layout import meta_table_uri
from etl.registry import Registry
from etl.settings import Settings

log = logging.getLogger(__name__)


def _latest_commit_seconds(settings: Settings) -> float | None:
    uri = meta_table_uri(settings.lake, "lineage_runs")
    if not delta.table_exists(uri):
        return None
    newest = delta.history(uri, limit=1)
    return int(newest[0]["timestamp"]) / 1000 if newest else None


def ensure_docs(settings: Settings, registry: Registry) -> Path:
    """The site's ``index.html``, (re)built when missing or stale."""
    from etl.lineage.docs import build_docs  # pulls in the validation scrubber: only when used

    index = settings.data_docs / "index.html"
    latest = _latest_commit_seconds(settings)
    if index.is_file() and (latest is None or index.stat().st_mtime >= latest):
        return index
    log.info("building Data Docs under %s", settings.data_docs)
    return build_docs(settings, registry)


def docs_file(settings: Settings, registry: Registry, path: str) -> Path | None:
    """The site file for a request path, or None when it is not an HTML page of the site."""
    ensure_docs(settings, registry)
    root = settings.data_docs.resolve()
    target = (root / path).resolve()
    if not target.is_relative_to(root) or target.suffix != ".html" or not target.is_file():
        return None
    return target
