"""The access log: ``_meta.access_log``, an append-only, hash-chained Delta table.

Every row carries ``seq`` (1, 2, ...), ``prev_hash`` and ``hash`` (:mod:`etl.audit.chain`).
Appends stay one chain across processes:

- the chain's head ``seq`` is the Delta application transaction :data:`APP_ID` of the table
  (kept in the log's checkpoints, so compaction and vacuum keep it), and each append commits
  as ``(APP_ID, seq)``: of two writers that read the same head, delta-rs's conflict checker
  lets one commit and refuses the other, which then reads the new head and tries again
  (this holds across hosts on S3, where commits are serialised by conditional PUT);
- on one host a file lock under ``PUBDATA_HOME`` makes writers take turns, so they rarely
  conflict at all.

Finding the head costs one table load and one small read: the head row is fetched with a
filter on ``seq`` that the files' statistics prune to one file, never the whole table.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from etl.audit.chain import GENESIS, row_hash
from etl.audit.event import AccessEvent, Action
from etl.errors import PubdataError
from etl.lake import delta
from etl.lake.layout import meta_table_uri
from etl.runtime.locks import held
from etl.settings import Settings

log = logging.getLogger(__name__)

#: The ``_meta`` table of the access log.
TABLE = "access_log"
#: The Delta application transaction whose version is the chain's head ``seq``.
APP_ID = "pubdata:access_log"
#: The lock appends on one host take turns with (``$PUBDATA_HOME/locks/access-log.lock``).
LOCK = "access-log"
#: Delta table properties of the access log: a checkpoint every 10 commits (Delta's default
#: is 100) keeps opening the table, and so each append, from replaying a long log: measured
#: 200 appends, ~37 ms each at the end against ~115 ms with the default.
PROPERTIES = {"delta.checkpointInterval": "10"}
#: Attempts at appending when other hosts keep taking the next ``seq`` first.
ATTEMPTS = 20

_TS = pa.timestamp("us", tz="UTC")

#: The schema of ``_meta.access_log`` (listed in :data:`etl.lineage.meta.SCHEMAS`).
SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("at", _TS),
        ("principal", pa.string()),
        ("action", pa.string()),
        ("tables", pa.list_(pa.string())),
        ("columns", pa.list_(pa.string())),
        ("rows", pa.int64()),
        ("purpose", pa.string()),
        ("origin", pa.string()),
        ("token_lookups", pa.int64()),
        ("prev_hash", pa.string()),
        ("hash", pa.string()),
    ]
)


class AuditLogBroken(PubdataError):
    """The access log's head cannot be found: the chain was tampered with (``audit verify``)."""


def log_uri(settings: Settings) -> str:
    """Where the access log lives: ``<lake>/_meta/access_log``."""
    return meta_table_uri(settings.lake, TABLE)


def event_row(event: AccessEvent, seq: int, prev_hash: str) -> dict[str, Any]:
    """The row of ``event`` at ``seq`` after ``prev_hash``, with its hash."""
    row: dict[str, Any] = {"seq": seq, **event.fields(), "prev_hash": prev_hash}
    row["hash"] = row_hash(row)
    return row


#: Commits searched, newest first, for the head's hash in commit metadata before the head row
#: is read from the table instead (maintenance adds a commit a day; appends add one each).
HEAD_COMMITS = 50
_SEQ_KEY = "pubdata.audit_seq"
_HASH_KEY = "pubdata.audit_hash"


def head_seq_of(uri: str, base: DeltaTable | None = None) -> int:
    """The head ``seq`` the Delta log records (0: no table, or nothing appended)."""
    base = delta.snapshot(uri) if base is None else base
    return 0 if base is None else int(base.transaction_version(APP_ID) or 0)


