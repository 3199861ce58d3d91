"""Checking the access log's chain: ``pubdata audit verify``.

Rows are taken in ``seq`` order and each must follow its predecessor: the next ``seq``, the
predecessor's hash as ``prev_hash``, and a ``hash`` that is its own. The last row must be the
head the Delta log recorded (its application transaction and the hash in that commit's
metadata), so rows removed from, or forged onto, the end are caught too. A problem names the
first broken ``seq``, never a value of the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from etl.audit.chain import GENESIS, row_hash
from etl.audit.log import AuditLogBroken, head, head_seq_of, log_uri, read_log
from etl.settings import Settings


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify_chain` found.

    Attributes:
        rows: rows in the log.
        head_seq: the last ``seq`` of the intact chain (0: an empty log, or broken at 1).
        head_hash: that row's hash (:data:`etl.audit.chain.GENESIS` for seq 0).
        broken_seq: the first ``seq`` where the chain breaks (None: intact).
        problem: what is wrong there, in one line without a value (None: intact).
    """

    rows: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the chain is intact."""
        return self.broken_seq is None


def check_rows(
    rows: Sequence[Mapping[str, Any]], head_seq: int, head_hash: str | None
) -> ChainReport:
    """Check rows (in ``seq`` order) against each other and the head the Delta log recorded.

    Args:
        rows: the log's rows, sorted by ``seq``.
        head_seq: the head ``seq`` the Delta log records (0: none).
        head_hash: the head's hash the Delta log records (None: not found there).
    """
    seq, prev, count = 0, GENESIS, len(rows)
    for row in rows:
        at = int(row["seq"])
        if at <= seq:
            return _broken(count, seq, prev, at, f"seq {at} appears more than once")
        if at != seq + 1:
            return _broken(count, seq, prev, seq + 1, f"seq {seq + 1} is missing")
        if row["prev_hash"] != prev:
            return _broken(count, seq, prev, at, f"seq {at} does not follow seq {seq}'s hash")
        if row_hash(row) != row["hash"]:
            return _broken(count, seq, prev, at, f"seq {at} was changed after it was recorded")
        seq, prev = at, str(row["hash"])
    if head_seq > seq:
        return _broken(count, seq, prev, seq + 1, f"seq {seq + 1} is missing (head {head_seq})")
    if head_seq < seq:
        return _broken(
            count, seq, prev, head_seq + 1, f"seq {head_seq + 1} was added outside the log"
        )
    if head_hash is not None and head_hash != prev:
        return _broken(count, seq, prev, seq, f"seq {seq} is not the row the log recorded")
    return ChainReport(rows=count, head_seq=seq, head_hash=prev)


def _broken(rows: int, seq: int, prev: str, at: int, problem: str) -> ChainReport:
    return ChainReport(rows=rows, head_seq=seq, head_hash=prev, broken_seq=at, problem=problem)


def verify_chain(settings: Settings) -> ChainReport:
    """Check the whole access log (see :func:`check_rows`)."""
    uri = log_uri(settings)
    data = read_log(settings)
    try:
        head_seq, head_hash = head(uri)
    except AuditLogBroken:  # the head row is missing or doubled: the rows say where
        head_seq, head_hash = head_seq_of(uri), None
    return check_rows(data.to_pylist(), head_seq, head_hash)
