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
#: Delta's own default tombstone retention; maintenance never vacuums below it.
DELTA_DEFAULT_RETENTION_HOURS = 168
#: Rows per record batch the pipeline steps stream (``PUBDATA_BATCH_ROWS``).
DEFAULT_BATCH_ROWS = 50_000
#: Upper bound of the default ``PUBDATA_WORKERS`` (the machine's cores).
MAX_DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class S3Settings:
    """How to reach an S3-compatible object store when ``PUBDATA_LAKE`` is ``s3://...``.

    The standard ``AWS_*`` variables are read, so one set serves delta-rs, pyarrow and boto3;
    ``PUBDATA_S3_ENDPOINT``/``PUBDATA_S3_REGION`` win over them when a deployment needs the lake
    on another endpoint than other AWS clients of the same process.

    Attributes:
        endpoint: ``PUBDATA_S3_ENDPOINT`` or ``AWS_ENDPOINT_URL``; None means AWS itself.
        region: ``PUBDATA_S3_REGION``, ``AWS_REGION`` or ``AWS_DEFAULT_REGION`` (default
            ``us-east-1``).
        access_key_id: ``AWS_ACCESS_KEY_ID`` (None: the SDKs' own credential chain).
        secret_access_key: ``AWS_SECRET_ACCESS_KEY``. Never shown.
        session_token: ``AWS_SESSION_TOKEN``. Never shown.
        virtual_hosted: ``PUBDATA_S3_ADDRESSING=virtual``; path-style (the default) is what
            self-hosted stores expect.
    """

    endpoint: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    virtual_hosted: bool = False

    @property
    def allow_http(self) -> bool:
        """Whether the endpoint is plain HTTP (a local or in-cluster store)."""
        return bool(self.endpoint and self.endpoint.startswith("http://"))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> S3Settings:
        """Read the object-store settings from ``env``."""
        addressing = (env.get("PUBDATA_S3_ADDRESSING") or "path").strip().lower()
        if addressing not in ("path", "virtual"):
            raise ConfigError(f"PUBDATA_S3_ADDRESSING must be path or virtual, not {addressing!r}")
        endpoint = env.get("PUBDATA_S3_ENDPOINT") or env.get("AWS_ENDPOINT_URL") or None
        if endpoint and not endpoint.startswith(("http://", "https://")):
            raise ConfigError(
                f"the S3 endpoint must start with http:// or https://, not {endpoint!r}"
            )
        return cls(
            endpoint=endpoint.rstrip("/") if endpoint else None,
            region=env.get("PUBDATA_S3_REGION")
            or env.get("AWS_REGION")
            or env.get("AWS_DEFAULT_REGION")
            or "us-east-1",
            access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=env.get("AWS_SESSION_TOKEN") or None,
            virtual_hosted=addressing == "virtual",
        )


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
        s3: how to reach the object store of an ``s3://`` lake (endpoint, region, keys).
        retention_hours: ``PUBDATA_RETENTION_HOURS``; how long maintenance keeps files a
            later commit replaced (time travel and readers still listing them need them),
            default 168 h = 7 days. Below Delta's own default of 168 h is refused.
        batch_rows: ``PUBDATA_BATCH_ROWS``; rows per record batch the steps stream (default
            50,000): peak memory follows it, not the size of the delivery. Measured on 2 cores
            at 1M rows: 50,000 keeps a batch's columns in the CPU caches (extract 1.75 s against
            2.5 s at 100,000); 25,000 costs more per-batch overhead than it saves.
        workers: ``PUBDATA_WORKERS``; processes a step may use for CPU-bound work that cannot
            share one interpreter (Great Expectations on batches). Default: the machine's
            cores, at most 8; 1 keeps every step in its own process.
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
    s3: S3Settings = field(default_factory=S3Settings, compare=False)
    retention_hours: int = DELTA_DEFAULT_RETENTION_HOURS
    batch_rows: int = DEFAULT_BATCH_ROWS
    workers: int = field(default_factory=lambda: default_workers())
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
            s3=S3Settings.from_env(env),
            retention_hours=_retention(env.get("PUBDATA_RETENTION_HOURS")),
            batch_rows=_batch_rows(env.get("PUBDATA_BATCH_ROWS")),
            workers=_workers(env.get("PUBDATA_WORKERS")),
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


def _retention(value: str | None) -> int:
    if not value:
        return DELTA_DEFAULT_RETENTION_HOURS
    try:
        hours = int(value.strip())
    except ValueError:
        raise ConfigError(f"PUBDATA_RETENTION_HOURS must be whole hours, not {value!r}") from None
    if hours < DELTA_DEFAULT_RETENTION_HOURS:
        # Below Delta's default a vacuum can delete files a concurrent reader or a writer that
        # started before the last commit still needs; refuse rather than corrupt reads.
        raise ConfigError(
            f"PUBDATA_RETENTION_HOURS={hours} is below Delta's default retention of "
            f"{DELTA_DEFAULT_RETENTION_HOURS} h; readers and running writers could lose files"
        )
    return hours


def default_workers() -> int:
    """Worker processes when ``PUBDATA_WORKERS`` is not set: the cores, at most 8."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def _workers(value: str | None) -> int:
    if not value:
        return default_workers()
    try:
        workers = int(value.strip())
    except ValueError:
        raise ConfigError(f"PUBDATA_WORKERS must be a whole number, not {value!r}") from None
    if workers < 1:
        raise ConfigError(f"PUBDATA_WORKERS must be at least 1, not {workers}")
    return workers


def _batch_rows(value: str | None) -> int:
    if not value:
        return DEFAULT_BATCH_ROWS
    try:
        rows = int(value.strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"PUBDATA_BATCH_ROWS must be a whole number, not {value!r}") from None
    if rows < 1:
        raise ConfigError(f"PUBDATA_BATCH_ROWS must be at least 1, not {rows}")
    return rows
