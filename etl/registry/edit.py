"""Write a person's column label into a dataset's registry file, keeping the file as it was.

Registry files are written by people: comments explain decisions, keys are in the order the
team reads them, flow mappings keep an override on one line. ``pubdata review confirm`` edits
one entry under ``classification.columns`` and must leave every other byte alone.

ruamel.yaml's round trip keeps comments, order and styles, but may still respell a few things
it parsed (``null`` as an empty value, for one). So the round trip only produces the edited
entry: of the differences between the original text and the dumped one, only those that touch
the edited lines are taken, every other line stays the original's. The result is parsed with
the registry model before anything is written, and written atomically (a temporary file in the
same folder, then a rename).
"""

from __future__ import annotations

import difflib
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from etl.errors import ConfigError
from etl.registry import safe_yaml
from etl.registry.loader import parse_file
from etl.registry.model import ColumnOverrideSpec, Dataset

#: Keys of an override entry in the order they are written.
_ENTRY_KEYS = ("category", "grade", "reason", "reviewer", "reviewed")


@dataclass(frozen=True)
class Edit:
    """The result of an edit, before or after it is written.

    Attributes:
        path: the registry file.
        before: its text before.
        after: its text after (only the edited entry differs).
        dataset: the dataset parsed from ``after``.
        replaced: the column had an override already (now replaced).
    """

    path: Path
    before: str
    after: str
    dataset: Dataset
    replaced: bool


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _child_map(parent: CommentedMap, key: str, before: Sequence[str]) -> CommentedMap:
    """``parent[key]`` as a mapping, created (before the first of ``before`` present) if absent."""
    value = parent.get(key)
    if isinstance(value, CommentedMap):
        return value
    if value is not None:
        raise ConfigError(f"{key} must be a mapping to add a column override")
    child = CommentedMap()
    keys = list(parent.keys())
    position = next((keys.index(k) for k in before if k in parent), len(keys))
    parent.insert(position, key, child)
    return child


def _entry(override: ColumnOverrideSpec, flow: bool) -> CommentedMap:
    values: dict[str, Any] = override.model_dump(exclude_none=True)
    if "reason" in values:  # a person's words: quoted, as the registry's own entries are
        values["reason"] = DoubleQuotedScalarString(values["reason"])
    entry = CommentedMap((k, values[k]) for k in _ENTRY_KEYS if k in values)
    if flow:
        entry.fa.set_flow_style()
    return entry


def _entry_lines(text: str, column: str) -> set[int]:
    """0-based line numbers of ``classification.columns.<column>`` in ``text`` (key to end)."""
    data = _yaml().load(text)
    columns = data["classification"]["columns"]
    keys = list(columns.keys())
    first = int(columns.lc.key(column)[0])
    index = keys.index(column)
    if index + 1 < len(keys):
        end = int(columns.lc.key(keys[index + 1])[0])
    else:
        end = first + 1 + sum(1 for _ in _block_tail(text.splitlines()[first + 1 :], first, text))
    return set(range(first, max(end, first + 1)))


def _block_tail(lines: Sequence[str], first: int, text: str) -> list[str]:
    """Lines after an entry's key line that still belong to it (indented deeper than the key)."""
    key_line = text.splitlines()[first]
    indent = len(key_line) - len(key_line.lstrip())
    tail = []
    for line in lines:
        stripped = line.strip()
        if stripped and (len(line) - len(line.lstrip())) <= indent:
            break
        tail.append(line)
    while tail and not tail[-1].strip():
        tail.pop()
    return tail


def _splice(before: str, dumped: str, old_entry: set[int], edited: set[int]) -> str:
    """``before`` with the ``old_entry`` lines replaced by the ``edited`` lines of ``dumped``.

    Every other line of ``dumped`` stands for the original line at the same place (the round
    trip keeps lines, it only may respell them), so the original is taken. Should the round trip
    have added or dropped lines elsewhere, the differences that touch no edited line are undone.
    """
    old = before.splitlines(keepends=True)
    new = dumped.splitlines(keepends=True)
    if new and not new[-1].endswith("\n") and old and old[-1].endswith("\n"):
        new[-1] += "\n"
    rest = iter([line for i, line in enumerate(old) if i not in old_entry])
    if len(old) - len(old_entry) == len(new) - len(edited):
        if old and not old[-1].endswith("\n"):
            old[-1] += "\n"  # an entry appended after the last line starts on its own line
            rest = iter([line for i, line in enumerate(old) if i not in old_entry])
        return "".join(new[j] if j in edited else next(rest) for j in range(len(new)))
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or not any(j in edited for j in range(j1, j2)):
            out.extend(old[i1:i2])
        else:
            out.extend(new[j1:j2])
    return "".join(out)


