"""Whether the DAGs registered in the metadata DB are still those the DAG folder makes.

The runner registers the DAG folder (parse, serialize, write) before it runs anything: ~0.6 s of
CPU per ``pubdata run`` that changes nothing when no file the DAGs are made from has changed.
:func:`dag_sources_fingerprint` summarises those inputs (the DAG files, the library they call, the
registry they read, the settings, the Airflow release); the runner registers again only when it
differs from the one recorded at the last registration.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from etl.settings import PROJECT_ROOT, Settings

#: Where the runner records the fingerprint of its last registration (in the Airflow home).
MARKER = ".pubdata-dags-registered"


def _files(root: Path, pattern: str) -> Iterable[Path]:
    if not root.is_dir():
        return ()
    return (p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)


def dag_sources_fingerprint(settings: Settings, dags_folder: Path, database: str) -> str:
    """A digest of everything the registered DAGs are made from.

    Files count by path, size and modification time (an edit changes one of them; reading
    them all would cost what it saves). The settings count by their ``repr``, which leaves
    the secrets out.

    Args:
        settings: the pubdata settings the DAG files read.
        dags_folder: Airflow's DAG folder.
        database: the metadata DB's connection string (another DB has its own registrations).
    """
    digest = hashlib.sha256()
    for part in (repr(settings), database, metadata.version("apache-airflow")):
        digest.update(part.encode())
        digest.update(b"\0")
    sources = [
        *_files(dags_folder, "*.py"),
        *_files(PROJECT_ROOT / "etl", "*.py"),
        *_files(settings.registry, "*"),
    ]
    for path in sorted(sources):
        info = path.stat()
        digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def registered_dags(settings: Settings, fingerprint: str) -> frozenset[str] | None:
    """The DAG ids of the last registration if it recorded ``fingerprint``, else None."""
    marker = settings.airflow_home / MARKER
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(recorded, dict) or recorded.get("fingerprint") != fingerprint:
        return None
    return frozenset(str(d) for d in recorded.get("dag_ids", ()))


def record_registration(settings: Settings, fingerprint: str, dag_ids: Iterable[str]) -> None:
    """Record that the DAG folder was registered as ``fingerprint`` describes, with its DAGs."""
    marker = settings.airflow_home / MARKER
    marker.parent.mkdir(parents=True, exist_ok=True)
    recorded = {"fingerprint": fingerprint, "dag_ids": sorted(dag_ids)}
    marker.write_text(json.dumps(recorded), encoding="utf-8")
