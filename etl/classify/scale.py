"""R5 scale: distinct persons across the whole dataset (classification.md §2).

≥ 1,000,000 distinct persons, or ≥ 10,000 distinct persons with an L4 attribute, make the
dataset an ``IMP`` candidate (网信办令第16号; 网络数据安全管理条例 第二十八条).
Persons are counted by their person key (the best of id_card, social_security, passport,
mobile_phone, email), never by rows. Keys are put in canonical form first (15-digit IDs
become 18-digit, phones E.164), which is the form tokens are computed over: a keyed HMAC is
injective on it, so the count over canonical values, over raw values of several formats, or
over the shared zone's tokens is the same.

The classify step counts the run's own rows; the pipeline counts the whole dataset (every
partition of the restricted zone plus this run) with :func:`count_distinct_persons` and applies
:func:`apply_scale_rule`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.classify.canonical import canonical
from etl.classify.detectors.base import distinct_count
from etl.classify.model import ColumnClassification, DatasetClassification
from etl.classify.rule_settings import RuleSettings
from etl.classify.rules_persons import BIRTH_SOURCES, PERSON_KEYS, minors_mask
from etl.runtime.records import RuleHit
from etl.text.strings import as_strings, strip


@dataclass(frozen=True)
class PersonCount:
    """Distinct persons of a dataset.

    Attributes:
        key_column: the person-key column counted, or None if the dataset has none.
        persons: distinct persons.
        persons_with_l4: distinct persons with an L4 attribute (a value in a column that is L4
            on its own or by a location series, or being a minor).
    """

    key_column: str | None
    persons: int
    persons_with_l4: int


def person_key(classification: DatasetClassification) -> ColumnClassification | None:
    """The column persons are counted by: the best person key present, or None."""
    keys = [c for c in classification.columns if c.category in PERSON_KEYS]
    return min(keys, key=lambda c: PERSON_KEYS.index(c.category)) if keys else None


def person_columns(classification: DatasetClassification) -> list[str]:
    """Columns :func:`count_distinct_persons` reads: the key, L4 attributes, birth sources.

    Read only these from the lake when counting a whole dataset.
    """
    key = person_key(classification)
    if key is None:
        return []
    wanted = {key.name}
    wanted.update(c.name for c in l4_attributes(classification))
    wanted.update(c.name for c in classification.columns if c.category in BIRTH_SOURCES)
    return [c.name for c in classification.columns if c.name in wanted]


def l4_attributes(classification: DatasetClassification) -> list[ColumnClassification]:
    """Columns whose value makes a person "with an L4 attribute" for R5."""
    # A column lifted only because the dataset holds minors is not an L4 attribute of adults.
    return [c for c in classification.columns if c.grade == "L4" and c.lifted_by != "R4"]


def _present(values: Any) -> Any:
    text = strip(as_strings(values))
    return pc.fill_null(pc.not_equal(text, ""), False).to_numpy(zero_copy_only=False)


def count_distinct_persons(
    tables: pa.Table | Iterable[pa.Table],
    classification: DatasetClassification,
    *,
    logical_date: dt.date | None = None,
    settings: RuleSettings | None = None,
) -> PersonCount:
    """Count distinct persons, and those with an L4 attribute, over one or many tables.

    Args:
        tables: the dataset (or its partitions / record batches as tables), with at least the
            columns of :func:`person_columns`; raw, canonical or tokenized key values.
        classification: the dataset's classification (names the key and the L4 columns).
        logical_date: date at which minors are counted (default: today).
        settings: rule thresholds (``minor_age``).

    Returns:
        The counts; ``key_column`` is None (and counts 0) if there is no person key.
    """
    settings = settings or RuleSettings()
    day = logical_date or dt.date.today()
    parts = [tables] if isinstance(tables, pa.Table) else tables
    return count_persons(
        ((t, minors_mask(t, classification.columns, day, settings)[0]) for t in parts),
        classification,
    )


def count_in_table(
    table: pa.Table, classification: DatasetClassification, minors: Any
) -> PersonCount:
    """:func:`count_distinct_persons` of one table whose rows of minors are already known."""
    return count_persons([(table, minors)], classification)


def count_persons(
    parts: Iterable[tuple[pa.Table, Any]], classification: DatasetClassification
) -> PersonCount:
    """:func:`count_distinct_persons` over tables whose rows of minors are already known.

    Args:
        parts: ``(table, minors)`` pairs; ``minors`` a numpy boolean array over the rows
            (:func:`etl.classify.rules_persons.minors_mask`).
        classification: the dataset's classification.

    Returns:
        The counts.
    """
    key = person_key(classification)
    if key is None:
        return PersonCount(None, 0, 0)
    return count_keys((person_keys(t, m, classification) for t, m in parts), key.name)


def person_keys(
    table: pa.Table, minors: Any, classification: DatasetClassification
) -> tuple[Any, Any]:
    """One table's person keys in canonical form, and those of persons with an L4 attribute.

    The per-table half of :func:`count_persons`: tables can be done side by side and the
    results handed to :func:`count_keys` in any order.

    Raises:
        ValueError: the classification has no person key.
    """
    key = person_key(classification)
    if key is None:
        raise ValueError("the classification has no person key")
    forms = canonical(as_strings(table.column(key.name)), key.category)
    l4 = np.zeros(table.num_rows, dtype=bool)
    for c in l4_attributes(classification):
        if c.name in table.column_names and c.name != key.name:
            l4 |= _present(table.column(c.name))
    return forms, forms.filter(pa.array(l4 | minors))


def count_keys(keys: Iterable[tuple[Any, Any]], key_column: str) -> PersonCount:
    """Distinct persons over the :func:`person_keys` of every table (exact, memory-capped)."""
    with _DistinctKeys() as counter:
        for forms, flagged in keys:
            counter.add(forms, flagged)
        persons, with_l4 = counter.counts()
    return PersonCount(key_column, persons, with_l4)


class _DistinctKeys:
    """Exact distinct counts of person keys, in memory while small, else in DuckDB on disk.

    A dataset of tens of millions of persons has hundreds of MB of keys; past
    ``_IN_MEMORY_KEYS`` they go into a DuckDB table whose memory is capped (it spills to a
    temporary folder), so counting never sets the run's peak memory.
    """

    _IN_MEMORY_KEYS = 2_000_000

    def __init__(self) -> None:
        self._keys: list[Any] = []
        self._flagged: list[Any] = []
        self._held = 0
        self._con: Any = None
        self._spill: Any = None

    def __enter__(self) -> _DistinctKeys:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._con is not None:
            self._con.close()
        if self._spill is not None:
            self._spill.cleanup()

    def add(self, keys: Any, flagged: Any) -> None:
        self._keys.append(keys)
        self._flagged.append(flagged)
        self._held += len(keys)
        if self._held > self._IN_MEMORY_KEYS:
            self._flush()

    def _flush(self) -> None:
        import tempfile

        import duckdb

        if self._con is None:
            self._spill = tempfile.TemporaryDirectory(prefix="pubdata-persons-")
            self._con = duckdb.connect(config={"memory_limit": "256MB", "threads": 2})
            self._con.execute(f"SET temp_directory = '{self._spill.name}'")
            self._con.execute("CREATE TABLE persons (v VARCHAR, l4 BOOLEAN)")
        for keys, flagged in zip(self._keys, self._flagged, strict=True):
            part = pa.table(
                {
                    "v": pa.concat_arrays([_plain(keys), _plain(flagged)]),
                    "l4": pa.concat_arrays(
                        [
                            pa.array(np.zeros(len(keys), dtype=bool)),
                            pa.array(np.ones(len(flagged), dtype=bool)),
                        ]
                    ),
                }
            )
            self._con.register("part", part)
            self._con.execute("INSERT INTO persons SELECT v, l4 FROM part WHERE v IS NOT NULL")
            self._con.unregister("part")
        self._keys.clear()
        self._flagged.clear()
        self._held = 0

    def counts(self) -> tuple[int, int]:
        """Distinct keys, and distinct keys with an L4 attribute (nulls are not keys)."""
        if self._con is None:
            all_keys = pa.chunked_array(self._keys, pa.string())
            with_l4 = pa.chunked_array(self._flagged, pa.string())
            return distinct_count(all_keys), distinct_count(with_l4)
        self._flush()
        row = self._con.execute(
            "SELECT count(DISTINCT v), count(DISTINCT v) FILTER (WHERE l4) FROM persons"
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)


def _plain(values: Any) -> pa.Array:
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return array.cast(pa.string())


def scale_rule(count: PersonCount, settings: RuleSettings | None = None) -> RuleHit | None:
    """R5 if the count makes the dataset an IMP candidate, else None."""
    settings = settings or RuleSettings()
    if count.key_column is None:
        return None
    reasons: list[str] = []
    if count.persons >= settings.persons_important:
        reasons.append(f"{count.persons:,} distinct persons ≥ {settings.persons_important:,}")
    if count.persons_with_l4 >= settings.persons_l4_important:
        reasons.append(
            f"{count.persons_with_l4:,} distinct persons with an L4 attribute ≥ "
            f"{settings.persons_l4_important:,}"
        )
    if not reasons:
        return None
    text = (
        f"R5 scale: {' and '.join(reasons)} (by {count.key_column!r}) → IMP candidate: "
        "restricted zone only, review recorded"
    )
    return RuleHit(id="R5", text=text)


def apply_scale_rule(
    classification: DatasetClassification,
    count: PersonCount,
    settings: RuleSettings | None = None,
) -> DatasetClassification:
    """Add the ``IMP`` flag and the R5 rule if the count reaches a threshold.

    Args:
        classification: the dataset's classification.
        count: from :func:`count_distinct_persons` over the whole dataset.
        settings: the thresholds.

    Returns:
        The classification, unchanged if R5 does not fire (or already recorded the same text).
    """
    rule = scale_rule(count, settings)
    if rule is None or rule in classification.rules:
        return classification
    flags = tuple(f for f in ("IMP", "CORE") if f in classification.flags or f == "IMP")
    rules = (*(r for r in classification.rules if r.id != "R5"), rule)
    return replace(classification, flags=flags, rules=rules)
