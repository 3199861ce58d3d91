"""Scan the registry folder, parse every dataset file and report every problem at once.

Every ``*.yaml``/``*.yml`` file under the registry root is a dataset, except ``alerts.yaml`` (the
alert channels), the files under ``domains/`` (:data:`DOMAINS_FOLDER`: the models of the
integrated repositories, which :mod:`etl.integrate` reads) and the files under ``products/``
(:data:`PRODUCTS_FOLDER`: the authorised data products, which :mod:`etl.products` reads).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from etl.registry import safe_yaml
from etl.registry.alerts import ALERTS_FILE, AlertsConfig
from etl.registry.model import Dataset
from etl.registry.problems import (
    RegistryProblem,
    known_item,
    problems_from,
    raise_for,
)

__all__ = [
    "DOMAINS_FOLDER",
    "PRODUCTS_FOLDER",
    "Registry",
    "RegistryProblem",
    "domain_files",
    "domain_ids",
    "load_registry",
    "parse_alerts",
    "parse_file",
    "product_files",
    "validate_file",
]

SUFFIXES = (".yaml", ".yml")
#: The folder, directly under the registry root, of the integrated domains' model files; no
#: file under it is a dataset (a department folder cannot be called this).
DOMAINS_FOLDER = "domains"
#: The folder, directly under the registry root, of the authorised data products' files
#: (one per product); no file under it is a dataset.
PRODUCTS_FOLDER = "products"
_NO_LINES = safe_yaml.Document(None, {})


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
        return known_item(self.datasets, dataset_id, "dataset", f"registry {self.root}")

    def broken_file_of(self, dataset_id: str) -> tuple[Path, list[RegistryProblem]] | None:
        """The broken file that declares ``dataset_id``, and its problems; None if none does.

        A file that failed validation often still reads as YAML, so its ``id`` is asked first;
        when the YAML itself is broken, its ``id:`` line is read as text; a file named after
        the id is the last resort.
        """
        by_file: dict[Path, list[RegistryProblem]] = {}
        for problem in self.problems:
            if problem.path.is_file():
                by_file.setdefault(problem.path, []).append(problem)
        for match in (_declared_id, lambda path: path.stem):
            for path, problems in by_file.items():
                if match(path) == dataset_id:
                    return path, problems
        return None

    def raise_for_problems(self) -> None:
        """Raise one :class:`ConfigError` listing every problem, if there are any."""
        raise_for(self.problems)


_ID_LINE = re.compile(r"""^id:[ \t]*["']?([A-Za-z0-9_]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)


def _declared_id(path: Path) -> str | None:
    """The ``id`` a registry file declares, read as leniently as its state allows."""
    try:
        text = safe_yaml.read_text(path)
    except (safe_yaml.YamlProblem, OSError):
        return None
    try:
        data = safe_yaml.parse(text)
    except safe_yaml.YamlProblem:
        match = _ID_LINE.search(text)
        return match.group(1) if match else None
    found = data.get("id") if isinstance(data, dict) else None
    return found if isinstance(found, str) else None


def _yaml_files(folder: Path) -> Iterator[Path]:
    """The YAML files under ``folder`` (recursively, sorted), hidden files left out."""
    for path in sorted(folder.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith("."):
            yield path


def _files(root: Path) -> Iterator[Path]:
    """The dataset files: every YAML file but the alert channels, domain and product files."""
    alerts, domains, products = root / ALERTS_FILE, root / DOMAINS_FOLDER, root / PRODUCTS_FOLDER
    for path in _yaml_files(root):
        if (
            path != alerts
            and not path.is_relative_to(domains)
            and not path.is_relative_to(products)
        ):
            yield path


def domain_files(root: Path) -> Iterator[Path]:
    """The domain model files: every YAML file under ``<root>/domains/``, recursively."""
    domains = root / DOMAINS_FOLDER
    if domains.is_dir():
        yield from _yaml_files(domains)


def product_files(root: Path) -> Iterator[Path]:
    """The product files: every YAML file under ``<root>/products/``, recursively."""
    products = root / PRODUCTS_FOLDER
    if products.is_dir():
        yield from _yaml_files(products)


def domain_ids(root: Path) -> list[str]:
    """The ids the domain model files declare (unreadable files left out), in file order."""
    found = (_declared_id(path) for path in domain_files(root))
    return [d for d in found if d is not None]


def _read_mapping(path: Path) -> tuple[safe_yaml.Document | None, list[RegistryProblem]]:
    try:
        document = safe_yaml.load_document(path)
    except safe_yaml.YamlProblem as exc:
        return None, [RegistryProblem(path, None, exc.message, exc.line)]
    except OSError as exc:
        return None, [RegistryProblem(path, None, f"cannot read file ({type(exc).__name__})")]
    if not isinstance(document.data, dict):
        line = document.line_of(())
        return None, [
            RegistryProblem(path, None, "expected a mapping of keys at the top level", line)
        ]
    return document, []


def validate_file(
    path: Path, model: type[BaseModel]
) -> tuple[Any, safe_yaml.Document, list[RegistryProblem]]:
    """Read ``path`` and validate it as ``model``: the value (or None), its lines, problems.

    Args:
        path: a registry file (a dataset, ``alerts.yaml`` or a domain file).
        model: the closed model the file holds.

    Returns:
        The model (None when the file has problems), the parsed document (its lines name
        later problems of the file), and the problems found.
    """
    document, problems = _read_mapping(path)
    if document is None:
        return None, _NO_LINES, problems
    try:
        return model.model_validate(document.data), document, []
    except ValidationError as exc:
        return None, document, problems_from(path, model, exc, document)


def parse_file(path: Path) -> tuple[Dataset | None, list[RegistryProblem]]:
    """Parse one registry file, returning the dataset or the problems found in it."""
    dataset, _, problems = validate_file(path, Dataset)
    return dataset, problems


def parse_alerts(root: Path) -> tuple[AlertsConfig, list[RegistryProblem]]:
    """Parse ``alerts.yaml`` under the registry root (absent: no channels, no problem)."""
    path = root / ALERTS_FILE
    if not path.is_file():
        return AlertsConfig(), []
    config, _, problems = validate_file(path, AlertsConfig)
    return config or AlertsConfig(), problems


def _channel_problems(
    datasets: dict[str, Dataset],
    sources: dict[str, Path],
    lines: dict[str, safe_yaml.Document],
    alerts: AlertsConfig,
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
                        lines[dataset_id].line_of(("alerts", "channels", str(index))),
                    )
                )
    return problems


def load_registry(root: Path) -> Registry:
    """Load every dataset file under ``root`` (recursively), and ``alerts.yaml``.

    Problems never stop the scan: each file is parsed and every problem is collected, so that
    ``pubdata registry check`` can report all of them and a DAG file can surface them as import
    errors naming the file.
    """
    if not root.is_dir():
        problem = RegistryProblem(root, None, "registry folder does not exist")
        return Registry(root, {}, {}, (problem,))
    datasets: dict[str, Dataset] = {}
    sources: dict[str, Path] = {}
    lines: dict[str, safe_yaml.Document] = {}
    problems: list[RegistryProblem] = []
    for path in _files(root):
        dataset, document, found = validate_file(path, Dataset)
        problems.extend(found)
        if dataset is None:
            continue
        if dataset.id in datasets:
            problems.append(
                RegistryProblem(
                    path,
                    "id",
                    f"duplicate id {dataset.id!r}, also in {sources[dataset.id]}",
                    document.line_of(("id",)),
                )
            )
            continue
        datasets[dataset.id] = dataset
        sources[dataset.id] = path
        lines[dataset.id] = document
    alerts, found = parse_alerts(root)
    problems.extend(found)
    problems.extend(_channel_problems(datasets, sources, lines, alerts))
    return Registry(root, datasets, sources, tuple(problems), alerts)
