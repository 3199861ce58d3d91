"""The three tables of an integrated repository, their columns, key buckets and as-of reads.

Each repository (a :class:`~etl.integrate.model.Domain`) has three Delta tables in the
restricted zone (:func:`etl.lake.layout.integrated_table_uri`), each partitioned by the key
bucket (:func:`key_buckets`; how many buckets, :func:`bucket_count`, is chosen from the
repository's size at its full build and recorded on its tables, :data:`BUCKETS_APP`), and
beside each its changes
(merge-on-read, :mod:`etl.lake.merge_on_read`: the rows of the entities updated since the
table was last written whole). Read them resolved, with :func:`read_integrated`:

``candidates`` (partitioned by ``_dataset``, ``_bucket``)
    One row per (entity, contributing dataset): the dataset's latest values of the attributes
    it maps (null for those it does not map), from its latest row for the entity, with that
    row's lineage: ``_run_id``, ``_source_file``, ``_source_row``, ``_logical_date``.

``records`` (partitioned by ``_bucket``)
    The integrated record, SCD type 2: the key, each attribute with its lineage columns
    (:func:`lineage_column`: which dataset, run, source file and row supplied the value, and
    the logical date of that delivery), then ``valid_from``, ``valid_to`` and ``is_current``.
    A version holds from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; null while
    current). The record of an entity as of day D is the version with
    ``valid_from <= D AND (valid_to IS NULL OR valid_to > D)`` (:func:`records_as_of`), e.g.
    in ``pubdata sql``::

        SELECT * FROM records
        WHERE valid_from <= DATE '2024-06-01'
          AND (valid_to IS NULL OR valid_to > DATE '2024-06-01')

``conflicts`` (partitioned by ``_bucket``)
    One row per disagreement: the entity's token (never its key), the attribute, the dataset
    the record took the value from (``source``) and a dataset whose non-null value differs
    (``other``), their runs, when it was first and last seen and, once the sources agree or
    one stops differing, when it was resolved. No value is stored.

The key bucket is computed from the canonical key (:func:`key_buckets`) and stored as
``_bucket``; the columns the tables add are named with a leading underscore or are version
columns, none of which a domain may use as an attribute name (:mod:`etl.integrate.model`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake.exceptions import TableNotFoundError

from etl.extract.cast import arrow_type
from etl.extract.parts import SOURCE_FILE, SOURCE_ROW
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.integrate.model import LINEAGE_SEPARATOR, VERSION_COLUMNS, Domain, EntityKind
from etl.lake import delta, merge_on_read
from etl.lake.dictionary import FieldDoc, TableDoc
from etl.lake.layout import Lake, integrated_table_uri
from etl.protect.keys import TokenKey
from etl.protect.tokens import tokenize

__all__ = [
    "BUCKET",
    "BUCKETS",
    "BUCKETS_APP",
    "BUCKET_ROWS",
    "DATASET",
    "IS_CURRENT",
    "LINEAGE_PARTS",
    "PARTITIONS",
    "UNRECORDED_BUCKETS",
    "VALID_FROM",
    "VALID_TO",
    "as_of_filter",
    "bucket_count",
    "candidates_schema",
    "conflicts_schema",
    "current_records",
    "entity_column",
    "entity_tokens",
    "key_buckets",
    "key_words",
    "lineage_column",
    "read_integrated",
    "records_as_of",
    "records_schema",
    "table_doc",
    "table_schema",
]

#: The key bucket column: every table is partitioned by it.
BUCKET = "_bucket"
#: The fewest buckets a repository is built with. An update reads the touched entities' rows
#: from every bucket holding one (1% of a 1M-entity repository touches them all), and most of
#: a bucket file's decoding cost is per column chunk: 25 buckets rather than 100 took the 1%
#: update of bench/integrate.py from ~10% of the full build to ~7% (issue #13).
BUCKETS = 25
#: Contributed rows per bucket a full build aims at: 3M rows (1M entities) make 25 buckets of
#: 40k records; a repository ten times larger gets ten times the buckets, so a bucket stays a
#: small part of a group (``etl.integrate.engine.GROUP_ROWS``), and peak memory with it.
BUCKET_ROWS = 120_000
#: The count of a repository whose base tables record none (built before it was recorded).
UNRECORDED_BUCKETS = 100
#: The Delta application transaction whose version is a base table's bucket count (written by
#: every full build and fold): updates and folds bucket by it, whatever :func:`bucket_count`
#: would choose now.
BUCKETS_APP = "pubdata:buckets"
#: The contributing dataset of a candidate row.
DATASET = "_dataset"
VALID_FROM, VALID_TO, IS_CURRENT = VERSION_COLUMNS
#: The lineage of one attribute value in the records, each a column ``<attribute>__<part>``:
#: the dataset, run, source file and row that supplied it, and that delivery's logical date.
LINEAGE_PARTS = ("dataset", "run_id", "source_file", "source_row", "date")
#: Each table's partition columns.
PARTITIONS: dict[str, tuple[str, ...]] = {
    "candidates": (DATASET, BUCKET),
    "records": (BUCKET,),
    "conflicts": (BUCKET,),
}
#: Characters of a canonical key (an 18-digit ID number or a USCC).
KEY_LENGTH = 18
#: The category whose canonical form and token an entity key takes (the datasets' own, so a
#: conflict's entity token joins the shared zone's tokenized ID numbers).
KEY_CATEGORY: dict[EntityKind, str] = {"person": "id_card", "legal_entity": "uscc"}

_LINEAGE_TYPES = {
    "dataset": pa.string(),
    "run_id": pa.string(),
    "source_file": pa.string(),
    "source_row": pa.int64(),
    "date": pa.date32(),
}
_LINEAGE_TITLES = {
    "dataset": "来源数据集",
    "run_id": "来源运行",
    "source_file": "来源文件",
    "source_row": "来源行号",
    "date": "来源日期",
}
# Position weights of the bucket hash (31^i modulo a prime; int64 never overflows: the sum of
# 18 products of a byte and a weight below 2^20 stays below 2^33).
_PRIME = 1_000_003
_WEIGHTS = np.array([pow(31, i, _PRIME) for i in range(KEY_LENGTH)], dtype=np.int64)


def lineage_column(attribute: str, part: str) -> str:
    """The records column holding one part of an attribute's lineage: ``xm__dataset``."""
    return f"{attribute}{LINEAGE_SEPARATOR}{part}"


