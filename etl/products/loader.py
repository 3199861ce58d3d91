"""Load the product files under ``<registry>/products/`` and check them against the registry.

A product file must first be a valid :class:`~etl.registry.product.Product` on its own; then every
source must be a registered dataset that publishes to the zone named (or a valid domain file for
a repository's records), and every column the product names must be declared by each source
(a dataset's ``columns:``; a repository's key and attributes). Each problem is a
:class:`~etl.registry.RegistryProblem` naming the file, line and field; problems never stop the
scan, and a product with any problem is left out of :attr:`ProductRegistry.products`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from etl.errors import ConfigError
from etl.integrate import DomainRegistry
from etl.lake.layout import published_zones
from etl.registry import Registry, RegistryProblem
from etl.registry.loader import PRODUCTS_FOLDER, product_files, validate_file
from etl.registry.problems import did_you_mean, known_item, raise_for
from etl.registry.product import Product, Source

__all__ = ["ProductRegistry", "load_products", "source_columns"]

Problem = tuple[tuple[str, ...], str]


@dataclass(frozen=True)
class ProductRegistry:
    """The valid products by id, their files, and every problem found (empty when all is valid).

    Attributes:
        folder: the products folder (``<registry>/products``; it may be absent: no products).
        products: product id → its model; only products without problems.
        sources: product id → its file.
        problems: every problem of every product file.
    """

    folder: Path
    products: dict[str, Product]
    sources: dict[str, Path]
    problems: tuple[RegistryProblem, ...]

    def get(self, product_id: str) -> Product:
        """Return one product or raise :class:`ConfigError` naming the unknown id."""
        return known_item(self.products, product_id, "product", str(self.folder))

    def raise_for_problems(self) -> None:
        """Raise one :class:`ConfigError` listing every problem, if there are any."""
        raise_for(self.problems)


def source_columns(source: Source, registry: Registry, domains: DomainRegistry) -> tuple[str, ...]:
    """The columns a source declares: a dataset's ``columns:``, a repository's key and attributes.

    Raises:
        ConfigError: an unknown dataset or repository.
    """
    if source.dataset is not None:
        return tuple(registry.get(source.dataset).column_types)
    domain = domains.get(str(source.repository))
    return (domain.key.name, *domain.attributes)


def _source_problems(
    index: int, source: Source, registry: Registry, domains: DomainRegistry
) -> Iterator[Problem]:
    where = ("sources", str(index))
    if source.dataset is not None:
        dataset = registry.datasets.get(source.dataset)
        if dataset is None:
            hint = did_you_mean(source.dataset, registry.datasets)
            yield (*where, "dataset"), f"unknown dataset {source.dataset!r}{hint}"
        elif source.zone not in published_zones(dataset):
            zones = ", ".join(published_zones(dataset))
            yield (
                (*where, "zone"),
                f"dataset {dataset.id} has no {source.zone} table (it publishes to {zones})",
            )
    elif source.repository not in domains.domains:
        hint = did_you_mean(str(source.repository), domains.domains)
        yield (*where, "repository"), f"unknown repository {source.repository!r}{hint}"


def _column_problems(
    product: Product, registry: Registry, domains: DomainRegistry
) -> Iterator[Problem]:
    named: list[tuple[tuple[str, ...], str]] = [
        (("columns", str(i)), c) for i, c in enumerate(product.columns)
    ]
    named += [(("filters", str(i), "column"), f.column) for i, f in enumerate(product.filters)]
    for source in product.sources:
        try:
            declared = source_columns(source, registry, domains)
        except ConfigError:
            continue  # reported as the source's own problem
        for where, column in named:
            if column not in declared:
                hint = did_you_mean(column, declared)
                yield where, f"{source.name} declares no column {column!r}{hint}"


def _problems(product: Product, registry: Registry, domains: DomainRegistry) -> Iterator[Problem]:
    for index, source in enumerate(product.sources):
        yield from _source_problems(index, source, registry, domains)
    yield from _column_problems(product, registry, domains)


def load_products(registry: Registry, domains: DomainRegistry) -> ProductRegistry:
    """Load every product file of ``registry`` and check it against datasets and domains.

    Args:
        registry: the loaded dataset registry; its root holds the ``products/`` folder.
        domains: the loaded domain files (for products that read a repository's records).

    Returns:
        The valid products and every problem found.
    """
    folder = registry.root / PRODUCTS_FOLDER
    products: dict[str, Product] = {}
    sources: dict[str, Path] = {}
    first: dict[str, Path] = {}
    problems: list[RegistryProblem] = []
    for path in product_files(registry.root):
        product, document, found = validate_file(path, Product)
        if product is not None:
            found = [
                RegistryProblem(path, ".".join(field), message, document.line_of(field))
                for field, message in _problems(product, registry, domains)
            ]
            if product.id in first:
                message = f"duplicate id {product.id!r}, also in {first[product.id]}"
                found.insert(0, RegistryProblem(path, "id", message, document.line_of(("id",))))
            first.setdefault(product.id, path)
            if not found:
                products[product.id] = product
                sources[product.id] = path
        problems.extend(found)
    return ProductRegistry(folder, products, sources, tuple(problems))
