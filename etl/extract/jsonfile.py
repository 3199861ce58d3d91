"""Reading JSON (an array of records) and JSON Lines files."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from etl.errors import ConfigError, DataError
from etl.extract._table import strings_table
from etl.extract.encoding import HEAD_BYTES, canonical_codec, detect_encoding, looks_binary

#: Keys of a wrapping object whose value is the array of records.
WRAPPER_KEYS = ("data", "records")


def value_to_text(value: object) -> str | None:
    """Convert one JSON value to text.

    Args:
        value: a decoded JSON value.

    Returns:
        None for ``null`` and ``""``; ``true``/``false``; numbers by their JSON text
        (``1.0`` stays ``1.0``); nested arrays/objects as compact JSON text; strings unchanged.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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


def _table(records: list[dict[str, object]], rel: str) -> pa.Table:
    names: dict[str, None] = {}
    for record in records:
        names.update(dict.fromkeys(record))
    columns = list(names)
    rows = [[value_to_text(record.get(name)) for name in columns] for record in records]
    return strings_table(columns, rows, rel)


def read_json_file(path: Path, rel: str, *, encoding: str | None) -> tuple[pa.Table, str]:
    """Read a JSON array of flat objects (or ``{"data": [...]}`` / ``{"records": [...]}``).

    Args:
        path: the resolved file.
        rel: its path relative to the landing root, for messages.
        encoding: the registry's declared encoding, or None to detect it.

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
    if isinstance(document, dict):
        wrapped = [document[key] for key in WRAPPER_KEYS if isinstance(document.get(key), list)]
        document = wrapped[0] if wrapped else document
    if not isinstance(document, list):
        raise DataError(
            f"{rel} is not a JSON array of records (nor an object with a 'data' or 'records' array)"
        )
    for index, record in enumerate(document, start=1):
        if not isinstance(record, dict):
            raise DataError(f"record {index} of {rel} is not a JSON object")
    return _table(document, rel), codec


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
    records: list[dict[str, object]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"invalid JSON in {rel} at line {number} ({exc.msg})") from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} of {rel} is not a JSON object")
        records.append(record)
    return _table(records, rel), codec
