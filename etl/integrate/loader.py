"""Load the domain files under ``<registry>/domains/`` and check them against the datasets.

A domain file must first be a valid :class:`~etl.integrate.model.Domain` on its own; then every
contributor must be a registered dataset and every column it names must be declared in that
dataset's ``columns:``, with the attribute's type (a key column: ``string``). Each problem is a
:class:`~etl.registry.RegistryProblem` naming the file, line and field, like the datasets' own;
problems never stop the scan, and a domain with any problem is left out of
:attr:`DomainRegistry.domains`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.integrate.model import Domain
from etl.registry import Dataset, Registry, RegistryProblem
from etl.registry.loader import DOMAINS_FOLDER, domain_files, validate_file
from etl.registry.problems import did_you_mean, known_item, raise_for

__all__ = ["DomainRegistry", "load_domains"]


@dataclass(frozen=True)
class DomainRegistry:
    """The valid domains by id, their files, and every problem found (empty when all is valid).

    Attributes:
        folder: the domains folder (``<registry>/domains``; it may be absent: no domains).
        domains: domain id → its model; only domains without problems.
        sources: domain id → its file.
        problems: every problem of every domain file.
    """

    folder: Path
    domains: dict[str, Domain]
    sources: dict[str, Path]
    problems: tuple[RegistryProblem, ...]

    def get(self, domain_id: str) -> Domain:
        """Return one domain or raise :class:`ConfigError` naming the unknown id."""
        return known_item(self.domains, domain_id, "domain", str(self.folder))

    def domains_of(self, dataset_id: str) -> tuple[Domain, ...]:
        """The domains ``dataset_id`` contributes to, by domain id."""
        return tuple(
            self.domains[d]
            for d in sorted(self.domains)
            if dataset_id in self.domains[d].contributors
        )

    def raise_for_problems(self) -> None:
        """Raise one :class:`ConfigError` listing every problem, if there are any."""
        raise_for(self.problems)


def _declared(
    dataset: Dataset, column: str, expected: str, what: str, field: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], str]]:
    """The problem of a column a contributor names: undeclared, or declared another type."""
    declared = dataset.column_types
    kind = declared.get(column)
    if kind is None:
        hint = did_you_mean(column, declared)
        listed = ", ".join(declared) or "none"
        message = f"column {column!r} is not declared in {dataset.id}'s columns{hint}"
        yield field, f"{message} (declared: {listed})"
    elif kind != expected:
        yield field, f"column {column!r} of {dataset.id} is declared {kind}; {what}"


def _unknown_dataset(registry: Registry, dataset_id: str) -> str:
    broken = registry.broken_file_of(dataset_id)
    if broken is not None:
        return f"dataset {dataset_id!r} is not loaded: its file {broken[0]} has problems"
    hint = did_you_mean(dataset_id, registry.datasets)
    return f"unknown dataset {dataset_id!r}{hint}"


def _dataset_problems(domain: Domain, registry: Registry) -> Iterator[tuple[tuple[str, ...], str]]:
    """(field path, message) of every name the domain uses that the registry does not declare."""
    for dataset_id, contributor in domain.contributors.items():
        dataset = registry.datasets.get(dataset_id)
        if dataset is None:
            yield ("contributors", dataset_id), _unknown_dataset(registry, dataset_id)
            continue
        yield from _declared(
            dataset,
            contributor.key,
            "string",
            "a key column must be string (leading zeros, check character X)",
            ("contributors", dataset_id, "key"),
        )
        for name, column in contributor.attributes.items():
            yield from _declared(
                dataset,
                column,
                domain.attributes[name].type,
                f"attribute {name!r} is {domain.attributes[name].type}",
                ("contributors", dataset_id, "attributes", name),
            )


def load_domains(registry: Registry) -> DomainRegistry:
    """Load every domain file of ``registry`` and check it against the registry's datasets.

    Args:
        registry: the loaded dataset registry; its root holds the ``domains/`` folder. A dataset
            whose own file is broken is not in it, and a domain naming it says so.

    Returns:
        The valid domains and every problem found.
    """
    folder = registry.root / DOMAINS_FOLDER
    domains: dict[str, Domain] = {}
    sources: dict[str, Path] = {}
    first: dict[str, Path] = {}  # the first file of each id, its datasets right or not
    problems: list[RegistryProblem] = []
    for path in domain_files(registry.root):
        domain, document, found = validate_file(path, Domain)
        if domain is not None:
            found = [
                RegistryProblem(path, ".".join(field), message, document.line_of(field))
                for field, message in _dataset_problems(domain, registry)
            ]
            if domain.id in first:
                message = f"duplicate id {domain.id!r}, also in {first[domain.id]}"
                found.insert(0, RegistryProblem(path, "id", message, document.line_of(("id",))))
            first.setdefault(domain.id, path)
            if not found:
                domains[domain.id] = domain
                sources[domain.id] = path
        problems.extend(found)
    return DomainRegistry(folder, domains, sources, tuple(problems))
