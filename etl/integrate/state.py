"""One group of key buckets of a repository, brought forward one logical date at a time.

The engine (:mod:`etl.integrate.engine`) reads the rows of a group of buckets into a
:class:`GroupState` and applies each date's deliveries with :func:`apply_step`:

1. **candidates** — each (entity, dataset) keeps the dataset's latest row: the delivered row
   wins over the one held unless the held one is of a later logical date (a run of the date
   held replaces it: a re-run of a date replaces that date's rows in the dataset's table).
   Within one delivery the last row wins, in (source file, source row) order.
2. **records** — the entities touched (delivered now, or whose value of an attribute with a
   freshness rule went stale since the last step) are recomputed from their candidates: per
   attribute the source :meth:`Attribute.choose <etl.integrate.model.Attribute.choose>`
   names, with that candidate's lineage. A record whose values and sources are unchanged is
   left alone (its lineage keeps naming the delivery its version was built from); a changed
   one gets its current version closed (``valid_to`` = the step's date) and a new version;
   a version that began on the step's date is replaced in place (two integrations of one day
   leave one version, never an empty interval).
3. **conflicts** — for every touched entity and attribute, each source whose non-null value
   differs (:func:`etl.integrate.choice.comparable`) from the value the record took is a
   conflict keyed by entity token, attribute, source and other; one no longer found is
   resolved, one found again keeps its ``detected`` date.

Nothing here reads or writes the lake: the state holds Arrow tables and records which
entities' rows changed in each table (:attr:`GroupState.dirty`), so an incremental
integration writes only those entities' rows (:meth:`GroupState.changed`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.extract.parts import SOURCE_FILE, SOURCE_ROW
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.integrate.choice import comparable, pick, winners
from etl.integrate.model import Domain
from etl.integrate.tables import (
    BUCKET,
    DATASET,
    IS_CURRENT,
    PARTITIONS,
    VALID_FROM,
    VALID_TO,
    attribute_types,
    candidates_schema,
    conflicts_schema,
    entity_column,
    key_buckets,
    key_words,
    lineage_column,
    records_schema,
)

__all__ = ["Counts", "GroupState", "Step", "apply_step", "partitions"]

#: Tokens of canonical keys, as :func:`etl.integrate.tables.entity_tokens` makes them.
Tokenizer = Callable[[Any], Any]
_SEP = "\x1f"  # joins parts of an identity string; never inside a key, name or run id


@dataclass(frozen=True)
class Step:
    """One logical date of deliveries applied to the state.

    Attributes:
        day: the logical date of the deliveries applied.
        as_of: the date records are computed as of: ``day``, or the previous step's when a
            late run brings an older date (freshness and ``valid_from`` never go back).
        since: the previous step's ``as_of`` (None: the repository had none): values whose
            freshness ran out between the two are recomputed.
    """

    day: date
    as_of: date
    since: date | None


@dataclass
class Counts:
    """What the steps applied to a group changed.

    Attributes:
        touched: distinct entities recomputed.
        inserted: entities seen for the first time (a first version).
        changed: distinct known entities that got a new version.
        opened: conflicts found.
        closed: conflicts resolved.
    """

    touched: int = 0
    inserted: int = 0
    changed: int = 0
    opened: int = 0
    closed: int = 0

    def add(self, other: Counts) -> None:
        """Add ``other``'s counts to these (groups hold disjoint entities)."""
        self.touched += other.touched
        self.inserted += other.inserted
        self.changed += other.changed
        self.opened += other.opened
        self.closed += other.closed


