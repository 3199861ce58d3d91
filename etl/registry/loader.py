"""Scan the registry folder, parse every dataset file and report every problem at once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from etl.errors import ConfigError
from etl.registry import safe_yaml
from etl.registry.alerts import ALERTS_FILE, AlertsConfig
from etl.registry.model import Dataset
from etl.registry.sources import PAGINATION_TYPES, SOURCE_KINDS

SUFFIXES = (".yaml", ".yml")
#: Discriminated unions: the tag pydantic puts in an error's location after these keys.
_UNION_TAGS = {"source": SOURCE_KINDS, "pagination": PAGINATION_TYPES}


@dataclass(frozen=True)
class RegistryProblem:
    """One problem in one registry file: the file, the field (dotted) and what was expected."""

    path: Path
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: {self.field}" if self.field else str(self.path)
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Registry:
    """The parsed registry: datasets by id, and problems (empty when everything is valid).

    ``alerts`` holds the channels of ``alerts.yaml`` (none when the file is absent or broken).
    """

    root: Path
    datasets: dict[str, Dataset]
    sources: dict[str, Path]
    problems: tuple[RegistryProblem, ...]
    alerts: AlertsConfig = dataclass_field(default_factory=AlertsConfig)

    def get(self, dataset_id: str) -> Dataset:
        """Return one dataset or raise :class:`ConfigError` naming the unknown id."""
        try:
            return self.datasets[dataset_id]
        except KeyError:
            known = ", ".join(sorted(self.datasets)) or "none"
            raise ConfigError(
                f"unknown dataset {dataset_id!r} in registry {self.root} (known: {known})"
            ) from None

    def raise_for_problems(self) -> None:
        """Raise one :class:`ConfigError` listing every problem, if there are any."""
        if self.problems:
            raise ConfigError("; ".join(str(p) for p in self.problems))


def _describe(error: Any) -> tuple[str | None, str]:
    parts = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
    # A discriminated union's tag is not a key the user wrote: drop it from the location.
    parts = [
        part
        for index, part in enumerate(parts)
        if not (index and part in _UNION_TAGS.get(parts[index - 1], ()))
    ]
    loc = ".".join(parts)
    kind = error["type"]
    if kind == "extra_forbidden":
        return loc, "unknown key (check the spelling; the registry model is closed)"
    if kind == "missing":
        return loc, "required key is missing"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return (loc or None), message


def _files(root: Path) -> Iterator[Path]:
    alerts = root / ALERTS_FILE
    for path in sorted(root.rglob("*")):
        if path == alerts:  # the alert channels, not a dataset
            continue
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith("."):
            yield path


def _read_mapping(path: Path) -> tuple[dict[str, Any] | None, list[RegistryProblem]]:
    try:
        raw = safe_yaml.load(path)
    except safe_yaml.YamlProblem as exc:
        where = f"line {exc.line}" if exc.line is not None else None
        return None, [RegistryProblem(path, where, exc.message)]
    except OSError as exc:
        return None, [RegistryProblem(path, None, f"cannot read file ({type(exc).__name__})")]
    if not isinstance(raw, dict):
        return None, [RegistryProblem(path, None, "expected a mapping of keys at the top level")]
    return raw, []


def parse_file(path: Path) -> tuple[Dataset | None, list[RegistryProblem]]:
    """Parse one registry file, returning the dataset or the problems found in it."""
    raw, problems = _read_mapping(path)
    if raw is None:
        return None, problems
    try:
        return Dataset.model_validate(raw), []
    except ValidationError as exc:
        return None, [RegistryProblem(path, *_describe(err)) for err in exc.errors()]


def parse_alerts(root: Path) -> tuple[AlertsConfig, list[RegistryProblem]]:
    """Parse ``alerts.yaml`` under the registry root (absent: no channels, no problem)."""
    path = root / ALERTS_FILE
    if not path.is_file():
        return AlertsConfig(), []
    raw, problems = _read_mapping(path)
    if raw is None:
        return AlertsConfig(), problems
    try:
        return AlertsConfig.model_validate(raw), []
    except ValidationError as exc:
        return AlertsConfig(), [RegistryProblem(path, *_describe(err)) for err in exc.errors()]


def _channel_problems(
    datasets: dict[str, Dataset], sources: dict[str, Path], alerts: AlertsConfig
) -> list[RegistryProblem]:
    """A dataset naming a channel ``alerts.yaml`` does not define is a problem of that file."""
    problems = []
    for dataset_id, dataset in datasets.items():
        if dataset.alerts is None:
            continue
        for index, name in enumerate(dataset.alerts.channels):
            if name not in alerts.channels:
                known = ", ".join(sorted(alerts.channels)) or f"none (no {ALERTS_FILE})"
                problems.append(
                    RegistryProblem(
                        sources[dataset_id],
                        f"alerts.channels.{index}",
                        f"unknown channel {name!r}; {ALERTS_FILE} defines: {known}",
                    )
                )
    return problems


def load_registry(root: Path) -> Registry:
    """Load every ``*.yaml``/``*.yml`` file under ``root`` (recursively), and ``alerts.yaml``.

    Problems never stop the scan: each file is parsed and every problem is collected, so that
    ``pubdata registry check`` can report all of them and a DAG file can surface them as import
    errors naming the file.
    """
    if not root.is_dir():
        problem = RegistryProblem(root, None, "registry folder does not exist")
        return Registry(root, {}, {}, (problem,))
    datasets: dict[str, Dataset] = {}
    sources: dict[str, Path] = {}
    problems: list[RegistryProblem] = []
    for path in _files(root):
        dataset, found = parse_file(path)
        problems.extend(found)
        if dataset is None:
            continue
        if dataset.id in datasets:
            problems.append(
                RegistryProblem(
                    path, "id", f"duplicate id {dataset.id!r}, also in {sources[dataset.id]}"
                )
            )
            continue
        datasets[dataset.id] = dataset
        sources[dataset.id] = path
    alerts, found = parse_alerts(root)
    problems.extend(found)
    problems.extend(_channel_problems(datasets, sources, alerts))
    return Registry(root, datasets, sources, tuple(problems), alerts)
