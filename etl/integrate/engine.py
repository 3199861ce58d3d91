"""The integration engine: a repository's tables built and kept up to date from its contributors.

:func:`integrate` is the one entry point (the ``integrate__<domain>`` DAG calls it with the
runs that published, e.g. :func:`pending_runs`). It reads the contributing runs' rows from
their restricted tables (:mod:`etl.integrate.gather`: keys normalised, match counts per run,
matched rows spilled by key bucket), then works through the touched key buckets a group at a
time (:mod:`etl.integrate.state`: candidates, SCD2 records, conflicts, one logical date after
another) and commits (:mod:`etl.integrate.tables` describes the three tables).

- **Incremental** (the tables exist): only the given runs are read, and only the rows of the
  entities they deliver (plus those whose values' freshness ran out since the last
  integration); each changed entity's complete new rows are appended to the tables' changes
  (merge-on-read, :mod:`etl.lake.merge_on_read`): no file of the base tables is rewritten. A
  run integrated twice changes nothing.
- **Fold** (:func:`fold`, after an incremental integration once the changes hold more than
  :data:`FOLD_SHARE` of the base tables' rows): the base tables are written again whole from
  the resolved rows, then the changes are emptied.
- **Full build** (a table is missing, or ``rebuild``): the same code over every run of every
  contributor, from empty tables, one logical date after another, so the records' history is
  rebuilt from what the restricted tables hold; the tables are replaced whole.

Design notes, where this differs from a plain ``DeltaTable.merge``:

- A Delta MERGE rewrites every file holding a changed row (delta-rs writes no deletion
  vectors), so an update of 1% of entities spread over all files rewrites every file: measured
  with 1M persons and three contributors of 1M rows each, a 1% update that rewrote its buckets
  took 37-42% of the full build's time. Appending the changed entities' rows instead, and
  folding them in after about ten such updates, takes about a tenth (``bench/integrate.py``,
  bench/README.md); most of what remains is decoding the base files to find the touched
  entities' rows (Parquet has no row index).
- Each changes table holds whole entities: all the rows of every entity an update changed
  (every version, every candidate, every conflict), so a reader takes an entity's rows from
  the changes' latest update, or else from the base (:func:`etl.lake.merge_on_read.read`;
  ``pubdata sql`` resolves them in DuckDB). Rows are never deleted from the tables, so a whole
  entity is never absent from both.
- Every integration claims the repository on the records base table (the Delta application
  transaction ``pubdata:integrate``; an update's claim is a commit without files), and the
  claim's generation numbers its change rows: a concurrent integration of the same repository
  fails with :class:`~etl.errors.ConcurrentRun` rather than losing an update. A full build or
  fold records its generation on each base table it writes (``pubdata:merged``), so the change
  rows before it are ignored even if emptying them failed. A failure between commits leaves
  tables that the next integration of the same runs brings level (every step is recomputed
  from the delivered rows and the candidates).
- SCD2 dates are logical dates: a version begins on the date of the run that changed it;
  ``valid_to`` is exclusive. A late run (an older date than the last integrated) is applied
  as of the last integrated date: history is never rewritten backwards.
"""

from __future__ import annotations

import itertools
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable

from etl.errors import ConcurrentRun, ConfigError
from etl.extract.parts import SOURCE_FILE
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.integrate.gather import (
    ContributingRun,
    Deliveries,
    RunMatch,
    contributed_rows,
    gather,
)
from etl.integrate.model import Domain
from etl.integrate.state import Counts, GroupState, Step, apply_step, partitions
from etl.integrate.tables import (
    BUCKET,
    BUCKETS_APP,
    DATASET,
    IS_CURRENT,
    PARTITIONS,
    UNRECORDED_BUCKETS,
    VALID_FROM,
    bucket_count,
    candidates_schema,
    entity_column,
    entity_tokens,
    lineage_column,
    table_doc,
    table_schema,
)
from etl.lake import delta, merge_on_read
from etl.lake.layout import INTEGRATED_TABLES, integrated_table_uri
from etl.lineage.meta import append_rows, read_meta
from etl.protect.keys import TokenKey, load_token_key
from etl.registry import Registry, load_registry
from etl.settings import Settings