@dataclass
class GroupState:
    """The rows of one group of buckets, and which partitions of each table changed.

    Attributes:
        domain: the repository.
        buckets: the repository's bucket count (:func:`~etl.integrate.tables.key_buckets`).
        candidates: the candidate rows.
        current: the records' current versions.
        history: the records' closed versions (never changed again).
        open: the open conflicts.
        resolved: the resolved conflicts (never changed again).
        dirty: per table, the entities (keys; tokens for conflicts) whose rows changed.
        counts: the entities inserted and the conflicts opened and closed so far.
    """

    domain: Domain
    buckets: int
    candidates: pa.Table = field(repr=False)  # the tables hold keys and values: never shown
    current: pa.Table = field(repr=False)
    history: pa.Table = field(repr=False)
    open: pa.Table = field(repr=False)
    resolved: pa.Table = field(repr=False)
    dirty: dict[str, list[pa.Array]] = field(
        default_factory=lambda: {table: [] for table in PARTITIONS}
    )
    counts: Counts = field(default_factory=Counts)
    # keys tokenized so far and their tokens; keys touched and changed by the steps
    _known: pa.Array = field(
        init=False, repr=False, default_factory=lambda: pa.array([], pa.string())
    )
    _tokens: pa.Array = field(
        init=False, repr=False, default_factory=lambda: pa.array([], pa.string())
    )
    _touched: list[pa.Array] = field(init=False, repr=False, default_factory=list)
    _changed: list[pa.Array] = field(init=False, repr=False, default_factory=list)

    @classmethod
    def empty(cls, domain: Domain, buckets: int) -> GroupState:
        """A group with no rows yet (a full build)."""
        return cls.of(
            domain,
            buckets,
            candidates=None,
            records=records_schema(domain).empty_table(),
            conflicts=conflicts_schema().empty_table(),
        )

    @classmethod
    def of(
        cls,
        domain: Domain,
        buckets: int,
        candidates: pa.Table | None,
        records: pa.Table,
        conflicts: pa.Table,
    ) -> GroupState:
        """A group holding the rows read from the tables (each in its table's schema)."""
        current = pc.fill_null(records.column(IS_CURRENT), False)
        is_open = pc.fill_null(conflicts.column("is_open"), False)
        return cls(
            domain,
            buckets,
            candidates if candidates is not None else candidates_schema(domain).empty_table(),
            records.filter(current),
            records.filter(pc.invert(current)),
            conflicts.filter(is_open),
            conflicts.filter(pc.invert(is_open)),
        )

    @property
    def key(self) -> str:
        """The key column's name."""
        return self.domain.key.name

    def records(self) -> pa.Table:
        """Every version held: the closed ones, then the current ones."""
        return pa.concat_tables([self.history, self.current])

    def conflicts(self) -> pa.Table:
        """Every conflict held: the resolved ones, then the open ones."""
        return pa.concat_tables([self.resolved, self.open])

    def totals(self) -> Counts:
        """What the steps applied changed, entities counted once however many steps."""
        counts = self.counts
        return Counts(
            _distinct(self._touched),
            counts.inserted,
            _distinct(self._changed),
            counts.opened,
            counts.closed,
        )

    def remember(self, keys: Any, tokens: Any) -> None:
        """Take the tokens of ``keys`` (distinct keys, made elsewhere) instead of making them."""
        self._known = pa.concat_arrays([self._known, _array(keys)])
        self._tokens = pa.concat_arrays([self._tokens, _array(tokens).cast(pa.string())])

    def tokens(self, keys: Any, tokenize: Tokenizer) -> Any:
        """The entity token of each key, each key hashed once per group."""
        where = pc.index_in(keys, value_set=self._known)
        missing = pc.unique(pc.filter(keys, pc.is_null(where)))
        if len(missing):
            self._known = pa.concat_arrays([self._known, missing])
            self._tokens = pa.concat_arrays([self._tokens, _array(tokenize(missing))])
            where = pc.index_in(keys, value_set=self._known)
        return self._tokens.take(where)

    def mark(self, table: str, rows: pa.Table) -> None:
        """Record the entities of ``rows`` as changed in ``table``."""
        self.dirty[table].append(_array(rows.column(entity_column(self.domain, table))))

    def changed(self, table: str, rows: pa.Table) -> pa.Table:
        """Of ``rows`` (the table's rows held), every row of the entities changed in ``table``."""
        if not self.dirty[table] or rows.num_rows == 0:
            return rows.slice(0, 0)
        ids = pc.unique(pa.chunked_array(self.dirty[table], pa.string()))
        column = rows.column(entity_column(self.domain, table))
        return rows.filter(pc.is_in(column, value_set=ids))


def _array(values: Any) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _distinct(parts: list[pa.Array]) -> int:
    if not parts:
        return 0
    return int(pc.count_distinct(pa.chunked_array(parts, pa.string())).as_py())


def partitions(
    rows: pa.Table,
    columns: tuple[str, ...],
    order: tuple[str, ...],
    *,
    key: str,
) -> Iterator[tuple[dict[str, str], pa.Table]]:
    """Each partition's values (as text) and rows (sorted by ``order``), in partition order.

    Args:
        rows: the rows.
        columns: the partition columns.
        order: the columns the rows of a partition are sorted by (ascending, nulls last).
        key: the column of canonical keys (sorted on their integer words).
    """
    n = rows.num_rows
    if n == 0:
        return
    rows = rows.take(_sort_indices(rows, (*columns, *order), key))
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    for column in columns:
        values = rows.column(column)
        differs = pc.not_equal(values.slice(0, n - 1), values.slice(1))
        starts[1:] |= differs.to_numpy()
    bounds = [*np.flatnonzero(starts).tolist(), n]
    for start, stop in itertools.pairwise(bounds):
        part = rows.slice(start, stop - start)
        value = tuple(str(part.column(c)[0].as_py()) for c in columns)
        yield dict(zip(columns, value, strict=True)), part