def _key_bytes(keys: Any) -> np.ndarray:
    """The characters of each canonical key as a (keys × 18) uint8 matrix (no copy of the text).

    Raises:
        ValueError: a key is null or not 18 ASCII characters.
    """
    text = pc.cast(keys, pa.string())
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    if len(text) == 0:
        return np.zeros((0, KEY_LENGTH), dtype=np.uint8)
    lengths = pc.binary_length(text)
    if text.null_count or pc.min_max(lengths).as_py() != {"min": KEY_LENGTH, "max": KEY_LENGTH}:
        raise ValueError(f"entity keys must be {KEY_LENGTH} ASCII characters")
    start = int(np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset])
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    return data[start : start + len(text) * KEY_LENGTH].reshape(len(text), KEY_LENGTH)


def key_words(keys: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each canonical key as three unsigned integers that order and compare as the key does.

    Characters 1-8 and 9-16 big-endian in two uint64, 17-18 in a uint16: sorting or grouping
    on these (``numpy.lexsort``) is several times faster than on the strings, and two keys
    are equal exactly when their words are.

    Raises:
        ValueError: a key is null or not 18 ASCII characters.
    """
    codes = _key_bytes(keys)
    if not codes.flags.c_contiguous:
        codes = np.ascontiguousarray(codes)
    first = codes[:, :8].copy().view(">u8").ravel().astype(np.uint64)
    second = codes[:, 8:16].copy().view(">u8").ravel().astype(np.uint64)
    last = codes[:, 16:].copy().view(">u2").ravel().astype(np.uint16)
    return first, second, last


def bucket_count(rows: int) -> int:
    """The bucket count of a repository built from ``rows`` contributed rows.

    At least :data:`BUCKETS`, else one bucket per :data:`BUCKET_ROWS` rows.
    """
    return max(BUCKETS, -(-rows // BUCKET_ROWS))


def key_buckets(keys: Any, buckets: int) -> pa.Array:
    """The bucket (0 to ``buckets`` - 1) of each canonical key: a hash of its characters.

    ``bucket = (Σ ord(key[i]) · 31^i mod 1,000,003) mod 1,000,003 mod buckets`` over the 18
    characters. Every character counts, so a bucket says nothing useful about the key (two
    digits of an ID number would), and ID numbers and USCCs spread alike. The hash is this
    function's own (not a library's, whose output may change between versions): a key's
    bucket for a given count never moves.

    Args:
        keys: string array of canonical keys (18 ASCII characters, no nulls).
        buckets: the repository's bucket count (:func:`bucket_count` at its full build, as its
            tables record it).

    Returns:
        int16 array of the same length.

    Raises:
        ValueError: a key is null or not 18 ASCII characters.
    """
    codes = _key_bytes(keys)
    if len(codes) == 0:
        return pa.array([], pa.int16())
    hashed = (codes.astype(np.int64) @ _WEIGHTS) % _PRIME % buckets
    return pa.array(hashed.astype(np.int16))


def entity_tokens(domain: Domain, keys: Any, key: TokenKey) -> Any:
    """The entity token of each canonical key: the datasets' keyed HMAC of the key's category."""
    return tokenize(keys, KEY_CATEGORY[domain.entity], key)


def entity_column(domain: Domain, table: str) -> str:
    """The column naming a row's entity: the key, or for a conflict the key's token."""
    return "entity" if table == "conflicts" else domain.key.name


def attribute_types(domain: Domain) -> dict[str, pa.DataType]:
    """Each attribute's Arrow type (its declared registry type)."""
    return {name: arrow_type(a.type) for name, a in domain.attributes.items()}


