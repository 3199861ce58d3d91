"""JSON records -> all-string tables: nested objects flattened with dotted names."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pyarrow as pa

from etl.errors import DataError
from etl.extract._table import strings_table


def value_to_text(value: object) -> str | None:
    """Convert one JSON value to text.

    Args:
        value: a decoded JSON value.

    Returns:
        None for ``null`` and ``""``; ``true``/``false``; numbers by their JSON text
        (``1.0`` stays ``1.0``); arrays (and empty objects) as compact JSON text; strings
        unchanged.
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


def flatten(record: Mapping[str, object], rel: str, prefix: str = "") -> dict[str, object]:
    """Flatten nested objects: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; arrays stay values.

    An empty nested object contributes no column.

    Args:
        record: one JSON object.
        rel: the source's name, for messages.
        prefix: the dotted name of ``record`` inside its parent.

    Returns:
        A flat mapping of dotted names to values.

    Raises:
        DataError: two keys flatten to the same name (``"a.b"`` beside ``{"a": {"b": …}}``).
    """
    flat: dict[str, object] = {}
    for key, value in record.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        items = flatten(value, rel, name) if isinstance(value, dict) else {name: value}
        for item, item_value in items.items():
            if item in flat:
                raise DataError(f"duplicate header name '{item}' in {rel} after flattening")
            flat[item] = item_value
    return flat


def records_at(document: object, path: str, rel: str) -> list[object]:
    """The array of records at a dotted path (``""``: the document itself).

    Raises:
        DataError: the path does not lead to an array.
    """
    node = document
    for key in path.split(".") if path else []:
        if not isinstance(node, dict) or key not in node:
            raise DataError(f"{rel} has no '{path}' holding the records")
        node = node[key]
    if not isinstance(node, list):
        raise DataError(f"'{path or '$'}' in {rel} is not an array of records")
    return node


def records_table(records: Sequence[object], rel: str, *, what: str = "record") -> pa.Table:
    """Build the all-string table of a list of JSON objects (columns in first-seen order).

    Args:
        records: decoded JSON values, each must be an object.
        rel: the source's name, for messages.
        what: how a record is called in messages (``record``, ``line``).

    Returns:
        The table, nested objects flattened.

    Raises:
        DataError: a record that is not an object, or colliding names.
    """
    flat: list[dict[str, object]] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise DataError(f"{what} {index} of {rel} is not a JSON object")
        flat.append(flatten(record, rel))
    names: dict[str, None] = {}
    for row in flat:
        names.update(dict.fromkeys(row))
    columns = list(names)
    rows = [[value_to_text(row.get(name)) for name in columns] for row in flat]
    return strings_table(columns, rows, rel)