def _same(a: Any, b: Any) -> Any:
    """Element-wise equality where two nulls are equal."""
    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
    return pc.or_(pc.fill_null(pc.equal(a, b), False), both_null)


def _latest(rows: pa.Table, key: str) -> pa.Table:
    """One row per (key, dataset): the last in (source file, source row) order.

    The rows are sorted on integers (:func:`_sort_indices`: the key's words, the dataset's
    code, the delivery position), not on the strings: a four-column sort with two string
    columns cost 5.7 of 27 s of a 3M-row full build. The sort is stable, so of two rows of the
    same file and row the later one wins, as before.
    """
    n = rows.num_rows
    if n <= 1:
        return rows
    order = _sort_indices(rows, (key, DATASET, SOURCE_FILE, SOURCE_ROW), key)
    keys = [_sort_words(rows.column(c), key == c) for c in (key, DATASET)]
    differs = np.zeros(n - 1, dtype=bool)
    for word in itertools.chain.from_iterable(keys):
        ordered = word[order]
        differs |= ordered[1:] != ordered[:-1]
    if differs.all():
        return rows  # the usual delivery: one row per entity, nothing to sort out
    last = order[np.append(differs, True)]
    last.sort()
    return rows.take(pa.array(last))


def _sort_indices(rows: pa.Table, columns: tuple[str, ...], key: str) -> np.ndarray:
    """Stable ascending sort indices of ``rows`` by ``columns``, nulls last (as ``sort_by``).

    Sorting on integers: ``key`` (canonical keys) on its words (:func:`key_words`), other
    strings on their rank among their distinct values, numbers and dates on their values.
    """
    words: list[np.ndarray] = []
    for column in columns:
        words += _sort_words(rows.column(column), column == key)
    if not words:
        return np.arange(rows.num_rows)
    table = pa.table({str(i): word for i, word in enumerate(words)})
    order = pc.sort_indices(table, [(str(i), "ascending") for i in range(len(words))])
    return np.asarray(order.to_numpy())