def candidates_schema(domain: Domain) -> pa.Schema:
    """``_bucket``, the key, ``_dataset``, every attribute, then the row lineage."""
    return pa.schema(
        [
            (BUCKET, pa.int16()),
            (domain.key.name, pa.string()),
            (DATASET, pa.string()),
            *attribute_types(domain).items(),
            (RUN_ID, pa.string()),
            (SOURCE_FILE, pa.string()),
            (SOURCE_ROW, pa.int64()),
            (LOGICAL_DATE, pa.date32()),
        ]
    )


def records_schema(domain: Domain) -> pa.Schema:
    """``_bucket``, the key, each attribute and its lineage, then the version columns."""
    fields: list[tuple[str, pa.DataType]] = [(BUCKET, pa.int16()), (domain.key.name, pa.string())]
    for name, kind in attribute_types(domain).items():
        fields.append((name, kind))
        fields += [(lineage_column(name, p), _LINEAGE_TYPES[p]) for p in LINEAGE_PARTS]
    fields += [(VALID_FROM, pa.date32()), (VALID_TO, pa.date32()), (IS_CURRENT, pa.bool_())]
    return pa.schema(fields)


def conflicts_schema() -> pa.Schema:
    """The conflicts table: tokens, names, runs and dates; never a key or a value."""
    return pa.schema(
        [
            (BUCKET, pa.int16()),
            ("entity", pa.string()),
            ("attribute", pa.string()),
            ("source", pa.string()),
            ("source_authoritative", pa.bool_()),
            ("other", pa.string()),
            ("source_run_id", pa.string()),
            ("other_run_id", pa.string()),
            ("detected", pa.date32()),
            ("last_seen", pa.date32()),
            ("resolved", pa.date32()),
            ("is_open", pa.bool_()),
        ]
    )


_CONFLICT_DOCS = {
    "entity": FieldDoc("实体令牌", "主键的密钥化 HMAC 令牌（与各数据集共享区令牌相同）"),
    "attribute": FieldDoc("属性"),
    "source": FieldDoc("取值来源数据集", "整合记录采用其值的数据集"),
    "source_authoritative": FieldDoc("来源是否数源部门"),
    "other": FieldDoc("不一致数据集", "非空值与取值来源不一致的数据集"),
    "source_run_id": FieldDoc("来源运行"),
    "other_run_id": FieldDoc("不一致数据集运行"),
    "detected": FieldDoc("发现日期"),
    "last_seen": FieldDoc("最近确认日期"),
    "resolved": FieldDoc("消除日期"),
    "is_open": FieldDoc("是否未消除"),
}


