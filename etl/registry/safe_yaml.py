"""Read a registry file as YAML without trusting it: bounded in size, depth and expansion.

Registry files are written by people, but they arrive through merge requests and shared folders,
so the parser must hold against files built to hurt it:

* more than :data:`MAX_BYTES` bytes: refused before anything is parsed (PyYAML reads ~1 MB/s);
* nested deeper than :data:`MAX_DEPTH` levels: refused while composing, before Python's own
  recursion limit is reached (PyYAML composes recursively; a dataset needs five levels);
* aliases that expand to more than :data:`MAX_VALUES` values ("billion laughs") or refer to
  themselves: refused before anything walks the expanded document;
* a key given twice in one mapping: refused (PyYAML keeps the last silently, so
  ``core: true … core: false`` would read as ``false``);
* tags that construct Python objects (``!!python/object/apply``): refused by the safe loader,
  which this loader extends; nothing is ever executed.

Each refusal is a :class:`YamlProblem` naming the line (1-based) where one is known.
:func:`load_document` also keeps the line of every key and item (:class:`Document`), so that a
problem the registry model finds later names its line too.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Largest registry file read (the samples are under 2 KB; 1 MB parses in about a second).
MAX_BYTES = 1024 * 1024
#: Deepest nesting of mappings and sequences (a dataset uses five levels).
MAX_DEPTH = 32
#: Most values (scalars, mappings and sequences) a file may expand to, each alias counted
#: every time it is used.
MAX_VALUES = 100_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlProblem(Exception):
    """A registry file that cannot be read as YAML; ``line`` is 1-based, or None."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class RegistryYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing deep nesting and duplicate keys while it builds a file."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        """Compose one node, refusing to nest deeper than :data:`MAX_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.get_mark().line + 1
                raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_node(self) -> Node | None:
        """Compose the document, then measure what its aliases expand to."""
        node: Node | None = super().get_single_node()
        if node is not None:
            _Expansion().measure(node, 1)
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key that appears twice in it (merge keys aside)."""
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.get(key)
            except TypeError:  # an unhashable key: the safe loader's own error names it
                continue
            line = key_node.start_mark.line + 1
            if seen is not None:
                shown = repr(key) if len(repr(key)) <= 60 else repr(key)[:57] + "..."
                raise YamlProblem(f"duplicate key {shown} (first at line {seen})", line)
            first[key] = line
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _Expansion:
    """Size and height of a composed document with every alias expanded, memoized per node."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[int, int]] = {}

    def measure(self, node: Node, depth: int) -> tuple[int, int]:
        # Recursion stops at MAX_DEPTH, so a self-referencing alias ends here too.
        line = node.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels (through aliases)", line)
        known = self._known.get(id(node))
        if known is not None:
            if depth + known[1] - 1 > MAX_DEPTH:
                raise YamlProblem(f"nested deeper than {MAX_DEPTH} levels (through aliases)", line)
            return known
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [part for pair in node.value for part in pair]
        size, height = 1, 1
        for child in children:
            child_size, child_height = self.measure(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > MAX_VALUES:
                raise YamlProblem(
                    f"expands to more than {MAX_VALUES:,} values (aliases counted each time"
                    " they are used)",
                    line,
                )
        self._known[id(node)] = (size, height)
        return size, height


def read_text(path: Path) -> str:
    """The text of a registry file, refusing one larger than :data:`MAX_BYTES`.

    Raises:
        YamlProblem: the file is too large or not UTF-8.
        OSError: the file cannot be read.
    """
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        size = max(path.stat().st_size, len(data))
        raise YamlProblem(
            f"file is {size / 2**20:.1f} MiB; a registry file may be at most"
            f" {MAX_BYTES // 2**20} MiB"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(f"not UTF-8 (byte {exc.start})") from None


#: A place in a document: keys of mappings and indexes of sequences (as text), from the top.
KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Document:
    """A parsed registry file and where each of its values was written.

    Attributes:
        data: the parsed value (what :func:`parse` returns).
        lines: the 1-based line of every key and sequence item by its path; ``()`` is the
            line where the document's top value starts.
    """

    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: tuple[object, ...]) -> int | None:
        """The line of ``path``, or of its longest prefix written in the file (None if empty)."""
        parts = tuple(str(part) for part in path)
        for end in range(len(parts), -1, -1):
            line = self.lines.get(parts[:end])
            if line is not None:
                return line
        return None


def _key_lines(root: Node | None) -> dict[KeyPath, int]:
    """Lines of every key and item under ``root``, after construction merged ``<<`` keys in.

    Aliases are walked where they are used; :class:`_Expansion` has bounded what they expand
    to, so the walk is bounded too.
    """
    lines: dict[KeyPath, int] = {}
    if root is None:
        return lines
    stack: list[tuple[KeyPath, Node]] = [((), root)]
    lines[()] = root.start_mark.line + 1
    while stack:
        path, node = stack.pop()
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                child = (*path, str(key_node.value))
                lines.setdefault(child, key_node.start_mark.line + 1)
                stack.append((child, value_node))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                child = (*path, str(index))
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((child, item))
    return lines


def parse(text: str) -> Any:
    """Parse registry YAML text with :class:`RegistryYamlLoader`.

    Raises:
        YamlProblem: anything the loader refuses, with the line where one is known.
    """
    return parse_document(text).data


def parse_document(text: str) -> Document:
    """Parse registry YAML text, keeping the line of every key (see :func:`parse`).

    Raises:
        YamlProblem: anything the loader refuses, with the line where one is known.
    """
    try:
        loader = RegistryYamlLoader(text)
    except yaml.reader.ReaderError as exc:  # the reader checks every character up front
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        line = text.count("\n", 0, exc.position) + 1
        kind = "control character" if unicodedata.category(chr(code)) == "Cc" else "character"
        raise YamlProblem(f"not valid YAML: {kind} U+{code:04X}", line) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
        return Document(data, _key_lines(node))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        reason = exc.problem or type(exc).__name__
        raise YamlProblem(
            f"not valid YAML: {reason}", mark.line + 1 if mark is not None else None
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"not valid YAML: {type(exc).__name__}") from None
    finally:
        loader.dispose()


def load(path: Path) -> Any:
    """Read and parse one registry file (:func:`read_text`, then :func:`parse`)."""
    return parse(read_text(path))


#: Most text kept in :func:`load_document`'s cache of parsed files (the samples are ~2 KB each).
CACHE_BYTES = 32 * 1024 * 1024

_parsed: dict[str, Document] = {}
_parsed_bytes = 0
_parsed_lock = threading.Lock()


def _fresh_lock() -> None:
    # a process forked while another thread held the lock must not wait for it forever
    global _parsed_lock
    _parsed_lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock)


def load_document(path: Path) -> Document:
    """Read and parse one registry file, keeping its lines (:func:`parse_document`).

    Every Airflow task process parses its DAG file, which loads the whole registry, and PyYAML
    in Python takes milliseconds per file: with a thousand datasets, seconds per task. A text
    parsed before in this process (or in the long-lived process a task was forked from, which
    loads the registry before it forks: ``etl.pipeline.warm``) is not parsed again; an edited
    file is new text and is parsed. The document returned may be shared: callers only read it.
    """
    global _parsed_bytes
    text = read_text(path)
    document = _parsed.get(text)
    if document is None:
        document = parse_document(text)
        with _parsed_lock:  # the UI and API servers load the registry from several threads
            if text not in _parsed:
                _parsed[text] = document
                _parsed_bytes += len(text)
            while _parsed_bytes > CACHE_BYTES:  # the oldest texts go first
                oldest = next(iter(_parsed))
                del _parsed[oldest]
                _parsed_bytes -= len(oldest)
    return document
