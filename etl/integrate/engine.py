"""The integration engine: a repository's tables built and kept up to date from its contributors.

:func:`integrate` is the one entry point (the ``integrate__<domain>`` DAG calls it with the
runs that published, e.g. :func:`pending_runs`). It reads the contributing runs' rows from
their restricted tables (:mod:`etl.integrate.gather`: keys normalised, match counts per run,
matched rows spilled by key bucket), then works through the touched key buckets a group at a
time (:mod:`etl.integrate.state`: candidates, SCD2 records, conflicts, one logical date after
another) and commits the buckets that changed (:mod:`etl.integrate.tables` describes the three
tables).

- **Incremental** (the tables exist): only the given runs are read, and only the buckets of the
  entities they deliver (plus those whose values' freshness ran out since the last integration)
  are read, recomputed and rewritten; a run integrated twice changes nothing.
- **Full build** (a table is missing, or ``rebuild``): the same code over every run of every
  contributor, from empty tables, one logical date after another, so the records' history is
  rebuilt from what the restricted tables hold; the tables are replaced whole.

Design notes, where this differs from a plain ``DeltaTable.merge``:

- A bucket is rewritten whole (its unchanged rows copied) by pyarrow, and one commit per table
  removes the buckets' old files and adds the new ones (:func:`etl.lake.delta.stage_partitions`):
  the copy-on-write a Delta MERGE does, one group of buckets in memory at a time. Measured on
  this machine (2 busy cores), updating 10k of 1M records in 100 buckets: ``DeltaTable.merge``
  10.6 s and several GB resident; the pyarrow rewrite of the same buckets 7.5 s and 0.3 GB.
  Both rewrite every touched file: delta-rs writes no deletion vectors, so an update spread
  over all buckets (1% of random entities) rewrites the whole records table either way.
- Measured the same way with 1M persons and three contributors of 1M rows each: a full build
  28-32 s (0.9 GB peak), against 3.8 s to read the inputs and write the three tables once with
  pyarrow; about 9 s of it was checking 3M ID numbers (``check_id_card``, vectorized since).
  A 1% update (10k persons, new addresses) 6.9 s (0.74 GB): it reads and rewrites every
  bucket, as above. ``bench/integrate.py`` measures both against the floor (bench/README.md).
- The three tables are committed one after another (records, candidates, conflicts), the first
  claiming the repository (the Delta application transaction ``pubdata:integrate``): a
  concurrent integration of the same repository fails with
  :class:`~etl.errors.ConcurrentRun` rather than losing an update. A failure between commits
  leaves tables that the next integration of the same runs brings level (every step is
  recomputed from the delivered rows and the candidates).
- SCD2 dates are logical dates: a version begins on the date of the run that changed it;
  ``valid_to`` is exclusive. A late run (an older date than the last integrated) is applied
  as of the last integrated date: history is never rewritten backwards.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable

from etl.errors import ConfigError
from etl.extract.reserved import LOGICAL_DATE
from etl.integrate.gather import ContributingRun, Deliveries, RunMatch, gather
from etl.integrate.model import Domain
from etl.integrate.state import Counts, GroupState, Step, apply_step, partitions
from etl.integrate.tables import (
    BUCKET,
    DATASET,
    IS_CURRENT,
    PARTITIONS,
    VALID_FROM,
    candidates_schema,
    conflicts_schema,
    entity_tokens,
    records_schema,
    table_doc,
)
from etl.lake import delta
from etl.lake.layout import INTEGRATED_TABLES, integrated_table_uri
from etl.lineage.meta import append_rows, read_meta
from etl.protect.keys import TokenKey, load_token_key
from etl.registry import Registry, load_registry
from etl.settings import Settings

__all__ = ["IntegrationResult", "integrate", "pending_runs"]

log = logging.getLogger(__name__)

#: The Delta application transaction every integration of a repository claims.
APP_ID = "pubdata:integrate"
#: Rows (delivered plus held in the three tables) a group of buckets is read with at most,
#: unless one bucket alone holds more. Peak memory follows it, not the repository's size:
#: 0.9 GB measured for 1M persons and three contributors of 1M rows each.
GROUP_ROWS = 400_000
#: The order the tables are committed in (records claims the repository).
_COMMIT_ORDER = ("records", "candidates", "conflicts")

Mode = Literal["full", "incremental"]


@dataclass(frozen=True)
class IntegrationResult:
    """What one integration of a repository read and changed (ids and counts, no values).

    Attributes:
        domain: the repository's id.
        integration_id: this integration's id (the caller's, e.g. the DAG run id, or a new
            one); its ``_meta.integration_runs`` rows and commits carry it.
        mode: ``full`` (every run of every contributor, tables replaced) or ``incremental``.
        as_of: the date the touched records were computed as of; None when there was
            nothing to apply.
        runs: per contributing run read, its rows and key match counts.
        counts: entities touched, inserted and changed, conflicts opened and closed.
        versions: the Delta version committed per table (tables left as they were: absent).
        partitions: the partitions rewritten per table.
        started_at: when it began (UTC).
        finished_at: when its last table was committed (UTC).
    """

    domain: str
    integration_id: str
    mode: Mode
    as_of: date | None
    runs: tuple[RunMatch, ...]
    counts: Counts
    versions: dict[str, int]
    partitions: dict[str, int]
    started_at: datetime
    finished_at: datetime


def integrate(
    settings: Settings,
    domain: Domain,
    runs: Sequence[ContributingRun],
    *,
    registry: Registry | None = None,
    integration_id: str | None = None,
    rebuild: bool = False,
    token_key: TokenKey | str | None = None,
) -> IntegrationResult:
    """Bring the repository's tables up to date with ``runs`` (or build them whole).

    Args:
        settings: the lake and the token key's home.
        domain: the repository.
        runs: the contributing runs to integrate (ignored by a full build, which reads every
            run the contributors' restricted tables hold).
        registry: the dataset registry (None: loaded from ``settings.registry``).
        integration_id: an id for this integration (None: a new one).
        rebuild: build the tables whole even if they exist (after the domain file changed).
        token_key: the HMAC key of the entity tokens (None: ``settings``' key, as datasets).

    Returns:
        What was read and changed; also appended to ``_meta.integration_runs``.

    Raises:
        ConfigError: a run or contributor is not one of the domain's or the registry's,
            the tables were built from another version of the domain file, or their open
            conflicts carry tokens of a rotated key (rebuild them, ``rebuild``).
        ConcurrentRun: another integration of the repository committed first.
    """
    started = datetime.now(UTC)
    registry = registry if registry is not None else load_registry(settings.registry)
    key = load_token_key(settings.home, settings.token_key, provided=token_key)
    uris = {t: integrated_table_uri(settings, domain.id, t) for t in INTEGRATED_TABLES}
    bases = {t: delta.snapshot(uri) for t, uri in uris.items()}
    for one in runs:
        domain.contributor(one.dataset)  # a run of another dataset is a caller's mistake
    full = rebuild or any(base is None for base in bases.values())
    if not full:
        _check_columns(domain, bases)
    work = _Work(domain, uris, bases, full, key)
    if not full:
        work.check_token_key()
    since = None if full else _last_as_of(settings.lake, domain.id)
    with _spill_folder(settings, domain) as folder:
        deliveries, matches = gather(
            settings,
            registry,
            domain,
            None if full else runs,
            work.known_usccs(),
            folder,
            settings.batch_rows,
        )
        steps = _steps(sorted(deliveries.dates), since)
        identity = integration_id or f"integrate__{domain.id}__{uuid.uuid4().hex[:12]}"
        counts, versions, rewritten = work.run(deliveries, steps, identity, len(matches))
    result = IntegrationResult(
        domain=domain.id,
        integration_id=identity,
        mode="full" if full else "incremental",
        as_of=steps[-1].as_of if steps else None,
        runs=tuple(matches),
        counts=counts,
        versions=versions,
        partitions=rewritten,
        started_at=started,
        finished_at=datetime.now(UTC),
    )
    record_integration(settings.lake, result)
    log.info(
        "integrated %s (%s): %d runs, %d entities touched, %d new, %d changed, "
        "%d conflicts opened, %d resolved",
        domain.id,
        result.mode,
        len(matches),
        counts.touched,
        counts.inserted,
        counts.changed,
        counts.opened,
        counts.closed,
    )
    return result


def _steps(days: Sequence[date], since: date | None) -> list[Step]:
    """One step per logical date delivered, in order; ``as_of`` never goes back."""
    steps = []
    previous = since
    for day in days:
        as_of = day if previous is None else max(day, previous)
        steps.append(Step(day, as_of, previous))
        previous = as_of
    return steps


@contextmanager
def _spill_folder(settings: Settings, domain: Domain) -> Iterator[Path]:
    """A private folder under the staging root for the delivered rows (removed after)."""
    settings.staging.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"integrate-{domain.id}-", dir=settings.staging) as f:
        yield Path(f)


def _schemas(domain: Domain) -> dict[str, pa.Schema]:
    return {
        "records": records_schema(domain),
        "candidates": candidates_schema(domain),
        "conflicts": conflicts_schema(),
    }


def _check_columns(domain: Domain, bases: dict[str, DeltaTable | None]) -> None:
    """Refuse tables built from another version of the domain file (columns or types differ)."""
    for table, schema in _schemas(domain).items():
        held = delta.snapshot_schema(bases[table])
        if held is None:
            continue
        columns = {(f.name, f.type) for f in held}
        if columns != {(f.name, f.type) for f in schema}:
            raise ConfigError(
                f"the {table} table of {domain.id} has other columns than its domain file "
                "makes (the file changed since it was built); rebuild the repository "
                "(a full build: integrate with rebuild)"
            )


def _last_as_of(lake: str, domain_id: str) -> date | None:
    """The ``as_of`` of the repository's latest integration, from ``_meta.integration_runs``."""
    rows = read_meta(lake, "integration_runs")
    mine = rows.filter(pc.equal(rows.column("domain"), domain_id)).column("as_of")
    latest = pc.max(mine).as_py() if len(mine) else None
    return latest if isinstance(latest, date) else None


class _Work:
    """One integration's reads, group by group, and its staged and committed rewrites."""

    def __init__(
        self,
        domain: Domain,
        uris: dict[str, str],
        bases: dict[str, DeltaTable | None],
        full: bool,
        key: TokenKey,
    ) -> None:
        self.domain = domain
        self.uris = uris
        self.bases = bases
        self.full = full
        self.key = key
        self.schemas = _schemas(domain)
        self._datasets: dict[str, pads.Dataset] = {}

    def tokenize(self, keys: Any) -> Any:
        return entity_tokens(self.domain, keys, self.key)

    def check_token_key(self) -> None:
        """Refuse to match open conflicts whose entity tokens another key made.

        After the token key is rotated, an open conflict's token would never equal the new
        token of its entity: it would stay open for ever beside a duplicate.

        Raises:
            ConfigError: an open conflict carries a token of another key; rebuild.
        """
        entities = self._dataset("conflicts").to_table(
            columns=["entity"], filter=pc.field("is_open")
        )
        ours = pc.starts_with(entities.column("entity"), f"{self.key.key_id}:")
        if pc.any(pc.invert(ours)).as_py():
            raise ConfigError(
                f"the open conflicts of {self.domain.id} carry tokens of another token key than "
                f"{self.key.key_id!r} (the key was rotated); rebuild the repository "
                "(a full build: integrate with rebuild)"
            )

    def known_usccs(self) -> pa.Array:
        """The USCCs the repository knows (legal entities; organisation codes resolve to them)."""
        base = self.bases["records"]
        if self.full or base is None or self.domain.entity != "legal_entity":
            return pa.array([], pa.string())
        current = self._dataset("records").to_table(
            columns=[self.domain.key.name], filter=pc.field(IS_CURRENT)
        )
        return current.column(self.domain.key.name).combine_chunks().cast(pa.string())

    def run(
        self, deliveries: Deliveries, steps: list[Step], identity: str, runs: int
    ) -> tuple[Counts, dict[str, int], dict[str, int]]:
        """Apply ``steps`` to every touched group, then commit the tables."""
        stages = {
            t: delta.stage_partitions(
                self.uris[t],
                self.bases[t],
                self.schemas[t],
                PARTITIONS[t],
                whole=self.full,
                doc=table_doc(self.domain, t),
            )
            for t in INTEGRATED_TABLES
        }
        counts = Counts()
        try:
            for group in self._groups(deliveries, steps):
                state = self._read(group)
                delivered = deliveries.read(group)
                for step in steps:
                    today = pc.equal(delivered.column(LOGICAL_DATE), pa.scalar(step.day))
                    apply_step(state, delivered.filter(today), step, self.tokenize)
                counts.add(state.totals())
                self._write(state, stages)
            metadata = {
                "pubdata.integration_id": identity,
                "pubdata.run_id": identity,
                "pubdata.domain": self.domain.id,
                "pubdata.mode": "full" if self.full else "incremental",
                "pubdata.as_of": steps[-1].as_of.isoformat() if steps else "",
                "pubdata.runs": str(runs),
            }
            versions = self._commit(stages, metadata)
        except BaseException:
            for stage in stages.values():
                delta.discard(stage)
            raise
        rewritten = {t: len(s.replaced) for t, s in stages.items() if t in versions}
        return counts, versions, rewritten

    def _groups(self, deliveries: Deliveries, steps: list[Step]) -> Iterator[list[int]]:
        """The touched buckets in groups of about :data:`GROUP_ROWS` rows."""
        touched = set(deliveries.rows) | self._stale_buckets(steps)
        sizes: dict[int, int] = dict(deliveries.rows)
        held = {} if self.full else self.bases  # a full build holds nothing of the tables
        for table, base in held.items():
            for values, rows in delta.partition_rows(base, PARTITIONS[table]).items():
                bucket = int(values[-1])  # the bucket is the innermost partition column
                sizes[bucket] = sizes.get(bucket, 0) + rows
        group: list[int] = []
        rows = 0
        for bucket in sorted(touched):
            if group and rows + sizes.get(bucket, 0) > GROUP_ROWS:
                yield group
                group, rows = [], 0
            group.append(bucket)
            rows += sizes.get(bucket, 0)
        if group:
            yield group

    def _stale_buckets(self, steps: list[Step]) -> set[int]:
        """Buckets holding a candidate whose freshness runs out during ``steps``."""
        base = self.bases["candidates"]
        if self.full or base is None or not steps or steps[0].since is None:
            return set()
        since, until = steps[0].since, steps[-1].as_of
        wanted = None
        for attribute in self.domain.attributes.values():
            if attribute.max_age_days is None or until <= since:
                continue
            age = timedelta(days=attribute.max_age_days)
            window = (pc.field(LOGICAL_DATE) >= pa.scalar(since - age, pa.date32())) & (
                pc.field(LOGICAL_DATE) < pa.scalar(until - age, pa.date32())
            )
            one = pc.field(DATASET).isin(attribute.sources) & window
            wanted = one if wanted is None else wanted | one
        if wanted is None:
            return set()
        found = self._dataset("candidates").to_table(columns=[BUCKET], filter=wanted)
        return set(pc.unique(found.column(BUCKET)).to_pylist())

    def _read(self, group: list[int]) -> GroupState:
        """The group's rows as the tables hold them (none for a full build)."""
        if self.full:
            return GroupState.empty(self.domain)
        held = {}
        for table, schema in self.schemas.items():
            found = self._dataset(table).to_table(
                filter=pc.field(BUCKET).isin(pa.array(group, pa.int16()))
            )
            held[table] = found.select(schema.names).cast(schema)
        return GroupState.of(self.domain, held["candidates"], held["records"], held["conflicts"])

    def _dataset(self, table: str) -> pads.Dataset:
        """The files of the table as read at the start (listed from its log once)."""
        found = self._datasets.get(table)
        if found is None:
            base = self.bases[table]
            assert base is not None  # incremental: every table exists
            found = self._datasets[table] = delta.snapshot_dataset(base, self.uris[table])
        return found

    def _write(self, state: GroupState, stages: dict[str, delta.StagedPartitions]) -> None:
        """Stage every changed partition of the group (every partition, for a full build)."""
        key = self.domain.key.name
        held = {
            "records": (state.records(), (key, VALID_FROM)),
            "candidates": (state.candidates, (key,)),
            "conflicts": (state.conflicts(), ("entity", "attribute")),
        }
        for table, (rows, order) in held.items():
            only = None if self.full else state.dirty[table]
            for values, part in partitions(rows, PARTITIONS[table], order, only, key=key):
                delta.write_partition(stages[table], values, part)

    def _commit(
        self, stages: dict[str, delta.StagedPartitions], metadata: dict[str, str]
    ) -> dict[str, int]:
        """Commit the tables with something to commit, records first: it carries the claim.

        The records table is committed whenever another table is (with no file, if its rows
        did not change): every integration that writes claims the repository on one table,
        so of two concurrent ones the later fails before it writes anything.
        """
        tables = [t for t in _COMMIT_ORDER if self.full or stages[t].replaced]
        if not tables:
            return {}
        claim = delta.claim(self.bases["records"], APP_ID)
        versions = {"records": delta.commit(stages["records"], metadata, claim)}
        owner = _owner(self.uris["records"], claim)
        for table in tables:
            if table != "records":
                next_claim = delta.claim(self.bases[table], APP_ID)
                versions[table] = delta.commit(stages[table], metadata, next_claim, owner)
        return versions


def _owner(uri: str, claimed: delta.Claim) -> Callable[[], bool]:
    """Whether the integration still holds the claim it made on ``uri`` (no one took over)."""
    return lambda: delta.generation(uri, APP_ID) == claimed.generation


def record_integration(lake: str, result: IntegrationResult) -> None:
    """Append one ``_meta.integration_runs`` row per run the integration read (once)."""
    counts = result.counts
    rows = [
        {
            "integration_id": result.integration_id,
            "domain": result.domain,
            "mode": result.mode,
            "as_of": result.as_of,
            "dataset": match.run.dataset,
            "run_id": match.run.run_id,
            "logical_date": match.run.logical_date,
            "rows": match.rows,
            "keys_delivered": match.keys_delivered,
            "keys_matched": match.keys_matched,
            "entities_touched": counts.touched,
            "entities_inserted": counts.inserted,
            "entities_changed": counts.changed,
            "conflicts_opened": counts.opened,
            "conflicts_closed": counts.closed,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
        }
        for match in result.runs
    ]
    append_rows(lake, "integration_runs", rows, once=(f"pubdata:{result.integration_id}", 1))


def pending_runs(settings: Settings, domain: Domain) -> list[ContributingRun]:
    """The contributors' published runs no integration of ``domain`` has read yet, in order.

    A run is published when ``_meta.lineage_runs`` records its restricted table loaded
    (``status`` success); it is read once ``_meta.integration_runs`` names it for ``domain``.
    """
    loaded = read_meta(settings.lake, "lineage_runs")
    mine = pc.and_(
        pc.is_in(loaded.column("dataset"), value_set=pa.array(list(domain.datasets))),
        pc.and_(
            pc.equal(loaded.column("zone"), "restricted"),
            pc.equal(loaded.column("status"), "success"),
        ),
    )
    published = {
        ContributingRun(r["dataset"], r["logical_date"], r["run_id"])
        for r in loaded.filter(mine).select(["dataset", "logical_date", "run_id"]).to_pylist()
    }
    done = read_meta(settings.lake, "integration_runs")
    done = done.filter(pc.equal(done.column("domain"), domain.id))
    read = {
        ContributingRun(r["dataset"], r["logical_date"], r["run_id"])
        for r in done.select(["dataset", "logical_date", "run_id"]).to_pylist()
    }
    return sorted(published - read)
