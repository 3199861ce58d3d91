"""Expectation suites: the JSON file format, its loader and the baseline suite.

A suite is one Great Expectations 1.x serialized ``ExpectationSuite`` per file,
``expectations/<name>.json``: exactly what ``ExpectationSuite.to_json_dict()`` writes, so a
suite built in a notebook with GX can be saved as is::

    {
      "name": "market__business_licences",
      "id": null,
      "expectations": [
        {"type": "expect_table_row_count_to_be_between",
         "kwargs": {"min_value": 1}, "meta": {}, "severity": "critical"},
        {"type": "expect_column_values_to_not_be_null",
         "kwargs": {"column": "tyshxydm"}, "meta": {"reason": "uscc_missing"}},
        {"type": "expect_column_values_to_match_regex",
         "kwargs": {"column": "tyshxydm", "regex": "^[0-9A-HJ-NPQRTUWXY]{18}$"}, "meta": {}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "clrq", "min_value": "1949-10-01", "max_value": "2100-01-01"},
         "meta": {"level": "table"}}
      ],
      "meta": {"great_expectations_version": "1.24.1"},
      "notes": null
    }

Top-level keys: ``name`` (required, non-empty string), ``expectations`` (required list), ``meta``
(object), ``id`` and ``notes`` (ignored). Expectation keys: ``type`` (a registered GX expectation
type) and ``kwargs`` (required object), ``meta`` (object); ``id``, ``notes``, ``description``,
``severity`` and ``rendered_content`` are accepted and ignored. Any other key is an error, and so
are ``kwargs`` that GX itself rejects (missing, unknown or ill-typed parameters),
``result_format``/``catch_exceptions`` in ``kwargs`` (the pipeline sets them), and a ``regex``
or ``regex_list`` that can backtrack catastrophically (:mod:`etl.validate.regex_guard`). A file
over 16 MiB or nested deeper than 32 levels is refused before it is parsed.

Three ``meta`` keys mean something to the pipeline:

* ``level``: ``"row"`` or ``"table"``. By default column-map expectations (GX's
  ``ColumnMapExpectation``, ``ColumnPairMapExpectation`` and ``MulticolumnMapExpectation``:
  ``expect_column_values_to_*``, ``expect_column_value_lengths_*``, compound uniqueness ...) are
  row-level: the rows they flag go to quarantine. Everything else (``expect_table_*``,
  ``expect_column_to_exist``, aggregates such as ``expect_column_mean_to_be_between``) is
  table-level: a failure stops the run. ``"table"`` on a map expectation makes any flagged row stop
  the run; ``"row"`` on a non-map expectation is an error (GX cannot name its rows).
* ``reason``: the quarantine reason code written for rows this expectation flags (default
  ``"<type>(<column>)"``); letters, digits and ``_.:()-,`` only.
* ``severity``: ``"error"`` (default) or ``"warn"``. An ``error`` expectation acts by its level
  (row: quarantine the flagged rows; table: stop the run). A ``warn`` expectation is evaluated
  and recorded (``_meta.validation_results``, OpenLineage, Data Docs) but never quarantines a
  row and never stops the run.

GX 1.x has its own top-level ``severity`` (``critical``, ``warning``, ``info``), and
``ExpectationSuite.to_json_dict()`` writes ``"critical"`` for every expectation whether or not
anyone chose it. It is mapped as follows: without ``meta.severity``, ``critical`` means
``error`` and ``warning``/``info`` mean ``warn``; with ``meta.severity``, the meta key wins,
except that ``meta.severity: "error"`` beside a GX ``warning``/``info`` is refused as a
contradiction (someone deliberately lowered one and not the other). ``meta.severity: "warn"``
beside ``critical`` is accepted, because ``critical`` is only GX's default.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from etl.errors import ConfigError
from etl.validate import _gx, regex_guard

Level = Literal["row", "table"]
Severity = Literal["error", "warn"]
SEVERITIES: tuple[Severity, ...] = ("error", "warn")
#: GX 1.x ``FailureSeverity`` values and what they mean here.
GX_SEVERITY: dict[str, Severity] = {"critical": "error", "warning": "warn", "info": "warn"}

_SUITE_KEYS = frozenset({"name", "id", "expectations", "meta", "notes"})
_EXPECTATION_KEYS = frozenset(
    {"type", "kwargs", "meta", "id", "notes", "description", "severity", "rendered_content"}
)
_RESERVED_KWARGS = frozenset({"result_format", "catch_exceptions", "include_config", "batch_id"})
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_REASON = re.compile(r"^[A-Za-z0-9_.:(),-]{1,120}$")

BASELINE_NAME = "baseline"
#: Largest suite file read (the samples are under 10 KB; value sets of codes stay far below).
MAX_SUITE_BYTES = 16 * 2**20
#: Deepest nesting of a suite's JSON (a suite uses four levels; value sets of pairs five).
MAX_SUITE_DEPTH = 32
_JSON_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class ExpectationSpec:
    """One expectation of a suite, checked against GX and with its level resolved.

    Attributes:
        type: the GX expectation type, e.g. ``expect_column_values_to_not_be_null``.
        kwargs: the expectation's parameters as written in the suite (JSON values).
        meta: the expectation's ``meta`` object as written in the suite.
        level: ``"row"`` (flagged rows go to quarantine) or ``"table"`` (failure stops the run).
        severity: ``"error"`` (acts by its level) or ``"warn"`` (recorded only).
    """

    type: str
    kwargs: Mapping[str, Any]
    level: Level
    meta: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns this expectation reads, in the order its kwargs name them."""
        names = [self.kwargs[k] for k in _COLUMN_KWARGS if isinstance(self.kwargs.get(k), str)]
        column_list = self.kwargs.get("column_list")
        if isinstance(column_list, list):
            names.extend(c for c in column_list if isinstance(c, str))
        return tuple(names)

    @property
    def column(self) -> str | None:
        """Its columns as one label, ``"a"`` or ``"a,b"``; None for a table expectation."""
        return ",".join(self.columns) or None

    @property
    def reason(self) -> str:
        """The quarantine reason code of this expectation."""
        explicit = self.meta.get("reason")
        if isinstance(explicit, str):
            return explicit
        return f"{self.type}({self.column})" if self.column else self.type


