"""JSON records -> all-string tables: nested objects flattened with dotted names."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pyarrow as pa

from etl.errors import DataError
from etl.extract._table import check_cells, check_columns, strings_table
from etl.settings import DEFAULT_LIMITS, ReadLimits


def too_deep(rel: str, limit: int) -> DataError:
    """The error for JSON nested deeper than ``PUBDATA_MAX_JSON_DEPTH``."""
    return DataError(
        f"{rel} nests JSON values more than {limit} levels deep (PUBDATA_MAX_JSON_DEPTH)"
    )


def _check_depth(value: object, depth: int, limit: int, rel: str) -> None:
    """Refuse an array value nested past ``limit`` (``depth``: the level ``value`` is at).

    Iterative, so that a deep value cannot exhaust the stack of the check itself.
    """
    stack = [(value, depth)]
    while stack:
        node, level = stack.pop()
        if level > limit:
            raise too_deep(rel, limit)
        if isinstance(node, list):
            stack.extend((item, level + 1) for item in node if isinstance(item, list | dict))
        elif isinstance(node, dict):
            stack.extend(
                (item, level + 1) for item in node.values() if isinstance(item, list | dict)
            )


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


def flatten(
    record: Mapping[str, object],
    rel: str,
    prefix: str = "",
    *,
    depth: int = 1,
    max_depth: int = DEFAULT_LIMITS.max_json_depth,
) -> dict[str, object]:
    """Flatten nested objects: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; arrays stay values.

    An empty nested object contributes no column.

    Args:
        record: one JSON object.
        rel: the source's name, for messages.
        prefix: the dotted name of ``record`` inside its parent.
        depth: the nesting level of ``record`` (a record itself is level 1).
        max_depth: the deepest level a value may be at (``PUBDATA_MAX_JSON_DEPTH``).

    Returns:
        A flat mapping of dotted names to values.

    Raises:
        DataError: two keys flatten to the same name (``"a.b"`` beside ``{"a": {"b": …}}``),
            or a value nested deeper than ``max_depth``.
    """
    if depth > max_depth:
        raise too_deep(rel, max_depth)
    flat: dict[str, object] = {}
    for key, value in record.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            items = flatten(value, rel, name, depth=depth + 1, max_depth=max_depth)
        else:
            if isinstance(value, list):
                _check_depth(value, depth + 1, max_depth, rel)
            items = {name: value}
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


def records_table(
    records: Sequence[object],
    rel: str,
    *,
    what: str = "record",
    limits: ReadLimits = DEFAULT_LIMITS,
) -> pa.Table:
    """Build the all-string table of a list of JSON objects (columns in first-seen order).

    Args:
        records: decoded JSON values, each must be an object.
        rel: the source's name, for messages.
        what: how a record is called in messages (``record``, ``line``).
        limits: the nesting depth, columns and cells allowed.

    Returns:
        The table, nested objects flattened.

    Raises:
        DataError: a record that is not an object, colliding names, nesting deeper than
            allowed, more columns or cells than allowed.
    """
    flat: list[dict[str, object]] = []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise DataError(f"{what} {index} of {rel} is not a JSON object")
        flat.append(flatten(record, rel, max_depth=limits.max_json_depth))
    names: dict[str, None] = {}
    for row in flat:
        names.update(dict.fromkeys(row))
    columns = list(names)
    check_columns(len(columns), rel, limits.max_columns)
    check_cells(len(flat), len(columns), rel, limits.max_cells)
    rows = [[value_to_text(row.get(name)) for name in columns] for row in flat]
    return strings_table(columns, rows, rel)
