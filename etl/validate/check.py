"""``pubdata registry check`` for suites: every problem of every suite, file and expectation named.

A suite is checked the way :func:`etl.validate.suite.load_suite` reads it (unknown keys, unknown
expectation types, parameters GX rejects, levels, severities, reason codes), but each expectation
on its own, so one bad expectation does not hide the next. On top of that, every column an
expectation names must be declared in the dataset's ``columns:`` (datasets that declare no
columns are checked for everything else).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.errors import ConfigError
from etl.registry import Registry
from etl.settings import Settings
from etl.validate import suite as suite_module

#: kwargs (besides ``column``/``column_A``/``column_B``/``column_list``) that list columns.
_COLUMN_SET_KWARGS = ("column_set",)


@dataclass(frozen=True)
class SuiteProblem:
    """One problem in one suite file.

    Attributes:
        path: the suite file.
        message: what is wrong; names the expectation (``#index (type)``) when there is one.
    """

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def suite_path(settings: Settings, dataset_id: str, expectations: str | None) -> Path | None:
    """The suite file a dataset uses, or None for the baseline suite."""
    if expectations:
        return settings.expectations / f"{expectations}.json"
    default = settings.expectations / f"{dataset_id}.json"
    return default if default.is_file() else None


def check_suite_file(path: Path, declared: Collection[str] = ()) -> list[SuiteProblem]:
    """Every problem of one suite file.

    Args:
        path: the suite JSON file.
        declared: the dataset's declared columns (empty: columns are not checked).

    Returns:
        The problems, in file order (empty when the suite is fine).
    """
    try:
        raw = suite_module.read_suite_json(path)
    except ConfigError as exc:
        return [SuiteProblem(path, exc.message.removeprefix(f"{path}: "))]
    if not isinstance(raw, dict):
        return [SuiteProblem(path, "a suite must be a JSON object")]
    items = raw.get("expectations")
    head = {k: v for k, v in raw.items() if k != "expectations"}
    problems = [SuiteProblem(path, m) for m in _suite_level(head | {"expectations": []})]
    if not isinstance(items, list):
        return [*problems, SuiteProblem(path, "'expectations' must be a list")]
    for index, item in enumerate(items):
        problems.extend(SuiteProblem(path, m) for m in _expectation(item, index, declared))
    return problems


def _suite_level(raw: dict[str, Any]) -> Iterator[str]:
    try:
        suite_module.suite_from_dict(raw, source="")
    except ConfigError as exc:
        yield exc.message.removeprefix(": ")


def _expectation(item: object, index: int, declared: Collection[str]) -> Iterator[str]:
    where = f"expectation #{index}"
    try:
        spec = suite_module.suite_from_dict(
            {"name": "check", "expectations": [item]}, source=""
        ).expectations[0]
    except ConfigError as exc:
        yield exc.message.removeprefix(": ").replace("expectation #0", where, 1)
        return
    if not declared:
        return
    named = list(spec.columns)
    for key in _COLUMN_SET_KWARGS:
        value = spec.kwargs.get(key)
        if isinstance(value, list):
            named.extend(c for c in value if isinstance(c, str))
    for column in dict.fromkeys(named):
        if column not in declared:
            yield (
                f"{where} ({spec.type}): column {column!r} is not declared in the dataset's "
                "columns:"
            )


def check_registry_suites(
    settings: Settings, registry: Registry
) -> tuple[list[Path], list[SuiteProblem]]:
    """Check the suite of every registered dataset.

    Returns:
        The suite files checked, and their problems (a named suite that does not exist is one).
    """
    checked: list[Path] = []
    problems: list[SuiteProblem] = []
    for ds in sorted(registry.datasets.values(), key=lambda d: d.id):
        path = suite_path(settings, ds.id, ds.expectations)
        if path is None:
            continue
        if not path.is_file():
            source = registry.sources.get(ds.id, Path(ds.id))
            problems.append(
                SuiteProblem(source, f"expectations: suite file {path.name} does not exist")
            )
            continue
        checked.append(path)
        problems.extend(check_suite_file(path, ds.columns))
    return checked, problems
