"""The hash chain of the access log: one canonical text per row, and its SHA-256.

Each row's ``hash`` is SHA-256 over the canonical JSON of its fields and the previous row's
hash, so changing, removing, inserting or reordering a row breaks every hash after it. The
canonical JSON has sorted keys, no spaces, UTF-8 text, times as ISO-8601 UTC with microseconds
(what the table's ``timestamp[us, UTC]`` column keeps exactly) and lists in recorded order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

#: The ``prev_hash`` of the first row.
GENESIS = "0" * 64
#: The hashed fields of a row, besides ``prev_hash``; ``hash`` itself is not hashed.
HASHED = (
    "seq",
    "at",
    "principal",
    "action",
    "tables",
    "columns",
    "rows",
    "purpose",
    "origin",
    "token_lookups",
)


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any]) -> bytes:
    """The canonical text of a row's hashed fields and its ``prev_hash``."""
    doc: dict[str, Any] = {}
    for name in (*HASHED, "prev_hash"):
        value = row[name]
        if isinstance(value, datetime):
            value = _instant(value)
        elif isinstance(value, tuple):
            value = list(value)
        doc[name] = value
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def row_hash(row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical`."""
    return hashlib.sha256(canonical(row)).hexdigest()