def head(uri: str, base: DeltaTable | None = None) -> tuple[int, str]:
    """The chain's head: its ``seq`` (0: empty) and hash (:data:`GENESIS` when empty).

    The ``seq`` is the table's application transaction :data:`APP_ID`; the hash is in the
    metadata of the commit that appended it (one of the latest few), else read from the row.

    Args:
        uri: the access log.
        base: the table already opened (None: opened here).

    Raises:
        AuditLogBroken: the log says the head is ``seq`` N but holds no single row N.
    """
    base = delta.snapshot(uri) if base is None else base
    seq = head_seq_of(uri, base)
    if base is None or seq == 0:
        return 0, GENESIS
    for commit in base.history(HEAD_COMMITS):
        if commit.get(_SEQ_KEY) == str(seq) and commit.get(_HASH_KEY):
            return seq, str(commit[_HASH_KEY])
    found = delta.snapshot_dataset(base, uri).to_table(
        columns=["seq", "hash"], filter=pc.field("seq") == seq
    )
    if found.num_rows != 1:
        raise AuditLogBroken(
            f"access log {uri}: its head seq {seq} is held by {found.num_rows} rows, not 1; "
            "run `pubdata audit verify`"
        )
    return seq, str(found.column("hash")[0].as_py())


def record_access(settings: Settings, event: AccessEvent) -> int:
    """Append ``event`` to the access log; returns its ``seq``.

    Raises:
        AuditLogBroken: the chain's head row is missing or doubled (the log was tampered
            with); nothing is appended to a broken chain.
    """
    uri = log_uri(settings)
    with held(settings.home, LOCK):
        for _ in range(ATTEMPTS):
            base = delta.snapshot(uri)
            seq, prev = head(uri, base)
            row = event_row(event, seq + 1, prev)
            data = pa.Table.from_pylist([row], schema=SCHEMA)
            meta = {
                "pubdata.meta_table": TABLE,
                _SEQ_KEY: str(seq + 1),
                _HASH_KEY: row["hash"],
            }
            if delta.append_claimed(uri, data, meta, (APP_ID, seq + 1), base, PROPERTIES):
                return seq + 1
            # another writer (another host, a compaction) committed first: read the new head
            log.info("access log %s: a commit came before seq %d; retrying", uri, seq + 1)
            time.sleep(random.uniform(0.005, 0.05))
    raise PubdataError(f"access log {uri}: {ATTEMPTS} appends in a row lost to other writers")


def record_refusal(settings: Settings, principal: str, tables: Sequence[str]) -> None:
    """Record an attempt the grants refused (best effort: the refusal stands either way).

    The ``refusals`` rule counts them: a principal asking again and again for what it was not
    granted is probing. A log that cannot take the row is reported by the next read's own
    append, which fails closed.
    """
    event = AccessEvent(
        principal=principal, action=Action.REFUSED, tables=tuple(tables), purpose=settings.purpose
    )
    try:
        record_access(settings, event)
    except Exception as exc:  # never mask the refusal itself (one line on stderr is enough)
        log.info("the access log could not record a refused attempt: %s", type(exc).__name__)


def read_log(settings: Settings) -> pa.Table:
    """Every row of the access log, by ``seq`` (an empty table when nothing was recorded)."""
    uri = log_uri(settings)
    if delta.snapshot(uri) is None:
        return SCHEMA.empty_table()
    data = delta.read(uri)
    return data.select(SCHEMA.names).sort_by("seq")


@dataclass(frozen=True)
class LoggedEvent:
    """One row of the access log: its place in the chain and the event."""

    seq: int
    hash: str
    event: AccessEvent


def read_events(settings: Settings) -> list[LoggedEvent]:
    """Every recorded event, by ``seq``."""
    return [
        LoggedEvent(
            seq=int(row["seq"]),
            hash=str(row["hash"]),
            event=AccessEvent(
                principal=row["principal"],
                action=Action(row["action"]),
                tables=tuple(row["tables"] or ()),
                columns=tuple(row["columns"] or ()),
                rows=row["rows"],
                purpose=row["purpose"],
                origin=row["origin"] or "",
                token_lookups=int(row["token_lookups"] or 0),
                at=row["at"],
            ),
        )
        for row in read_log(settings).to_pylist()
    ]
