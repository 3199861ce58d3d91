"""The audit of every read (研判机制): a hash-chained access log and rules over it.

Whoever reads the lake on someone's behalf records an :class:`AccessEvent` with
:func:`record_access`: who, when, how, which tables and columns, how many rows, why, from
where — never a value. Rows go to ``_meta.access_log``, each hashed with its predecessor's
hash (:mod:`etl.audit.chain`), so :func:`verify_chain` (``pubdata audit verify``) catches a
changed, removed, inserted or reordered row. :mod:`etl.audit.rules` flags unusual reads;
``pubdata audit check`` raises them through the alert channels, each finding once.
Nothing here imports Airflow.
"""

from etl.audit.event import AccessEvent, Action, local_origin
from etl.audit.log import (
    AuditLogBroken,
    LoggedEvent,
    read_events,
    read_log,
    record_access,
    record_refusal,
)
from etl.audit.rules import Finding, Rule, Thresholds, evaluate
from etl.audit.verify import ChainReport, verify_chain

__all__ = [
    "AccessEvent",
    "Action",
    "AuditLogBroken",
    "ChainReport",
    "Finding",
    "LoggedEvent",
    "Rule",
    "Thresholds",
    "evaluate",
    "local_origin",
    "read_events",
    "read_log",
    "record_access",
    "record_refusal",
    "verify_chain",
]