def table_doc(domain: Domain, table: str) -> TableDoc:
    """The name, description and field docs of one integrated table."""
    key = {domain.key.name: FieldDoc(domain.key.title, domain.key.description)}
    attributes = {name: FieldDoc(a.title, a.description) for name, a in domain.attributes.items()}
    if table == "candidates":
        return TableDoc(
            f"{domain.title} · 候选值",
            "每个实体、每个来源数据集的最新值及其来源行",
            {**key, **attributes, DATASET: FieldDoc("来源数据集")},
        )
    if table == "records":
        lineage = {
            lineage_column(name, part): FieldDoc(f"{a.title}·{_LINEAGE_TITLES[part]}")
            for name, a in domain.attributes.items()
            for part in LINEAGE_PARTS
        }
        versions = {
            VALID_FROM: FieldDoc("生效日期", "含当日"),
            VALID_TO: FieldDoc("失效日期", "不含当日；当前版本为空"),
            IS_CURRENT: FieldDoc("是否当前版本"),
        }
        return TableDoc(
            f"{domain.title} · 整合记录",
            "拉链表（SCD2）：每个属性取数源部门的值，附来源数据集、运行、文件和行",
            {**key, **attributes, **lineage, **versions},
        )
    return TableDoc(
        f"{domain.title} · 数据冲突",
        "来源之间不一致的属性（纠错回流）：只有实体令牌、数据集和运行，没有值",
        _CONFLICT_DOCS,
    )


def table_schema(domain: Domain, table: str) -> pa.Schema:
    """The columns of one of the repository's tables: ``records``, ``candidates``, ``conflicts``."""
    if table == "records":
        return records_schema(domain)
    if table == "candidates":
        return candidates_schema(domain)
    if table == "conflicts":
        return conflicts_schema()
    raise ValueError(f"unknown integrated table {table!r}")


def read_integrated(
    lake: Lake,
    domain: Domain,
    table: str,
    *,
    columns: Iterable[str] | None = None,
    where: pc.Expression | None = None,
    as_of: delta.AsOf = None,
) -> pa.Table:
    """The rows of one restricted table of the repository: its base and its changes, resolved.

    An incremental update appends each entity it touched to the table's changes
    (:mod:`etl.lake.merge_on_read`); every reader of the restricted tables reads through here.

    Args:
        lake: the lake (a deployment's settings, or a root URI).
        domain: the repository.
        table: ``records``, ``candidates`` or ``conflicts``.
        columns: the columns to read (None: all).
        where: the rows wanted, applied to the resolved rows.
        as_of: time travel (see :func:`etl.lake.merge_on_read.open_at`); None: now.

    Returns:
        The rows; empty (the table's columns) when the repository has not been built.

    Raises:
        ValueError: ``as_of`` names no version of the table, or an instant before it existed.
    """
    wanted = list(columns) if columns is not None else None
    try:
        opened = merge_on_read.open_at(integrated_table_uri(lake, domain.id, table), as_of)
    except TableNotFoundError:
        empty = table_schema(domain, table).empty_table()
        return empty.select(wanted) if wanted is not None else empty
    return merge_on_read.read(*opened, columns=wanted, where=where)


def as_of_filter(day: date) -> pads.Expression:
    """The versions in force on ``day``: ``valid_from <= day < valid_to`` (open-ended)."""
    when = pa.scalar(day, pa.date32())
    started = pc.field(VALID_FROM) <= when
    return started & (pc.field(VALID_TO).is_null() | (pc.field(VALID_TO) > when))


def records_as_of(
    lake: Lake, domain: Domain, day: date, columns: Iterable[str] | None = None
) -> pa.Table:
    """Each entity's record as it stood on ``day`` (one row per entity known by then).

    Args:
        lake: the lake (a deployment's settings, or a root URI).
        domain: the repository.
        day: the day (a logical date).
        columns: the columns to read (None: all).

    Returns:
        The versions in force on ``day``; empty when the repository has not been built.
    """
    return read_integrated(lake, domain, "records", columns=columns, where=as_of_filter(day))


def current_records(lake: Lake, domain: Domain, columns: Iterable[str] | None = None) -> pa.Table:
    """Each entity's current record (``is_current``); empty before the first build."""
    return read_integrated(lake, domain, "records", columns=columns, where=pc.field(IS_CURRENT))