def _sort_words(values: Any, is_key: bool) -> list[np.ndarray]:
    """Integer arrays (most significant first) that sort as ``values`` do, nulls last."""
    if is_key:
        return list(key_words(values))
    values = _array(values)
    nulls = pc.is_null(values).to_numpy(zero_copy_only=False)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        encoded = pc.dictionary_encode(values)
        ranks = np.empty(len(encoded.dictionary), dtype=np.int64)
        ranks[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(len(ranks))
        codes = pc.fill_null(encoded.indices, 0).to_numpy()
        ranked = ranks[codes] if len(ranks) else np.zeros(len(values), dtype=np.int64)
    else:
        ranked = pc.fill_null(values.view(_INTEGER.get(values.type.bit_width, pa.int64())), 0)
        ranked = ranked.to_numpy()
    return [nulls.astype(np.int8), ranked] if nulls.any() else [ranked]


#: Integer types of the widths a sort column may have (dates as days, flags as bytes).
_INTEGER = {8: pa.int8(), 16: pa.int16(), 32: pa.int32(), 64: pa.int64()}


def _identity(table: pa.Table, columns: tuple[str, ...]) -> Any:
    return pc.binary_join_element_wise(*(table.column(c) for c in columns), _SEP)


def _upsert_candidates(state: GroupState, latest: pa.Table) -> None:
    """Put the delivered latest rows in place of older candidates of the same dataset."""
    key = state.key
    if state.candidates.num_rows == 0:  # a full build's first date
        state.candidates = latest
        state.mark("candidates", latest)
        return
    held = pc.is_in(state.candidates.column(key), value_set=pc.unique(latest.column(key)))
    near = state.candidates.filter(held)
    positions = pc.index_in(
        _identity(latest, (key, DATASET)), value_set=_array(_identity(near, (key, DATASET)))
    )
    old = near.take(positions)
    newer = pc.fill_null(
        pc.greater_equal(latest.column(LOGICAL_DATE), old.column(LOGICAL_DATE)), True
    )
    same = pc.and_(
        pc.and_(
            _same(latest.column(RUN_ID), old.column(RUN_ID)),
            _same(latest.column(SOURCE_ROW), old.column(SOURCE_ROW)),
        ),
        pc.and_(
            _same(latest.column(SOURCE_FILE), old.column(SOURCE_FILE)),
            _same(latest.column(LOGICAL_DATE), old.column(LOGICAL_DATE)),
        ),
    )
    wins = pc.and_(newer, pc.invert(same))
    winners_ = latest.filter(wins)
    if winners_.num_rows == 0:
        return
    replaced = pc.drop_null(pc.filter(positions, wins))
    keep_near = pc.invert(pc.is_in(pa.array(np.arange(near.num_rows)), value_set=replaced))
    state.candidates = pa.concat_tables(
        [state.candidates.filter(pc.invert(held)), near.filter(keep_near), winners_]
    )
    state.mark("candidates", winners_)


def _crossing(state: GroupState, step: Step) -> Any:
    """Keys with a candidate whose freshness ran out between ``step.since`` and ``step.as_of``."""
    if step.since is None or step.as_of <= step.since:
        return pa.array([], pa.string())
    cands = state.candidates
    mask = None
    for attribute in state.domain.attributes.values():
        if attribute.max_age_days is None:
            continue
        age = timedelta(days=attribute.max_age_days)
        dates = cands.column(LOGICAL_DATE)
        hit = pc.and_(
            pc.is_in(cands.column(DATASET), value_set=pa.array(attribute.sources)),
            pc.and_(
                pc.greater_equal(dates, pa.scalar(step.since - age, pa.date32())),
                pc.less(dates, pa.scalar(step.as_of - age, pa.date32())),
            ),
        )
        mask = hit if mask is None else pc.or_(mask, hit)
    if mask is None:
        return pa.array([], pa.string())
    return _array(pc.unique(cands.filter(pc.fill_null(mask, False)).column(state.key)))


def _side_by_side(state: GroupState, keys: pa.Array) -> dict[str, pa.Table]:
    """Per dataset, its candidate row for each key (all-null where it has none).

    Each dataset's table holds the attributes it maps and the row lineage, nothing else.
    """
    cands = state.candidates.filter(pc.is_in(state.candidates.column(state.key), value_set=keys))
    out = {}
    for dataset, contributor in state.domain.contributors.items():
        own = cands.filter(pc.equal(cands.column(DATASET), dataset))
        columns = [*contributor.attributes, RUN_ID, SOURCE_FILE, SOURCE_ROW, LOGICAL_DATE]
        positions = pc.index_in(keys, value_set=_array(own.column(state.key)))
        out[dataset] = own.select(columns).take(positions)
    return out


def _computed(
    state: GroupState, keys: pa.Array, rows: dict[str, pa.Table], as_of: date
) -> tuple[pa.Table, dict[str, pa.Array]]:
    """The records of ``keys`` as their candidates make them, and each attribute's choice."""
    domain = state.domain
    columns: dict[str, Any] = {BUCKET: key_buckets(keys, state.buckets), state.key: keys}
    choices = {}
    for name, kind in attribute_types(domain).items():
        attribute = domain.attributes[name]
        sources = [rows[s] for s in attribute.sources]
        choice = winners(
            attribute,
            [pc.is_valid(r.column(name)) for r in sources],
            [r.column(LOGICAL_DATE) for r in sources],
            as_of,
        )
        choices[name] = choice
        columns[name] = pick([r.column(name) for r in sources], choice, kind)
        columns[lineage_column(name, "dataset")] = pa.array(attribute.sources).take(choice)
        for part, source_column, part_kind in (
            ("run_id", RUN_ID, pa.string()),
            ("source_file", SOURCE_FILE, pa.string()),
            ("source_row", SOURCE_ROW, pa.int64()),
            ("date", LOGICAL_DATE, pa.date32()),
        ):
            values = [r.column(source_column) for r in sources]
            columns[lineage_column(name, part)] = pick(values, choice, part_kind)
    return pa.table(columns), choices


def _differs(state: GroupState, computed: pa.Table, old: pa.Table) -> Any:
    """Mask of the records whose values or sources differ from the versions held."""
    differs = pa.repeat(pa.scalar(False), computed.num_rows)
    for name in state.domain.attributes:
        for column in (name, lineage_column(name, "dataset")):
            differs = pc.or_(differs, pc.invert(_same(computed.column(column), old.column(column))))
    return differs


def _closed(ended: pa.Table, as_of: date) -> pa.Table:
    """The versions of ``ended`` that close on ``as_of``.

    A version that began on ``as_of`` is not among them: it is replaced, not closed (two
    integrations of one date leave one version, never an empty interval).
    """
    day = pa.scalar(as_of, pa.date32())
    closing = ended.filter(pc.less(ended.column(VALID_FROM), day))
    n = closing.num_rows
    closed = closing.set_column(
        closing.schema.get_field_index(VALID_TO), VALID_TO, pa.repeat(day, n)
    )
    return closed.set_column(
        closed.schema.get_field_index(IS_CURRENT), IS_CURRENT, pa.repeat(pa.scalar(False), n)
    )


def _apply_versions(state: GroupState, computed: pa.Table, as_of: date) -> None:
    """Close and open versions where a touched entity's record changed (SCD type 2)."""
    key = state.key
    keys = computed.column(key)
    touched = pc.is_in(state.current.column(key), value_set=keys)
    affected = state.current.filter(touched)
    positions = pc.index_in(keys, value_set=_array(affected.column(key)))
    old = affected.take(positions)
    is_new = pc.is_null(positions)
    changed = pa.repeat(pa.scalar(False), computed.num_rows)
    if affected.num_rows:  # a full build's first date has nothing to compare with
        changed = pc.and_(pc.invert(is_new), _differs(state, computed, old))
    versioned = pc.or_(is_new, changed)
    start = pc.max_element_wise(old.column(VALID_FROM), pa.scalar(as_of, pa.date32()))
    fresh = computed.filter(versioned)
    fresh = fresh.append_column(VALID_FROM, pc.filter(start, versioned))
    fresh = fresh.append_column(VALID_TO, pa.nulls(fresh.num_rows, pa.date32()))
    fresh = fresh.append_column(IS_CURRENT, pa.repeat(pa.scalar(True), fresh.num_rows))
    fresh = fresh.select(state.current.schema.names).cast(state.current.schema)
    ended = old.filter(changed)
    closed = _closed(ended, as_of)
    replaced = pc.is_in(affected.column(key), value_set=_array(ended.column(key)))
    state.current = pa.concat_tables(
        [state.current.filter(pc.invert(touched)), affected.filter(pc.invert(replaced)), fresh]
    )
    state.history = pa.concat_tables([state.history, closed])
    state.mark("records", fresh)
    state.counts.inserted += int(pc.sum(is_new).as_py() or 0)
    state._changed.append(_array(ended.column(key)))


def _found_conflicts(
    state: GroupState, keys: pa.Array, rows: dict[str, pa.Table], choices: dict[str, pa.Array]
) -> pa.Table:
    """Each (key, attribute, other source) whose non-null value differs from the chosen one."""
    parts = []
    for name, attribute in state.domain.attributes.items():
        if len(attribute.sources) < 2:
            continue
        choice = choices[name]
        sources = [rows[s] for s in attribute.sources]
        forms = [comparable(r.column(name)) for r in sources]
        chosen = pick(forms, choice, forms[0].type)
        chosen_run = pick([r.column(RUN_ID) for r in sources], choice, pa.string())
        chosen_source = pa.array(attribute.sources).take(choice)
        for index, source in enumerate(sources):
            differs = pc.and_(
                pc.fill_null(pc.not_equal(forms[index], chosen), False),
                pc.fill_null(pc.not_equal(choice, pa.scalar(index, pa.int8())), False),
            )
            n = int(pc.sum(differs).as_py() or 0)
            if n == 0:
                continue
            parts.append(
                pa.table(
                    {
                        state.key: pc.filter(keys, differs),
                        "attribute": pa.repeat(pa.scalar(name), n),
                        "source": pc.filter(chosen_source, differs),
                        "source_authoritative": pc.filter(
                            pc.equal(choice, pa.scalar(0, pa.int8())), differs
                        ),
                        "other": pa.repeat(pa.scalar(attribute.sources[index]), n),
                        "source_run_id": pc.filter(chosen_run, differs),
                        "other_run_id": pc.filter(source.column(RUN_ID), differs),
                    }
                )
            )
    if not parts:
        return pa.table({state.key: pa.array([], pa.string())})
    return pa.concat_tables(parts)


_CONFLICT_ID = ("entity", "attribute", "source", "other")


#: The columns of an open conflict that a later step may change.
_CONFLICT_STATE = ("source_authoritative", "source_run_id", "other_run_id", "last_seen")


def _seen_conflicts(
    state: GroupState, found: pa.Table, old: pa.Table, as_of: date, tokenize: Tokenizer
) -> tuple[pa.Table, pa.Table]:
    """The conflicts found, as open rows, and those of them that differ from the rows held.

    A conflict found again keeps its ``detected`` date; it differs from its held row when its
    runs or ``last_seen`` moved on; a new one always differs.
    """
    schema = state.open.schema
    if found.num_rows == 0:
        return schema.empty_table(), schema.empty_table()
    day = pa.scalar(as_of, pa.date32())
    keys = found.column(state.key)
    seen = pa.table(
        {
            BUCKET: key_buckets(keys, state.buckets),
            "entity": state.tokens(keys, tokenize),
            **{c: found.column(c) for c in found.column_names if c != state.key},
        }
    )
    positions = pc.index_in(
        _identity(seen, _CONFLICT_ID), value_set=_array(_identity(old, _CONFLICT_ID))
    )
    state.counts.opened += int(pc.sum(pc.is_null(positions)).as_py() or 0)
    n = seen.num_rows
    seen = seen.append_column(
        "detected", pc.if_else(pc.is_null(positions), day, old.column("detected").take(positions))
    )
    seen = seen.append_column("last_seen", pa.repeat(day, n))
    seen = seen.append_column("resolved", pa.nulls(n, pa.date32()))
    seen = seen.append_column("is_open", pa.repeat(pa.scalar(True), n))
    seen = seen.select(schema.names).cast(schema)
    held = old.take(positions)
    kept = pc.is_valid(positions)
    for column in _CONFLICT_STATE:
        kept = pc.and_(kept, _same(seen.column(column), held.column(column)))
    return seen, seen.filter(pc.invert(kept))


def _resolved(rows: pa.Table, as_of: date) -> pa.Table:
    """``rows`` (open conflicts) resolved on ``as_of``."""
    n = rows.num_rows
    schema = rows.schema
    rows = rows.set_column(
        schema.get_field_index("resolved"), "resolved", pa.repeat(pa.scalar(as_of, pa.date32()), n)
    )
    return rows.set_column(
        schema.get_field_index("is_open"), "is_open", pa.repeat(pa.scalar(False), n)
    )


def _apply_conflicts(
    state: GroupState,
    keys: pa.Array,
    rows: dict[str, pa.Table],
    choices: dict[str, pa.Array],
    as_of: date,
    tokenize: Tokenizer,
) -> None:
    """Open the conflicts found, keep those found again, resolve those no longer found."""
    found = _found_conflicts(state, keys, rows, choices)
    if found.num_rows == 0 and state.open.num_rows == 0:
        return
    mine = pa.repeat(pa.scalar(False), state.open.num_rows)
    if state.open.num_rows:
        mine = pc.is_in(state.open.column("entity"), value_set=state.tokens(keys, tokenize))
    old = state.open.filter(mine)
    seen, changed = _seen_conflicts(state, found, old, as_of, tokenize)
    again = pc.is_in(_identity(old, _CONFLICT_ID), value_set=_array(_identity(seen, _CONFLICT_ID)))
    gone = _resolved(old.filter(pc.invert(pc.fill_null(again, False))), as_of)
    state.open = pa.concat_tables([state.open.filter(pc.invert(mine)), seen])
    state.resolved = pa.concat_tables([state.resolved, gone])
    state.counts.closed += gone.num_rows
    state.mark("conflicts", changed)
    state.mark("conflicts", gone)


def apply_step(state: GroupState, delivered: pa.Table, step: Step, tokenize: Tokenizer) -> None:
    """Apply one logical date's delivered rows (candidate-shaped) to the group.

    Args:
        state: the group; changed in place.
        delivered: the rows of the step's date in the group's buckets (any order).
        step: the date and the dates it is computed against.
        tokenize: makes entity tokens of keys (for conflicts).
    """
    latest = _latest(delivered, state.key)
    if latest.num_rows:
        _upsert_candidates(state, latest)
    delivered_keys = latest.column(state.key).chunks
    keys = _array(
        pc.unique(pa.chunked_array([*delivered_keys, _crossing(state, step)], pa.string()))
    )
    if len(keys) == 0:
        return
    rows = _side_by_side(state, keys)
    computed, choices = _computed(state, keys, rows, step.as_of)
    _apply_versions(state, computed, step.as_of)
    _apply_conflicts(state, keys, rows, choices, step.as_of, tokenize)
    state._touched.append(keys)
