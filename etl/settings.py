"""The one place that reads the environment.

Every other module receives a :class:`Settings` value; nothing else calls ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from etl.errors import ConfigError

#: The project root (the folder holding ``pyproject.toml``), used for the defaults below.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

Clearance = Literal["open", "shared", "restricted"]
#: Clearances from least to most: a caller cleared for a zone may read it and every zone before it.
CLEARANCES: tuple[Clearance, ...] = ("open", "shared", "restricted")
#: Environment variables that define Airflow connections (``AIRFLOW_CONN_<CONN_ID>``).
CONN_PREFIX = "AIRFLOW_CONN_"


@dataclass(frozen=True)
class Settings:
    """Locations and secrets a run needs.

    Attributes:
        home: ``PUBDATA_HOME``; embedded state (Airflow home, local lake, keys, staging, logs).
        registry: ``PUBDATA_REGISTRY``; folder scanned recursively for dataset YAML files.
        landing: ``PUBDATA_LANDING``; root that file sources are resolved in.
        lake: ``PUBDATA_LAKE``; lake root URI (a local path or ``s3://bucket/prefix``).
        expectations: ``PUBDATA_EXPECTATIONS``; folder of Great Expectations suite files.
        token_key: ``PUBDATA_TOKEN_KEY``; ``<key_id>:<base64>`` for local runs (None: key file).
        clearance: ``PUBDATA_CLEARANCE``; the most sensitive zone this caller may read through
            the reader API and ``pubdata sql`` (``open``, ``shared`` (default) or
            ``restricted``). Storage permissions stay the real access control; this keeps a
            caller from asking for more than they were granted.
        connections: every ``AIRFLOW_CONN_<ID>`` variable (name -> URI or JSON), for
            :class:`etl.extract.EnvConnections` outside Airflow (inside a task the DAG resolves
            connections through Airflow, which reads the same variables). Never shown.
    """

    home: Path
    registry: Path
    landing: Path
    lake: str
    expectations: Path
    token_key: str | None = field(default=None, repr=False)
    clearance: Clearance = "shared"
    connections: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment (or the mapping given), with project defaults."""
        env = os.environ if env is None else env
        home = Path(env.get("PUBDATA_HOME") or PROJECT_ROOT / ".pubdata").resolve()
        lake = env.get("PUBDATA_LAKE") or str(home / "lake")
        if "://" not in lake:
            lake = str(Path(lake).resolve())
        return cls(
            home=home,
            registry=Path(env.get("PUBDATA_REGISTRY") or PROJECT_ROOT / "datasets").resolve(),
            landing=Path(
                env.get("PUBDATA_LANDING") or PROJECT_ROOT / "samples" / "landing"
            ).resolve(),
            lake=lake.rstrip("/"),
            expectations=Path(
                env.get("PUBDATA_EXPECTATIONS") or PROJECT_ROOT / "expectations"
            ).resolve(),
            token_key=env.get("PUBDATA_TOKEN_KEY") or None,
            clearance=_clearance(env.get("PUBDATA_CLEARANCE") or "shared"),
            connections={k: v for k, v in env.items() if k.startswith(CONN_PREFIX) and v},
        )

    @property
    def staging(self) -> Path:
        """Run-scoped staging files between tasks."""
        return self.home / "staging"

    @property
    def resubmissions(self) -> Path:
        """Fixed quarantined rows per dataset and logical date (see ``etl.pipeline.amend``)."""
        return self.home / "resubmissions"

    @property
    def data_docs(self) -> Path:
        """The scrubbed Data Docs HTML site."""
        return self.home / "data_docs"

    @property
    def airflow_home(self) -> Path:
        """The embedded Airflow home (SQLite metadata DB, logs)."""
        return self.home / "airflow"


def _clearance(value: str) -> Clearance:
    text = value.strip().lower()
    for clearance in CLEARANCES:
        if text == clearance:
            return clearance
    raise ConfigError(
        f"PUBDATA_CLEARANCE must be one of {', '.join(CLEARANCES)}, not {value.strip()!r}"
    )
