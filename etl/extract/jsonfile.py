"""Reading JSON (an array of records) and JSON Lines files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.extract._records import records_at, records_table, value_to_text
from etl.extract.encoding import HEAD_BYTES, canonical_codec, detect_encoding, looks_binary

__all__ = ["WRAPPER_KEYS", "read_json_file", "read_jsonl_file", "value_to_text"]

#: Keys of a wrapping object whose value is the array of records.
WRAPPER_KEYS = ("data", "records")


def _decode(path: Path, rel: str, declared: str | None) -> tuple[str, str]:
    raw = path.read_bytes()
    if looks_binary(raw[:HEAD_BYTES]):
        raise DataError(f"{rel} is not a text file (binary content in a json source)")
    try:
        encoding = canonical_codec(declared) if declared else detect_encoding(raw[:HEAD_BYTES])
    except LookupError:
        raise ConfigError(f"unknown encoding '{declared}' declared for {rel}") from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise DataError(f"cannot decode {rel} as {encoding}") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError(f"{rel} is empty")
    return text, encoding


def read_json_file(
    path: Path, rel: str, *, encoding: str | None, records: str | None = None
) -> tuple[pa.Table, str]:
    """Read a JSON array of objects (or ``{"data": [...]}`` / ``{"records": [...]}``).

    Nested objects are flattened with dotted names (``{"地址": {"市": …}}`` -> ``地址.市``).

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.
        records: dotted path of the records array; None looks at the top level and then
            under ``data`` or ``records``.

    Returns:
        The all-string table (columns in first-seen key order) and the codec used.

    Raises:
        DataError: invalid JSON (naming the line), not an array of objects, duplicate keys.
    """
    text, codec = _decode(path, rel, encoding)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"invalid JSON in {rel} at line {exc.lineno} ({exc.msg})") from None
    if records is not None:
        return records_table(records_at(document, records, rel), rel), codec
    if isinstance(document, dict):
        wrapped = [document[key] for key in WRAPPER_KEYS if isinstance(document.get(key), list)]
        document = wrapped[0] if wrapped else document
    if not isinstance(document, list):
        raise DataError(
            f"{rel} is not a JSON array of records (nor an object with a 'data' or 'records' array)"
        )
    return records_table(document, rel), codec


def read_jsonl_file(path: Path, rel: str, *, encoding: str | None) -> tuple[pa.Table, str]:
    """Read a JSON Lines file: one object per line; blank lines are skipped.

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.

    Returns:
        The all-string table and the codec used.

    Raises:
        DataError: a line that is not valid JSON or not an object (naming the line).
    """
    text, codec = _decode(path, rel, encoding)
    lines: list[object] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"invalid JSON in {rel} at line {number} ({exc.msg})") from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} of {rel} is not a JSON object")
        lines.append(record)
    return records_table(lines, rel), codec
