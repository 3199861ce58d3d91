"""The one place that reads the environment.

Every other module receives a :class:`Settings` value; nothing else calls ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The project root (the folder holding ``pyproject.toml``), used for the defaults below.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    """

    home: Path
    registry: Path
    landing: Path
    lake: str
    expectations: Path
    token_key: str | None = field(default=None, repr=False)

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
        )

    @property
    def staging(self) -> Path:
        """Run-scoped staging files between tasks."""
        return self.home / "staging"

    @property
    def airflow_home(self) -> Path:
        """The embedded Airflow home (SQLite metadata DB, logs)."""
        return self.home / "airflow"
