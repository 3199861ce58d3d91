"""Reading JSON (an array of records) and JSON Lines files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.extract._records import records_at, records_table, too_deep, value_to_text
from etl.extract.encoding import (
    HEAD_BYTES,
    canonical_codec,
    detect_encoding,
    looks_binary,
    settle_utf8,
)
from etl.settings import DEFAULT_LIMITS, ReadLimits

__all__ = ["WRAPPER_KEYS", "read_json_file", "read_jsonl_file", "value_to_text"]

#: Keys of a wrapping object (an API's envelope: ``{"code": 0, "data": {"total": 9, "list":
#: [...]}}``) under which the records, or a further envelope, are found; the first that holds
#: an array wins at each level.
WRAPPER_KEYS = ("data", "records", "list", "rows", "items", "result", "results")
#: Envelopes looked into, at most (``data.result.list``).
WRAPPER_DEPTH = 3


def _unwrap(document: object) -> object:
    """The records array an envelope wraps, or the document itself."""
    node = document
    for _ in range(WRAPPER_DEPTH):
        if not isinstance(node, dict):
            break
        keys = [k for k in WRAPPER_KEYS if isinstance(node.get(k), list)]
        keys = keys or [k for k in WRAPPER_KEYS if isinstance(node.get(k), dict)]
        if not keys:
            break
        node = node[keys[0]]
        if isinstance(node, list):
            return node
    return document


def _arrays(node: object, path: str = "", depth: int = WRAPPER_DEPTH) -> list[str]:
    """Dotted paths of the arrays of objects in ``node`` (keys only, never values)."""
    if isinstance(node, list):
        return [path or "$"] if node and isinstance(node[0], dict) else []
    if not isinstance(node, dict) or depth == 0:
        return []
    found: list[str] = []
    for key, value in node.items():
        found += _arrays(value, f"{path}.{key}" if path else str(key), depth - 1)
    return found


def _decode(path: Path, rel: str, declared: str | None, limits: ReadLimits) -> tuple[str, str]:
    # JSON is parsed whole, into objects several times its size: its size is bounded first.
    size = path.stat().st_size
    if size > limits.max_whole_read_bytes:
        raise DataError(
            f"{rel} is {size:,} bytes, more than the limit of {limits.max_whole_read_bytes:,}"
            " for a JSON file (PUBDATA_MAX_WHOLE_READ_BYTES)"
        )
    raw = path.read_bytes()
    if looks_binary(raw[:HEAD_BYTES]):
        raise DataError(f"{rel} is not a text file (binary content in a json source)")
    try:
        encoding = canonical_codec(declared) if declared else detect_encoding(raw[:HEAD_BYTES])
    except LookupError:
        raise ConfigError(f"unknown encoding '{declared}' declared for {rel}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding not in ("utf-8", "utf-8-sig"):
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DataError(
                f"cannot decode {rel} as {encoding}: byte {exc.start:,} (line {line:,})"
            ) from None
        # GBK text after a UTF-8 head is read as gb18030; broken UTF-8 is refused here.
        encoding = settle_utf8(path, rel, raw[:HEAD_BYTES], declared=declared is not None)
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            raise DataError(f"cannot decode {rel} as {encoding}") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError(f"{rel} is empty")
    return text, encoding


def _loads(text: str, rel: str, limits: ReadLimits, line: int = 1) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"invalid JSON in {rel} at line {line + exc.lineno - 1} ({exc.msg})"
        ) from None
    except RecursionError:
        # The parser's own stack ends near 1,000 levels, past any allowed depth (at most 500).
        raise too_deep(rel, limits.max_json_depth) from None


def read_json_file(
    path: Path,
    rel: str,
    *,
    encoding: str | None,
    records: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> tuple[pa.Table, str]:
    """Read a JSON array of objects, or the one an API's envelope wraps (``{"data": [...]}``).

    Nested objects are flattened with dotted names (``{"地址": {"市": …}}`` -> ``地址.市``).

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        records: dotted path of the records array; None looks at the top level and then
            down the envelope keys :data:`WRAPPER_KEYS` (at most :data:`WRAPPER_DEPTH` deep).
        limits: the file size, nesting depth, columns and cells allowed.

    Returns:
        The all-string table (columns in first-seen key order) and the codec used.

    Raises:
        DataError: invalid JSON (naming the line), not an array of objects, no records,
            duplicate keys, or a limit of ``limits`` exceeded.
    """
    text, codec = _decode(path, rel, encoding, limits)
    document = _loads(text, rel, limits)
    document = records_at(document, records, rel) if records is not None else _unwrap(document)
    if not isinstance(document, list):
        arrays = _arrays(document)[:3]
        hint = f"; give records: {' or '.join(arrays)} in the registry" if arrays else ""
        raise DataError(
            f"{rel} is not a JSON array of records (nor an envelope with one under "
            f"{'/'.join(WRAPPER_KEYS)}){hint}"
        )
    if not document:
        raise DataError(f"{rel} holds no records")
    return records_table(document, rel, limits=limits), codec


def read_jsonl_file(
    path: Path, rel: str, *, encoding: str | None, limits: ReadLimits = DEFAULT_LIMITS
) -> tuple[pa.Table, str]:
    """Read a JSON Lines file: one object per line; blank lines are skipped.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        limits: the file size, nesting depth, columns and cells allowed.

    Returns:
        The all-string table and the codec used.

    Raises:
        DataError: a line that is not valid JSON or not an object (naming the line), or a
            limit of ``limits`` exceeded.
    """
    text, codec = _decode(path, rel, encoding, limits)
    lines: list[object] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record = _loads(line, rel, limits, number)
        if not isinstance(record, dict):
            raise DataError(f"line {number} of {rel} is not a JSON object")
        lines.append(record)
    return records_table(lines, rel, limits=limits), codec