__all__ = ["IntegrationResult", "fold", "integrate", "pending_runs"]

log = logging.getLogger(__name__)

#: The Delta application transaction every integration of a repository claims.
APP_ID = "pubdata:integrate"
#: Rows (delivered plus held in the three tables) a group of buckets is read with at most,
#: unless one bucket alone holds more. Peak memory follows it, not the repository's size:
#: 0.9 GB measured for 1M persons and three contributors of 1M rows each.
GROUP_ROWS = 400_000
#: The order the tables are committed in (records claims the repository).
_COMMIT_ORDER = ("records", "candidates", "conflicts")
#: The base table every integration claims the repository on (a commit even with no file).
_CLAIM = "records"
#: The changes tables are folded into the base tables once they hold more rows than this share
#: of the base tables' (every read resolves the changes, so they are kept small).
FOLD_SHARE = 0.1
#: Commit metadata naming the token key whose tokens an integration wrote.
TOKEN_KEY_METADATA = "pubdata.token_key"

Mode = Literal["full", "incremental"]
WorkMode = Literal["full", "incremental", "fold"]


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
        versions: the Delta version committed per table (tables left as they were: absent;
            an incremental integration's appends as ``<table>__changes``, and the records
            table's commit that claimed the repository).
        partitions: the partitions of the base tables rewritten per table (none by an
            incremental integration).
        appended: rows appended per changes table (incremental: the touched entities' rows).
        folded: whether the changes were folded into the base tables afterwards
            (:func:`fold`).
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
    appended: dict[str, int]
    folded: bool
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
    for one in runs:
        domain.contributor(one.dataset)  # a run of another dataset is a caller's mistake
    tables = _Tables.read(settings, domain)
    full = rebuild or any(base is None for base in tables.bases.values())
    if not full:
        _check_columns(domain, tables.bases)
    if full:
        buckets = bucket_count(contributed_rows(settings, registry, domain))
        work = _Work(domain, tables, "full", key, buckets)
    else:
        work = _Work(domain, tables, "incremental", key, tables.buckets())
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
            work.buckets,
            folder,
            settings.batch_rows,
        )
        steps = _steps(sorted(deliveries.dates), since)
        identity = integration_id or f"integrate__{domain.id}__{uuid.uuid4().hex[:12]}"
        done = work.run(
            deliveries, steps, _metadata(domain, identity, work.mode, steps, len(matches), key)
        )
    result = IntegrationResult(
        domain=domain.id,
        integration_id=identity,
        mode="full" if full else "incremental",
        as_of=steps[-1].as_of if steps else None,
        runs=tuple(matches),
        counts=done.counts,
        versions=done.versions,
        partitions=done.partitions,
        appended=done.appended,
        folded=False,
        started_at=started,
        finished_at=datetime.now(UTC),
    )
    record_integration(settings.lake, result)
    if not full and done.versions and tables.needs_fold(sum(done.appended.values())):
        # the update is committed and recorded; folding is upkeep that any later one redoes
        try:
            fold(settings, domain, integration_id=identity, token_key=key)
        except ConcurrentRun:
            log.info("%s: another integration came first; its changes are folded later", domain.id)
        else:
            result = replace(result, folded=True, finished_at=datetime.now(UTC))
    log.info(
        "integrated %s (%s): %d runs, %d entities touched, %d new, %d changed, "
        "%d conflicts opened, %d resolved%s",
        domain.id,
        result.mode,
        len(matches),
        done.counts.touched,
        done.counts.inserted,
        done.counts.changed,
        done.counts.opened,
        done.counts.closed,
        "; changes folded into the base tables" if result.folded else "",
    )
    return result


def fold(
    settings: Settings,
    domain: Domain,
    *,
    integration_id: str | None = None,
    token_key: TokenKey | str | None = None,
) -> dict[str, int]:
    """Write the base tables again with the changes folded in, then empty the changes tables.

    Incremental integrations append to the changes tables (:mod:`etl.lake.merge_on_read`);
    :func:`integrate` folds them in once they hold more than :data:`FOLD_SHARE` of the base's
    rows, so that every read resolves few. Safe to interrupt anywhere: the base commits record
    the sequence number they are current to, and the changes are emptied only after them.

    Returns:
        The Delta version committed per base table (empty when there was nothing to fold).

    Raises:
        ConcurrentRun: another integration of the repository committed first.
    """
    tables = _Tables.read(settings, domain)
    if any(base is None for base in tables.bases.values()) or not tables.change_rows():
        return {}
    key = load_token_key(settings.home, settings.token_key, provided=token_key)
    work = _Work(domain, tables, "fold", key, tables.buckets())
    identity = integration_id or f"fold__{domain.id}__{uuid.uuid4().hex[:12]}"
    empty = Deliveries(Path(), candidates_schema(domain))
    return work.run(empty, [], _metadata(domain, identity, "fold", [], 0, key)).versions


def _metadata(
    domain: Domain, identity: str, mode: str, steps: Sequence[Step], runs: int, key: TokenKey
) -> dict[str, str]:
    return {
        TOKEN_KEY_METADATA: key.key_id,
        "pubdata.integration_id": identity,
        "pubdata.run_id": identity,
        "pubdata.domain": domain.id,
        "pubdata.mode": mode,
        "pubdata.as_of": steps[-1].as_of.isoformat() if steps else "",
        "pubdata.runs": str(runs),
    }


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
    return {table: table_schema(domain, table) for table in INTEGRATED_TABLES}


def _repeated(domain: Domain, table: str) -> list[str]:
    """The string columns of few distinct values: datasets, runs, files, attribute names.

    Read as dictionary arrays, the records' 21 lineage columns of a seven-attribute domain cost
    a quarter less to decode when an update looks for its entities' rows.
    """
    if table == "conflicts":
        return ["attribute", "source", "other", "source_run_id", "other_run_id"]
    if table == "candidates":
        return [RUN_ID, SOURCE_FILE]
    parts = ("dataset", "run_id", "source_file")
    return [lineage_column(a, p) for a in domain.attributes for p in parts]


def _changes_schema(domain: Domain, table: str, schema: pa.Schema) -> pa.Schema:
    """A changes table's columns: the base's, then the sequence number; the entity marked."""
    return merge_on_read.mark_entity(
        schema.append(pa.field(merge_on_read.SEQ, pa.int64())), entity_column(domain, table)
    )


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


@dataclass
class _Tables:
    """A repository's base and changes tables as read at the start of one integration."""

    uris: dict[str, str]
    bases: dict[str, DeltaTable | None]
    changes: dict[str, DeltaTable | None]

    @classmethod
    def read(cls, settings: Settings, domain: Domain) -> _Tables:
        uris = {t: integrated_table_uri(settings, domain.id, t) for t in INTEGRATED_TABLES}
        return cls(
            uris,
            {t: delta.snapshot(uri) for t, uri in uris.items()},
            {t: delta.snapshot(merge_on_read.changes_uri(uri)) for t, uri in uris.items()},
        )

    def buckets(self) -> int:
        """The bucket count the base tables' rows were written with (:data:`BUCKETS_APP`)."""
        base = self.bases[_CLAIM]
        recorded = base.transaction_version(BUCKETS_APP) if base is not None else None
        return int(recorded) if recorded else UNRECORDED_BUCKETS

    def change_rows(self) -> int:
        """Rows the changes tables hold above what their bases are current to."""
        total = 0
        for table, changes in self.changes.items():
            after = merge_on_read.merged_through(self.bases[table])
            for (seq,), rows in delta.partition_rows(changes, (merge_on_read.SEQ,)).items():
                total += rows if int(seq) > after else 0
        return total

    def needs_fold(self, appended: int) -> bool:
        """Whether the changes and ``appended`` rows outgrew :data:`FOLD_SHARE` of the base."""
        held = sum(
            sum(delta.partition_rows(base, PARTITIONS[t]).values())
            for t, base in self.bases.items()
        )
        return self.change_rows() + appended > FOLD_SHARE * held


@dataclass(frozen=True)
class _Done:
    counts: Counts
    versions: dict[str, int]
    partitions: dict[str, int]
    appended: dict[str, int]


class _Work:
    """One integration's reads, group by group, and its staged and committed writes.

    ``full`` writes the base tables whole from the delivered rows; ``incremental`` reads the
    touched entities' rows (base and changes resolved) and appends their new row sets to the
    changes tables; ``fold`` writes the base tables whole from the resolved rows. ``buckets``
    is the repository's bucket count: a full build's :func:`~etl.integrate.tables.bucket_count`,
    else the count its tables record (:meth:`_Tables.buckets`).
    """

    def __init__(
        self, domain: Domain, tables: _Tables, mode: WorkMode, key: TokenKey, buckets: int
    ) -> None:
        self.domain = domain
        self.tables = tables
        self.mode = mode
        self.key = key
        self.buckets = buckets
        self.schemas = _schemas(domain)
        self._files: dict[str, tuple[pads.Dataset, pads.Dataset | None]] = {}
        self._appended: dict[str, int] = {}

    @property
    def bases(self) -> dict[str, DeltaTable | None]:
        return self.tables.bases

    def tokenize(self, keys: Any) -> Any:
        return entity_tokens(self.domain, keys, self.key)

    def resolved(
        self,
        table: str,
        *,
        columns: Sequence[str] | None = None,
        where: pc.Expression | None = None,
        within: pc.Expression | None = None,
    ) -> pa.Table:
        """The table's rows as they stand: the base's, with the changes' newer entities."""
        files, changes = self._datasets(table)
        return merge_on_read.read(
            self.bases[table], files, changes, columns=columns, where=where, within=within
        )

    def check_token_key(self) -> None:
        """Refuse to match open conflicts whose entity tokens another key made.

        After the token key is rotated, an open conflict's token would never equal the new
        token of its entity: it would stay open for ever beside a duplicate.

        The last integration names its key in its commit (:data:`TOKEN_KEY_METADATA`): when it
        is this key, every open conflict carries this key's tokens and nothing is read.

        Raises:
            ConfigError: an open conflict carries a token of another key; rebuild.
        """
        base = self.bases[_CLAIM]
        last = base.history(1)[0] if base is not None else {}
        if last.get(TOKEN_KEY_METADATA) == self.key.key_id:
            return
        entities = self.resolved("conflicts", columns=["entity"], where=pc.field("is_open"))
        ours = pc.starts_with(entities.column("entity"), f"{self.key.key_id}:")
        if pc.any(pc.invert(ours)).as_py():
            raise ConfigError(
                f"the open conflicts of {self.domain.id} carry tokens of another token key than "
                f"{self.key.key_id!r} (the key was rotated); rebuild the repository "
                "(a full build: integrate with rebuild)"
            )

    def known_usccs(self) -> pa.Array:
        """The USCCs the repository knows (legal entities; organisation codes resolve to them)."""
        if self.mode == "full" or self.domain.entity != "legal_entity":
            return pa.array([], pa.string())
        name = self.domain.key.name
        current = self.resolved("records", columns=[name], where=pc.field(IS_CURRENT))
        return current.column(name).combine_chunks().cast(pa.string())

    def run(self, deliveries: Deliveries, steps: list[Step], metadata: dict[str, str]) -> _Done:
        """Apply ``steps`` to every group, then commit (the changes, or the base whole)."""
        claim = delta.claim(self.bases["records"], APP_ID)
        stages = self._stages()
        counts = Counts()
        try:
            for group, keys in self._groups(deliveries, steps):
                state = self._read(group, keys)
                delivered = deliveries.read(group)
                for step in steps:
                    today = pc.equal(delivered.column(LOGICAL_DATE), pa.scalar(step.day))
                    apply_step(state, delivered.filter(today), step, self.tokenize)
                counts.add(state.totals())
                self._write(state, stages, claim.generation)
            if self.mode == "incremental":
                versions = self._commit_changes(stages, metadata, claim)
            else:
                versions = self._commit_whole(stages, metadata, claim)
        except BaseException:
            for stage in stages.values():
                delta.discard(stage)
            raise
        if self.mode == "incremental":
            return _Done(counts, versions, {}, dict(self._appended) if versions else {})
        return _Done(counts, versions, {t: len(s.replaced) for t, s in stages.items()}, {})

    def _stages(self) -> dict[str, delta.StagedPartitions]:
        """Where this integration writes: the changes tables, or the base tables whole."""
        stages = {}
        for t in INTEGRATED_TABLES:
            doc = table_doc(self.domain, t)
            if self.mode == "incremental":
                uri = merge_on_read.changes_uri(self.tables.uris[t])
                schema = _changes_schema(self.domain, t, self.schemas[t])
                stages[t] = delta.stage_partitions(
                    uri, self.tables.changes[t], schema, (merge_on_read.SEQ,), doc=doc
                )
            else:
                stages[t] = delta.stage_partitions(
                    self.tables.uris[t],
                    self.bases[t],
                    self.schemas[t],
                    PARTITIONS[t],
                    whole=True,
                    doc=doc,
                )
        return stages

    def _groups(
        self, deliveries: Deliveries, steps: list[Step]
    ) -> Iterator[tuple[list[int], pa.Array | None]]:
        """The buckets to work through, in groups of about :data:`GROUP_ROWS` rows.

        Each group comes with the keys of the entities to read (incremental: those delivered
        and those whose freshness ran out) or None (every entity of its buckets).
        """
        sizes: dict[int, int] = dict(deliveries.rows)
        touched: dict[int, pa.Array] = {}
        if self.mode == "incremental":
            touched = self._touched(deliveries, steps)
            for bucket, keys in touched.items():
                sizes[bucket] = sizes.get(bucket, 0) + len(keys)
        elif self.mode == "fold":
            # every bucket: the changes may hold buckets the base has not
            sizes = dict.fromkeys(range(self.buckets), 0)
            for table, base in self.bases.items():
                for values, rows in delta.partition_rows(base, PARTITIONS[table]).items():
                    bucket = int(values[-1])  # the bucket is the innermost partition column
                    sizes[bucket] = sizes.get(bucket, 0) + rows
        buckets = sorted(touched if self.mode == "incremental" else sizes)
        group: list[int] = []
        rows = 0
        for bucket in buckets:
            if group and rows + sizes.get(bucket, 0) > GROUP_ROWS:
                yield group, self._keys(touched, group)
                group, rows = [], 0
            group.append(bucket)
            rows += sizes.get(bucket, 0)
        if group:
            yield group, self._keys(touched, group)

    def _keys(self, touched: dict[int, pa.Array], group: list[int]) -> pa.Array | None:
        if self.mode != "incremental":
            return None
        return pa.concat_arrays([touched[b] for b in group])

    def _touched(self, deliveries: Deliveries, steps: list[Step]) -> dict[int, pa.Array]:
        """Per bucket, the keys delivered and those holding a value whose freshness ran out."""
        name = self.domain.key.name
        parts = [deliveries.read(sorted(deliveries.rows)).select([BUCKET, name])]
        stale = self._stale(steps)
        if stale is not None:
            parts.append(self.resolved("candidates", columns=[BUCKET, name], where=stale))
        found = pa.concat_tables(parts).group_by([BUCKET, name]).aggregate([])
        found = found.sort_by(BUCKET)
        buckets = found.column(BUCKET).to_numpy()
        keys = found.column(name).combine_chunks()
        starts = np.flatnonzero(np.diff(buckets, prepend=-1))
        bounds = [*starts.tolist(), len(buckets)]
        return {
            int(buckets[start]): keys.slice(start, stop - start)
            for start, stop in itertools.pairwise(bounds)
        }

    def _stale(self, steps: list[Step]) -> pc.Expression | None:
        """Candidates whose freshness runs out during ``steps`` (None: none can)."""
        if not steps or steps[0].since is None:
            return None
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
        return wanted

    def _read(self, group: list[int], keys: pa.Array | None) -> GroupState:
        """The group's rows as they stand (none for a full build; its keys' for an update)."""
        if self.mode == "full":
            return GroupState.empty(self.domain, self.buckets)
        buckets = pc.field(BUCKET).isin(pa.array(group, pa.int16()))
        tokens = self.tokenize(keys) if keys is not None else None
        held = {}
        for table, schema in self.schemas.items():
            within = buckets
            if keys is not None:
                ids = tokens if table == "conflicts" else keys
                within = buckets & pc.field(entity_column(self.domain, table)).isin(ids)
            found = self.resolved(table, within=within)
            held[table] = found.select(schema.names).cast(schema)
        state = GroupState.of(
            self.domain, self.buckets, held["candidates"], held["records"], held["conflicts"]
        )
        if keys is not None:
            state.remember(keys, tokens)
        return state

    def _datasets(self, table: str) -> tuple[pads.Dataset, pads.Dataset | None]:
        """The files of the base and changes tables as read at the start (listed once)."""
        found = self._files.get(table)
        if found is None:
            base, changes = self.bases[table], self.tables.changes[table]
            assert base is not None  # only read once the tables exist
            changed = None
            if changes is not None:
                changed = delta.snapshot_dataset(
                    changes, merge_on_read.changes_uri(self.tables.uris[table])
                )
            files = delta.snapshot_dataset(
                base, self.tables.uris[table], _repeated(self.domain, table)
            )
            found = (files, changed)
            self._files[table] = found
        return found

    def _write(
        self, state: GroupState, stages: dict[str, delta.StagedPartitions], seq: int
    ) -> None:
        """Stage the group: its changed entities' rows (incremental), or every partition."""
        key = self.domain.key.name
        held = {
            "records": (state.records(), (key, VALID_FROM)),
            "candidates": (state.candidates, (key,)),
            "conflicts": (state.conflicts(), ("entity", "attribute")),
        }
        for table, (rows, order) in held.items():
            if self.mode == "incremental":
                changed = state.changed(table, rows)
                if changed.num_rows:
                    values = {merge_on_read.SEQ: str(seq)}
                    delta.write_partition(stages[table], values, changed)
                    self._appended[table] = self._appended.get(table, 0) + changed.num_rows
                continue
            for values, part in partitions(rows, PARTITIONS[table], order, key=key):
                delta.write_partition(stages[table], values, part)

    def _commit_changes(
        self,
        stages: dict[str, delta.StagedPartitions],
        metadata: dict[str, str],
        claim: delta.Claim,
    ) -> dict[str, int]:
        """Claim the repository on the records base (no file), then append to the changes."""
        tables = [t for t in _COMMIT_ORDER if stages[t].replaced]
        if not tables:
            return {}
        uri = self.tables.uris[_CLAIM]
        base = self.bases[_CLAIM]
        marker = delta.stage_partitions(uri, base, self.schemas[_CLAIM], PARTITIONS[_CLAIM])
        versions = {_CLAIM: delta.commit(marker, metadata, claim)}
        owner = _owner(uri, claim)
        for table in tables:
            changes = self.tables.changes[table]
            versions[f"{table}{merge_on_read.SUFFIX}"] = delta.commit(
                stages[table], metadata, delta.claim(changes, APP_ID), owner
            )
        return versions

    def _commit_whole(
        self,
        stages: dict[str, delta.StagedPartitions],
        metadata: dict[str, str],
        claim: delta.Claim,
    ) -> dict[str, int]:
        """Replace the base tables (records first: it carries the claim), then empty the changes.

        Each base commit records the claim's generation as the sequence number it is current
        to, so the changes written before are ignored from then on, emptied or not, and the
        bucket count its rows were written with (:data:`BUCKETS_APP`).
        """
        marks = ((merge_on_read.MERGED_APP, claim.generation), (BUCKETS_APP, self.buckets))
        first = delta.Claim(claim.app_id, claim.generation, marks)
        versions = {_CLAIM: delta.commit(stages[_CLAIM], metadata, first)}
        owner = _owner(self.tables.uris[_CLAIM], claim)
        for table in _COMMIT_ORDER:
            if table == _CLAIM:
                continue
            next_claim = delta.claim(self.bases[table], APP_ID)
            marked = delta.Claim(next_claim.app_id, next_claim.generation, marks)
            versions[table] = delta.commit(stages[table], metadata, marked, owner)
        for table, changes in self.tables.changes.items():
            if changes is None:
                continue
            uri = merge_on_read.changes_uri(self.tables.uris[table])
            schema = _changes_schema(self.domain, table, self.schemas[table])
            emptied = delta.stage_partitions(uri, changes, schema, (merge_on_read.SEQ,), whole=True)
            delta.commit(emptied, metadata, delta.claim(changes, APP_ID), owner)
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
