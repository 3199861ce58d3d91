"""The one place that reads the environment.

Every other module receives a :class:`Settings` value; nothing else calls ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from etl.errors import ConfigError
from etl.local_time import DEFAULT_TIMEZONE, zone
from etl.zones import CLEARANCES, Zone

#: The project root (the folder holding ``pyproject.toml``), used for the defaults below.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: The zone a reader is cleared for (it may read that zone and every lower one).
Clearance = Zone
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
class ZoneStore:
    """Where one zone of the lake lives and the keys that reach it.

    A deployment on S3 gives each zone its own bucket (or prefix) and keys, so that the store
    itself refuses a reader who holds only the shared zone's keys; the pipeline holds every
    zone's keys. Locally the zones stay folders of one lake.

    Attributes:
        zone: the zone.
        root: ``PUBDATA_LAKE_<ZONE>`` (e.g. ``PUBDATA_LAKE_RESTRICTED``), else
            ``<PUBDATA_LAKE>/<zone>``. The restricted zone also holds the quarantine tables
            and the integrated repositories' restricted tables.
        s3: the lake's object-store settings with the zone's own keys,
            ``PUBDATA_S3_<ZONE>_ACCESS_KEY_ID``/``_SECRET_ACCESS_KEY``/``_SESSION_TOKEN``
            (else the lake's keys).
    """

    zone: Zone
    root: str
    s3: S3Settings = field(default_factory=S3Settings, compare=False)


def _zone_roots(env: Mapping[str, str]) -> dict[Zone, str]:
    """The zones given their own location (``PUBDATA_LAKE_<ZONE>``)."""
    roots = {}
    for z in Zone:
        root = (env.get(f"PUBDATA_LAKE_{z.name}") or "").strip()
        if root:
            roots[z] = _lake_uri(root)
    return roots


def _zone_keys(env: Mapping[str, str], s3: S3Settings) -> dict[Zone, S3Settings]:
    """The zones given their own keys (``PUBDATA_S3_<ZONE>_ACCESS_KEY_ID`` and the secret)."""
    keys = {}
    for z in Zone:
        prefix = f"PUBDATA_S3_{z.name}_"
        key_id = env.get(f"{prefix}ACCESS_KEY_ID") or None
        secret = env.get(f"{prefix}SECRET_ACCESS_KEY") or None
        if key_id is None and secret is None:
            continue
        if key_id is None or secret is None:
            raise ConfigError(
                f"{prefix}ACCESS_KEY_ID and {prefix}SECRET_ACCESS_KEY must be set together"
            )
        keys[z] = replace(
            s3,
            access_key_id=key_id,
            secret_access_key=secret,
            session_token=env.get(f"{prefix}SESSION_TOKEN") or None,
        )
    return keys


def _lake_uri(value: str) -> str:
    """A lake location as given: an URI, or a local path made absolute; no trailing slash."""
    if "://" not in value:
        value = str(Path(value).resolve())
    return value.rstrip("/")


def _under(uri: str, root: str) -> bool:
    return uri == root or uri.startswith(root + "/")


#: Bytes in a mebibyte, for the limits below.
MIB = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """How much one delivered file may make a reader do, so a hostile or broken file is refused.

    Each limit is generous for real department files and is checked before the expensive work
    (from a header line, a zip's directory or a Parquet footer) wherever the file says enough,
    and bounded again while reading where a file can lie about itself.

    Attributes:
        max_columns: ``PUBDATA_MAX_COLUMNS``; columns a delivered table may have (default
            2,000; every step's cost grows with the columns, GX's and the classifier's most).
        max_record_bytes: ``PUBDATA_MAX_RECORD_BYTES``; bytes one CSV record (a line, or lines
            of a quoted field) may take (default 4 MiB). It is the CSV reader's block size,
            so raising it raises the reader's buffers with it.
        max_json_depth: ``PUBDATA_MAX_JSON_DEPTH``; nesting levels of a JSON document (default
            64, at most 500: deeper documents exhaust the parser's stack first).
        max_cells: ``PUBDATA_MAX_CELLS``; rows x columns of a table read whole rather than
            streamed (Excel sheets by their used range, Parquet files by their footer, JSON)
            (default 10,000,000: about 2 GB resident for an Excel sheet).
        max_inflated_bytes: ``PUBDATA_MAX_INFLATED_BYTES``; bytes a workbook's zip parts may
            inflate to, declared and actual (default 1 GiB).
        max_inflation_ratio: ``PUBDATA_MAX_INFLATION_RATIO``; inflated/compressed ratio a
            workbook part over 1 MiB may declare (default 200; spreadsheets compress 5-20x).
        max_whole_read_bytes: ``PUBDATA_MAX_WHOLE_READ_BYTES``; bytes a JSON file, or the text a
            Parquet file expands to, may take (default 128 MiB), since both are held whole:
            parsed JSON takes about 14 times its file size (a 257 MB file peaked at 3.7 GB).
    """

    max_columns: int = 2_000
    max_record_bytes: int = 4 * MIB
    max_json_depth: int = 64
    max_cells: int = 10_000_000
    max_inflated_bytes: int = 1024 * MIB
    max_inflation_ratio: int = 200
    max_whole_read_bytes: int = 128 * MIB

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ReadLimits:
        """Read the limits from ``env``; unset variables keep the defaults."""
        defaults = cls()
        return cls(
            max_columns=_limit(env, "PUBDATA_MAX_COLUMNS", defaults.max_columns),
            max_record_bytes=_limit(env, "PUBDATA_MAX_RECORD_BYTES", defaults.max_record_bytes),
            max_json_depth=_limit(env, "PUBDATA_MAX_JSON_DEPTH", defaults.max_json_depth, 500),
            max_cells=_limit(env, "PUBDATA_MAX_CELLS", defaults.max_cells),
            max_inflated_bytes=_limit(
                env, "PUBDATA_MAX_INFLATED_BYTES", defaults.max_inflated_bytes
            ),
            max_inflation_ratio=_limit(
                env, "PUBDATA_MAX_INFLATION_RATIO", defaults.max_inflation_ratio
            ),
            max_whole_read_bytes=_limit(
                env, "PUBDATA_MAX_WHOLE_READ_BYTES", defaults.max_whole_read_bytes
            ),
        )


#: The limits when none are configured (readers called outside a run: ``pubdata classify``).
DEFAULT_LIMITS = ReadLimits()


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
        clearance: ``PUBDATA_CLEARANCE``; the most sensitive zone this caller asks to read
            (``open``, ``shared`` (default) or ``restricted``). The caller's grants decide
            (:func:`etl.read.access.granted_tables`); this request can only narrow them.
        access: ``PUBDATA_ACCESS``; the named principals and grants (:mod:`etl.access.config`;
            None: :attr:`access_file`'s default).
        principal: ``PUBDATA_PRINCIPAL``; read as this named principal rather than as the OS
            user (None: the OS user).
        principal_secret: ``PUBDATA_PRINCIPAL_SECRET``; that principal's secret. Never shown.
        purpose: ``PUBDATA_PURPOSE``; why this caller reads (the access log records it with
            every read; a command's ``--purpose`` wins). None: not given.
        s3: how to reach the object store of an ``s3://`` lake (endpoint, region, keys); the
            lake's keys reach ``_meta`` and every zone without keys of its own.
        zone_roots: the zones given their own location (``PUBDATA_LAKE_<ZONE>``); the others
            live under the lake root. Read through :meth:`zone_store`.
        zone_keys: the zones given their own keys (``PUBDATA_S3_<ZONE>_*``). Never shown.
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
        limits: what one delivered file may make a reader do (``PUBDATA_MAX_*``).
        timezone: ``PUBDATA_TIMEZONE`` (else Airflow's ``AIRFLOW__CORE__DEFAULT_TIMEZONE``,
            else ``Asia/Shanghai``): the zone schedules run in, logical dates are days of, and
            the CLI and the pages show times in (:mod:`etl.local_time`).
        connections: every ``AIRFLOW_CONN_<ID>`` variable (name -> URI or JSON), for
            :class:`etl.extract.EnvConnections` outside Airflow (inside a task the DAG resolves
            connections through Airflow, which reads the same variables). Never shown.
        serve_url: ``PUBDATA_SERVE_URL``; the PostgreSQL database the SQL endpoint for BI tools
            is published to (``postgresql://user:password@host:5432/pubdata_serve``; None: no
            serving, :mod:`etl.serve`). Never shown: it may hold a password.
        serve_restricted: ``PUBDATA_SERVE_RESTRICTED=1``; publish the restricted zone's tables
            too (into ``restricted_<domain>`` schemas); off by default.
    """

    home: Path
    registry: Path
    landing: Path
    lake: str
    expectations: Path
    token_key: str | None = field(default=None, repr=False)
    clearance: Clearance = Zone.SHARED
    access: Path | None = None
    principal: str | None = None
    principal_secret: str | None = field(default=None, repr=False)
    purpose: str | None = None
    s3: S3Settings = field(default_factory=S3Settings, compare=False)
    zone_roots: Mapping[Zone, str] = field(default_factory=dict, hash=False)
    zone_keys: Mapping[Zone, S3Settings] = field(default_factory=dict, repr=False, compare=False)
    retention_hours: int = DELTA_DEFAULT_RETENTION_HOURS
    batch_rows: int = DEFAULT_BATCH_ROWS
    workers: int = field(default_factory=lambda: default_workers())
    limits: ReadLimits = field(default_factory=ReadLimits)
    timezone: str = DEFAULT_TIMEZONE
    connections: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    serve_url: str | None = field(default=None, repr=False)
    serve_restricted: bool = False

    def __post_init__(self) -> None:
        # a clearance given as a string (``replace(settings, clearance="restricted")``) is a Zone
        object.__setattr__(self, "clearance", _clearance(str(self.clearance)))
        zone(self.timezone)  # a mistyped zone fails here, in one line, not in the first run

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from the environment (or the mapping given), with project defaults."""
        env = os.environ if env is None else env
        home = Path(env.get("PUBDATA_HOME") or PROJECT_ROOT / ".pubdata").resolve()
        lake = _lake_uri(env.get("PUBDATA_LAKE") or str(home / "lake"))
        s3 = S3Settings.from_env(env)
        return cls(
            home=home,
            registry=Path(env.get("PUBDATA_REGISTRY") or PROJECT_ROOT / "datasets").resolve(),
            landing=Path(
                env.get("PUBDATA_LANDING") or PROJECT_ROOT / "samples" / "landing"
            ).resolve(),
            lake=lake,
            expectations=Path(
                env.get("PUBDATA_EXPECTATIONS") or PROJECT_ROOT / "expectations"
            ).resolve(),
            token_key=env.get("PUBDATA_TOKEN_KEY") or None,
            clearance=_clearance(env.get("PUBDATA_CLEARANCE") or Zone.SHARED),
            access=Path(env["PUBDATA_ACCESS"]).resolve() if env.get("PUBDATA_ACCESS") else None,
            **_credentials(env),
            purpose=(env.get("PUBDATA_PURPOSE") or "").strip() or None,
            s3=s3,
            zone_roots=_zone_roots(env),
            zone_keys=_zone_keys(env, s3),
            retention_hours=_retention(env.get("PUBDATA_RETENTION_HOURS")),
            batch_rows=_batch_rows(env.get("PUBDATA_BATCH_ROWS")),
            workers=_workers(env.get("PUBDATA_WORKERS")),
            limits=ReadLimits.from_env(env),
            timezone=_timezone(env),
            connections={k: v for k, v in env.items() if k.startswith(CONN_PREFIX) and v},
            serve_url=_serve_url(env.get("PUBDATA_SERVE_URL")),
            serve_restricted=_flag(env, "PUBDATA_SERVE_RESTRICTED"),
        )

    @property
    def zone(self) -> ZoneInfo:
        """The configured time zone."""
        return zone(self.timezone)

    def zone_store(self, zone: Zone) -> ZoneStore:
        """Where ``zone`` lives and the keys that reach it: the one place that decides both.

        Table URIs (:mod:`etl.lake.layout`) and storage options (:mod:`etl.lake.storage`) are
        derived from it; ``_meta`` (no values) stays at ``<PUBDATA_LAKE>/_meta`` with the
        lake's keys.
        """
        return ZoneStore(
            zone,
            self.zone_roots.get(zone) or f"{self.lake}/{zone}",
            self.zone_keys.get(zone) or self.s3,
        )

    def store_of(self, uri: str) -> ZoneStore | None:
        """The zone whose location holds ``uri`` (None: ``_meta`` or outside every zone)."""
        found = [s for s in map(self.zone_store, Zone) if _under(uri, s.root)]
        return max(found, key=lambda s: len(s.root), default=None)

    def s3_for(self, uri: str) -> S3Settings:
        """The object-store settings that reach ``uri``: its zone's keys, else the lake's."""
        store = self.store_of(uri)
        return store.s3 if store is not None else self.s3

    @property
    def access_file(self) -> Path:
        """The access file: ``PUBDATA_ACCESS``, else ``$PUBDATA_HOME/access.yaml``."""
        return self.access or self.home / "access.yaml"

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


def _timezone(env: Mapping[str, str]) -> str:
    """``PUBDATA_TIMEZONE``, else Airflow's ``default_timezone`` of a deployment, else the default.

    Airflow spells UTC ``utc`` and the machine's zone ``system``: the first is UTC, the second
    says nothing about the city, so the default applies.
    """
    for name in ("PUBDATA_TIMEZONE", "AIRFLOW__CORE__DEFAULT_TIMEZONE"):
        value = (env.get(name) or "").strip()
        if name != "PUBDATA_TIMEZONE":
            value = {"utc": "UTC", "system": ""}.get(value.lower(), value)
        if value:
            zone(value, name)
            return value
    return DEFAULT_TIMEZONE


def _credentials(env: Mapping[str, str]) -> dict[str, str | None]:
    """The named principal and its secret: the variables, else ``PUBDATA_CREDENTIALS``'s file.

    The file holds one line ``<name>:<secret>`` (a service's secret kept out of its
    environment, e.g. a mounted Kubernetes secret).
    """
    name = (env.get("PUBDATA_PRINCIPAL") or "").strip() or None
    secret = env.get("PUBDATA_PRINCIPAL_SECRET") or None
    path = (env.get("PUBDATA_CREDENTIALS") or "").strip()
    if path and secret is None:
        try:
            line = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"PUBDATA_CREDENTIALS: cannot read {path}: {exc.strerror}") from None
        file_name, sep, secret = line.partition(":")
        if not sep or not file_name.strip() or not secret:
            raise ConfigError(f"PUBDATA_CREDENTIALS: {path} must hold one line <name>:<secret>")
        if name is not None and name != file_name.strip():
            raise ConfigError(
                f"PUBDATA_CREDENTIALS: {path} is for {file_name.strip()!r}, "
                f"not PUBDATA_PRINCIPAL {name!r}"
            )
        name = file_name.strip()
    return {"principal": name, "principal_secret": secret}


def _serve_url(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.startswith(("postgresql://", "postgres://")):
        # the value may hold a password: the message names the variable, not the value
        raise ConfigError("PUBDATA_SERVE_URL must be a postgresql:// URL")
    return text


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = (env.get(name) or "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {text!r}")


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


def _limit(env: Mapping[str, str], name: str, default: int, most: int | None = None) -> int:
    value = env.get(name)
    if not value:
        return default
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if number < 1:
        raise ConfigError(f"{name} must be at least 1, not {number}")
    if most is not None and number > most:
        raise ConfigError(f"{name} must be at most {most}, not {number}")
    return number