@dataclass(frozen=True)
class SuiteSpec:
    """A checked expectation suite; plain data, no GX objects.

    Attributes:
        name: the suite name.
        expectations: the expectations in file order.
        meta: the suite's ``meta`` object.
        source: where the suite came from (file path, or ``"<baseline>"``), for messages.
    """

    name: str
    expectations: tuple[ExpectationSpec, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)
    source: str = "<memory>"


def load_suite(path: Path) -> SuiteSpec:
    """Read and check a suite file.

    Importing Great Expectations to check the expectation types takes a few seconds the first
    time; call this in a task or a CLI command, not while parsing DAG files.

    Args:
        path: the suite's JSON file.

    Returns:
        The checked suite.

    Raises:
        ConfigError: the file is unreadable, too large or deep, not JSON, or not a valid
            suite; the message names the file and, for a bad expectation, its index and type.
    """
    raw = read_suite_json(path)
    return suite_from_dict(raw, source=str(path))


def read_suite_json(path: Path) -> object:
    """Parse a suite file's JSON, refusing a file too large or nested too deeply to be a suite.

    ``json.loads`` recurses once per nesting level and raises ``RecursionError`` near Python's
    limit (a file of 100,000 ``[`` is 200 KB), so the nesting is measured first on the text,
    with strings removed, and refused past :data:`MAX_SUITE_DEPTH` levels (a suite needs four).

    Raises:
        ConfigError: the file is unreadable, over :data:`MAX_SUITE_BYTES`, nested deeper than
            :data:`MAX_SUITE_DEPTH` levels, or not JSON; the message names the file (and line).
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SUITE_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read suite file ({type(exc).__name__})") from exc
    if len(data) > MAX_SUITE_BYTES:
        raise ConfigError(
            f"{path}: suite file is over {MAX_SUITE_BYTES // 2**20} MiB; a suite may be at most"
            f" {MAX_SUITE_BYTES // 2**20} MiB"
        )
    line = _too_deep(text)
    if line is not None:
        raise ConfigError(f"{path}: line {line}: nested deeper than {MAX_SUITE_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc


def _too_deep(text: str) -> int | None:
    """The line where ``text`` opens its ``MAX_SUITE_DEPTH + 1``-th level, or None."""
    bare = _JSON_STRING.sub('""', text)  # brackets inside strings do not nest
    depth = 0
    for match in _JSON_BRACKET.finditer(bare):
        if match.group() in "[{":
            depth += 1
            if depth > MAX_SUITE_DEPTH:
                return bare.count("\n", 0, match.start()) + 1
        else:
            depth -= 1
    return None


def suite_from_dict(raw: object, *, source: str = "<memory>") -> SuiteSpec:
    """Check a suite given as parsed JSON (the format of :func:`load_suite`).

    Args:
        raw: the parsed JSON document.
        source: a label for messages, usually the file path.

    Returns:
        The checked suite.

    Raises:
        ConfigError: the document is not a valid suite.
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a suite must be a JSON object")
    unknown = sorted(set(raw) - _SUITE_KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown suite keys {unknown}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{source}: 'name' must be a non-empty string")
    items = raw.get("expectations")
    if not isinstance(items, list):
        raise ConfigError(f"{source}: 'expectations' must be a list")
    meta = raw.get("meta") or {}
    if not isinstance(meta, dict):
        raise ConfigError(f"{source}: 'meta' must be an object")
    specs = tuple(_expectation(item, f"{source}: expectation #{i}") for i, item in enumerate(items))
    return SuiteSpec(name=name, expectations=specs, meta=meta, source=source)


def _expectation(item: object, where: str) -> ExpectationSpec:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: must be a JSON object")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:
        raise ConfigError(f"{where}: 'type' must be a non-empty string")
    where = f"{where} ({kind})"
    unknown = sorted(set(item) - _EXPECTATION_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown}")
    kwargs, meta = _kwargs_and_meta(item, where)
    severity = _severity(meta, item.get("severity"), where)
    problem = _gx.check_expectation(kind, kwargs)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    return ExpectationSpec(
        type=kind, kwargs=kwargs, level=_level(kind, meta, where), meta=meta, severity=severity
    )


def _kwargs_and_meta(item: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """An expectation's ``kwargs`` and ``meta``, refused when the pipeline could not honour them."""
    if "kwargs" not in item:
        raise ConfigError(f"{where}: missing 'kwargs'")
    kwargs = item["kwargs"]
    meta = item.get("meta") or {}
    if not isinstance(kwargs, dict):
        raise ConfigError(f"{where}: 'kwargs' must be an object")
    if not isinstance(meta, dict):
        raise ConfigError(f"{where}: 'meta' must be an object")
    reserved = sorted(_RESERVED_KWARGS & set(kwargs))
    if reserved:
        raise ConfigError(f"{where}: kwargs {reserved} are set by the pipeline, not the suite")
    regex = regex_guard.kwargs_problem(kwargs)
    if regex:
        raise ConfigError(f"{where}: {regex}")
    reason = meta.get("reason")
    if reason is not None and (not isinstance(reason, str) or not _REASON.match(reason)):
        raise ConfigError(f"{where}: meta.reason must match {_REASON.pattern}")
    return kwargs, meta


def _severity(meta: Mapping[str, Any], gx_severity: object, where: str) -> Severity:
    """The pipeline severity from ``meta.severity`` and GX's own ``severity`` (module docs)."""
    if gx_severity is not None and gx_severity not in GX_SEVERITY:
        raise ConfigError(f"{where}: severity must be one of {', '.join(GX_SEVERITY)} (GX)")
    mapped = GX_SEVERITY.get(gx_severity) if isinstance(gx_severity, str) else None
    declared = meta.get("severity")
    if declared is None:
        return mapped or "error"
    for severity in SEVERITIES:
        if declared == severity:
            if severity == "error" and mapped == "warn":
                raise ConfigError(
                    f"{where}: meta.severity 'error' contradicts GX severity {gx_severity!r}; "
                    "set both to the same intent (error/critical or warn/warning)"
                )
            return severity
    raise ConfigError(f"{where}: meta.severity must be 'error' or 'warn'")


def _level(kind: str, meta: Mapping[str, Any], where: str) -> Level:
    is_map = _gx.is_map_expectation(kind)
    declared = meta.get("level")
    if declared is None:
        return "row" if is_map else "table"
    if declared not in ("row", "table"):
        raise ConfigError(f"{where}: meta.level must be 'row' or 'table'")
    if declared == "row" and not is_map:
        raise ConfigError(
            f"{where}: meta.level 'row' needs a column-map expectation; "
            "this one has no per-row result"
        )
    return cast("Level", declared)


def baseline_suite(columns: Sequence[str]) -> SuiteSpec:
    """The structural suite used for a dataset that has no suite of its own.

    It holds ``expect_table_row_count_to_be_between(min_value=1)`` (an empty delivery stops the
    run) and ``expect_column_to_exist`` for each given column (a column declared in the registry
    but missing from the delivery stops the run). Both are table-level; nothing is quarantined.
    It is built without importing Great Expectations.

    Args:
        columns: the columns the dataset must have (normally the registry's declared columns).

    Returns:
        The suite, named ``"baseline"``.
    """
    specs = [ExpectationSpec("expect_table_row_count_to_be_between", {"min_value": 1}, "table")]
    specs.extend(
        ExpectationSpec("expect_column_to_exist", {"column": column}, "table") for column in columns
    )
    return SuiteSpec(name=BASELINE_NAME, expectations=tuple(specs), meta={}, source="<baseline>")
