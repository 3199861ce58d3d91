"""What the classification recorded of a product's source tables: grades, flags, quasi-identifiers.

A dataset's columns are graded as its last published run recorded them in
``_meta.classifications`` (:func:`etl.lineage.published.published_classification`; runs held for
drift do not count). A column is a quasi-identifier when the classification would count it as
one (rule R2: a category of :data:`etl.classify.rules.CATEGORY_KINDS`, or a quasi-identifier
name or title, :func:`etl.classify.names.quasi_identifier_hint`), or when its category is personal
without identifying a person on its own (an address generalised to its district, a birth
year). Tokens are what the table's field metadata says the shared zone tokenized.

An integrated repository's records take, per attribute, the highest grade its contributors'
mapped columns were recorded with (就高从严, as :mod:`etl.integrate.publish` grades them); the
repository's shared table holds no records when a contributor is flagged IMP or CORE, so its
own flags are none.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from etl.classify import ColumnClassification, DatasetClassification, max_grade
from etl.classify.grades import DIRECT_IDENTIFIERS, FLAGS
from etl.classify.names import quasi_identifier_hint
from etl.classify.rules import CATEGORY_KINDS
from etl.classify.rules_persons import NOT_PERSONAL
from etl.errors import ConfigError
from etl.integrate import DomainRegistry
from etl.lake.dictionary import TRANSFORMATION
from etl.lineage.published import published_classification
from etl.registry import Registry
from etl.registry.product import Source

__all__ = ["UNGRADED", "ColumnFacts", "SourceFacts", "quasi_identifier_kind", "source_facts"]

#: The grade of a column no published run classified (it appeared later): fail closed.
UNGRADED = "L4"


@dataclass(frozen=True)
class ColumnFacts:
    """One source column as the classification recorded it.

    Attributes:
        name: the column.
        grade: its grade (L1..L4).
        category: its category id (``none`` when no detector claimed it).
        quasi_identifier: its quasi-identifier kind, or None.
        tokenized: the source table holds keyed tokens of it.
    """

    name: str
    grade: str
    category: str
    quasi_identifier: str | None
    tokenized: bool


@dataclass(frozen=True)
class SourceFacts:
    """What the gate knows of one source table.

    Attributes:
        name: the source's name in the release (:attr:`Source.name`).
        dataset: the dataset id (None for a repository's records).
        flags: dataset flags (``IMP``, ``CORE``) from the registry and the published run.
        columns: column → its facts.
    """

    name: str
    dataset: str | None
    flags: tuple[str, ...]
    columns: dict[str, ColumnFacts]

    def column(self, name: str) -> ColumnFacts:
        """The facts of ``name``; a column no run classified is :data:`UNGRADED`."""
        found = self.columns.get(name)
        return found or ColumnFacts(name, UNGRADED, "none", None, False)


def quasi_identifier_kind(name: str, category: str, title: str | None = None) -> str | None:
    """The quasi-identifier kind of a column, or None when it is not one.

    Args:
        name: the column's name.
        category: its recorded category.
        title: its title in the registry (Chinese names hint too).
    """
    kind = CATEGORY_KINDS.get(category)
    if kind is not None:
        return kind
    hint = quasi_identifier_hint(name, title)
    if hint is not None:
        return hint.category
    if category not in NOT_PERSONAL and category not in DIRECT_IDENTIFIERS:
        return category
    return None


def _tokenized(schema: pa.Schema | None) -> frozenset[str]:
    if schema is None:
        return frozenset()
    return frozenset(
        f.name for f in schema if (f.metadata or {}).get(TRANSFORMATION.encode()) == b"tokenized"
    )


def _published(lake: str, dataset_id: str) -> DatasetClassification:
    found = published_classification(lake, dataset_id)
    if found is None:
        raise ConfigError(f"dataset {dataset_id} has no published run: nothing to release")
    return found


def _dataset_facts(
    lake: str, source: Source, registry: Registry, schema: pa.Schema | None
) -> SourceFacts:
    dataset = registry.get(str(source.dataset))
    classification = _published(lake, dataset.id)
    flags = {f for f in classification.flags if f in FLAGS}
    flags |= {"IMP"} if dataset.classification.important else set()
    flags |= {"CORE"} if dataset.classification.core else set()
    tokens = _tokenized(schema)
    columns = {
        c.name: ColumnFacts(
            c.name,
            c.grade,
            c.category,
            quasi_identifier_kind(c.name, c.category, dataset.column(c.name).title),
            c.name in tokens,
        )
        for c in classification.columns
    }
    ordered = tuple(f for f in FLAGS if f in flags)
    return SourceFacts(source.name, dataset.id, ordered, columns)


def _strictest(found: list[ColumnClassification]) -> ColumnClassification | None:
    if not found:
        return None
    top = max_grade(c.grade for c in found)
    return next(c for c in found if c.grade == top)


def _repository_facts(
    lake: str, source: Source, domains: DomainRegistry, schema: pa.Schema | None
) -> SourceFacts:
    domain = domains.get(str(source.repository))
    known = {d: published_classification(lake, d) for d in domain.datasets}
    tokens = _tokenized(schema)

    def graded(dataset_id: str, column: str) -> ColumnClassification | None:
        classification = known.get(dataset_id)
        if classification is None:
            return None
        return next((c for c in classification.columns if c.name == column), None)

    mapped: dict[str, list[ColumnClassification]] = {domain.key.name: []}
    titles = {domain.key.name: domain.key.title}
    for dataset_id, contributor in domain.contributors.items():
        key = graded(dataset_id, contributor.key)
        if key is not None:
            mapped[domain.key.name].append(key)
        for attribute, column in contributor.attributes.items():
            graded_column = graded(dataset_id, column)
            mapped.setdefault(attribute, [])
            if graded_column is not None:
                mapped[attribute].append(graded_column)
    for attribute, spec in domain.attributes.items():
        titles[attribute] = spec.title
    columns = {}
    for name, candidates in mapped.items():
        top = _strictest(candidates)
        grade, category = (top.grade, top.category) if top else (UNGRADED, "none")
        kind = quasi_identifier_kind(name, category, titles.get(name))
        columns[name] = ColumnFacts(name, grade, category, kind, name in tokens)
    return SourceFacts(source.name, None, (), columns)


def source_facts(
    lake: str,
    source: Source,
    registry: Registry,
    domains: DomainRegistry,
    schema: pa.Schema | None = None,
) -> SourceFacts:
    """What the classification recorded of one source table.

    Args:
        lake: the lake root (its ``_meta`` tables).
        source: the product's source.
        registry: the dataset registry (flags, column titles).
        domains: the domain files (a repository's contributors).
        schema: the source table's schema (its field metadata says which columns hold
            tokens); None: no column is taken as a token column.

    Raises:
        ConfigError: an unknown dataset or repository, or a dataset with no published run.
    """
    if source.dataset is not None:
        return _dataset_facts(lake, source, registry, schema)
    return _repository_facts(lake, source, domains, schema)