def set_column_override(path: Path, column: str, override: ColumnOverrideSpec) -> Edit:
    """The registry file with ``classification.columns.<column>`` set to ``override``.

    Nothing is written (see :func:`write`). A new entry takes the style of its siblings (one
    flow mapping per line unless they are block mappings); ``classification`` and ``columns``
    are created when absent.

    Raises:
        ConfigError: the file is refused by the registry loader (size, nesting, aliases,
            duplicate keys, tags) or cannot be read as YAML, or the result is not a valid
            dataset (the message names the file and the field or line).
    """
    try:
        # The loader's own checks first (size, depth, aliases, duplicate keys, tags): the round
        # trip parser below is neither bounded nor strict, and must refuse what the loader does.
        safe_yaml.load(path)
    except safe_yaml.YamlProblem as exc:
        where = f"line {exc.line}: " if exc.line is not None else ""
        raise ConfigError(f"{path}: {where}{exc.message}") from None
    before = path.read_text(encoding="utf-8")
    yaml = _yaml()
    try:
        data = yaml.load(before)
    except YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({type(exc).__name__})") from None
    if not isinstance(data, CommentedMap):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    fields = list(Dataset.model_fields)
    later = fields[fields.index("classification") + 1 :]
    classification = _child_map(data, "classification", later)
    columns = _child_map(classification, "columns", ["floor", "baseline", "important", "core"])
    siblings = [v for k, v in columns.items() if k != column and isinstance(v, CommentedMap)]
    flow = not siblings or any(v.fa.flow_style() for v in siblings)
    replaced = column in columns
    old_entry = _entry_lines(before, column) if replaced else set()
    columns[column] = _entry(override, flow)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    dumped = buffer.getvalue()
    edited = _entry_lines(dumped, column) | _created(before, dumped)
    after = _splice(before, dumped, old_entry, edited)
    dataset = _validate(path, after)
    return Edit(path, before, after, dataset, replaced)


def _created(before: str, dumped: str) -> set[int]:
    """Lines of ``dumped`` that open ``classification:``/``columns:`` where ``before`` had none."""
    old = _yaml().load(before)
    lines: set[int] = set()
    new = _yaml().load(dumped)
    if "classification" not in old:
        lines.add(int(new.lc.key("classification")[0]))
    if not isinstance(old.get("classification"), CommentedMap) or "columns" not in (
        old.get("classification") or {}
    ):
        lines.add(int(new["classification"].lc.key("columns")[0]))
    return lines


def _validate(path: Path, text: str) -> Dataset:
    """Parse ``text`` as the registry loader would (same YAML parser, same model)."""
    scratch = path.with_name(f".{path.name}.check")
    try:
        scratch.write_text(text, encoding="utf-8")
        dataset, problems = parse_file(scratch)
    finally:
        scratch.unlink(missing_ok=True)
    if dataset is None:
        first = problems[0]
        where = f"{first.field}: " if first.field else ""
        raise ConfigError(f"{path}: the edit would make the file invalid: {where}{first.message}")
    return dataset


def write(edit: Edit) -> None:
    """Write the edited text atomically (a reader sees the old file or the new one)."""
    mode = edit.path.stat().st_mode & 0o777
    handle, temporary = tempfile.mkstemp(
        dir=edit.path.parent, prefix=f".{edit.path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(edit.after)
            out.flush()
            os.fsync(out.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(edit.path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def validate_override(**fields: Any) -> ColumnOverrideSpec:
    """A :class:`ColumnOverrideSpec` from keyword fields, or a one-line :class:`ConfigError`."""
    try:
        return ColumnOverrideSpec.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "override"
        raise ConfigError(f"{where}: {error['msg']}") from None
