"""The domain model: one YAML file per integrated repository, closed like the dataset registry.

An integrated repository (整合库) holds one current record per entity — a person or a legal
entity — built from every dataset that knows it::

    id: population
    title: 人口基础信息库
    entity: person                               # person | legal_entity
    key: {name: gmsfhm, title: 公民身份号码}     # the entity key column of the repository
    attributes:
      xm:   {title: 姓名, sources: [household_register, relief_payments, clinic_visits]}
      lxdh: {title: 联系电话, sources: [relief_payments, household_register], max_age_days: 365}
    contributors:
      household_register: {key: gmsfhm, attributes: {xm: xm, lxdh: lxdh}}
      relief_payments: {key: sfzh, attributes: {xm: xm, lxdh: lxdh}}
      clinic_visits: {key: sfzh, attributes: {xm: hzxm}}

An attribute's ``sources`` are its fallback order; the first is its authoritative source
(数源部门, the one source of truth of that data element). ``max_age_days`` is its freshness rule
(:meth:`Attribute.choose`). A contributor is a registered dataset: the column that holds the
entity key, the form that key is written in (:data:`KeyForm`), and which column supplies which
attribute.

This module checks a file on its own (every name it uses refers to something it declares);
:mod:`etl.integrate.loader` checks it against the dataset registry (datasets and their declared
columns). Pure pydantic: DAG files parse domain files.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from etl.errors import ConfigError
from etl.registry.closed import Closed
from etl.registry.columns import ColumnType
from etl.registry.model import IDENT
from etl.registry.problems import FieldValueError, FieldValueErrors, did_you_mean

__all__ = [
    "ENTITY_KEY_FORMS",
    "LINEAGE_SEPARATOR",
    "VERSION_COLUMNS",
    "Attribute",
    "Contributor",
    "Domain",
    "EntityKey",
    "EntityKind",
    "KeyForm",
]

#: What an integrated repository holds one record of.
EntityKind = Literal["person", "legal_entity"]
#: How a contributor writes the entity key (normalised by :mod:`etl.integrate.keys`):
#: ``id_number`` 公民身份号码 (18 digits; 15-digit legacy numbers are converted), ``uscc``
#: 统一社会信用代码 (GB 32100), ``org_code`` 组织机构代码 (GB 11714; joins the legal entity whose
#: USCC embeds it at characters 9-17).
KeyForm = Literal["id_number", "uscc", "org_code"]
#: The key forms each kind of entity accepts; the first is the form of the entity key itself.
ENTITY_KEY_FORMS: dict[EntityKind, tuple[KeyForm, ...]] = {
    "person": ("id_number",),
    "legal_entity": ("uscc", "org_code"),
}
#: The version columns of the integrated records (SCD type 2; :mod:`etl.integrate.tables`): no
#: attribute or key may take these names.
VERSION_COLUMNS = ("valid_from", "valid_to", "is_current")
#: Joins an attribute to the name of one of its lineage columns (``xm__dataset``), so no
#: attribute or key name may contain it.
LINEAGE_SEPARATOR = "__"
#: An attribute or dataset name: the registry's identifiers.
Name = Annotated[str, Field(pattern=IDENT, max_length=64)]
#: A dataset column (declared in the dataset's ``columns:``, which the loader checks).
Column = Annotated[str, Field(min_length=1, max_length=200)]


def _reserved(name: str) -> str | None:
    """Why ``name`` cannot name a column of the integrated records, or None when it can."""
    if name in VERSION_COLUMNS:
        return f"{name!r} is a version column of the integrated records; choose another name"
    if LINEAGE_SEPARATOR in name:
        return (
            f"{name!r} contains {LINEAGE_SEPARATOR!r}, which names lineage columns "
            "(xm__dataset); choose another name"
        )
    return None


class EntityKey(Closed):
    """The key column of the integrated tables: its name and title (its form is the entity's)."""

    name: str = Field(pattern=IDENT, max_length=64, description="column name, e.g. gmsfhm")
    title: str = Field(min_length=1, max_length=200, description="its Chinese title")
    description: str | None = Field(default=None, min_length=1)


class Attribute(Closed):
    """One attribute of the entity, and where its value comes from.

    Attributes:
        title: the Chinese title (the data dictionary of the integrated tables).
        type: a registry column type (:mod:`etl.registry.types`); every source column mapped to
            the attribute is declared with this type.
        description: what the attribute holds.
        sources: contributing dataset ids in fallback order; the first is the authoritative
            source (数源部门).
        max_age_days: the freshness rule (:meth:`choose`); absent: a value never goes stale.
    """

    title: str = Field(min_length=1, max_length=200)
    type: ColumnType = Field(default="string", description="the column type (default string)")
    description: str | None = Field(default=None, min_length=1)
    sources: list[str] = Field(
        min_length=1,
        description="contributing datasets in fallback order; the first is authoritative",
    )
    max_age_days: int | None = Field(
        default=None,
        ge=1,
        description="a value older than this (days before the run date) yields to the next "
        "fresh source; when none is fresh, the first source with a value wins",
    )

    @property
    def authoritative(self) -> str:
        """The authoritative source (数源部门): the first of :attr:`sources`."""
        return self.sources[0]

    def choose(self, available: Mapping[str, date], run_date: date) -> str | None:
        """The source whose value the entity's record takes, by the freshness rule.

        The first source in :attr:`sources` order that has a value and is fresh wins: a value
        is fresh when ``max_age_days`` is absent or it is at most that many days older than
        ``run_date``. When no source with a value is fresh, the first source with a value wins
        (a stale value beats none).

        Args:
            available: the sources that have a value for the entity, each with the date of its
                value (the logical date of the run that delivered it); other datasets are
                ignored.
            run_date: the logical date of the integration run.

        Returns:
            The winning dataset id, or None when no source has a value.
        """
        present = [source for source in self.sources if source in available]
        if self.max_age_days is not None:
            for source in present:
                if (run_date - available[source]).days <= self.max_age_days:
                    return source
        return present[0] if present else None


class Contributor(Closed):
    """A contributing dataset: its key column, the key's form, its attribute → column mapping.

    Attributes:
        key: the dataset's column holding the entity key.
        key_form: how that column writes the key; absent: the entity key's own form
            (``id_number`` for persons, ``uscc`` for legal entities). A legal-entity dataset
            that predates the USCC writes ``org_code``.
        attributes: attribute name → the dataset's column that supplies it.
    """

    key: Column
    key_form: KeyForm | None = Field(
        default=None, description="absent: the entity key's form (id_number or uscc)"
    )
    attributes: dict[Name, Column] = Field(
        min_length=1, description="attribute name → this dataset's column"
    )

    @property
    def columns(self) -> tuple[str, ...]:
        """The dataset columns integration reads: the key, then each mapped column once."""
        return tuple(dict.fromkeys((self.key, *self.attributes.values())))


class Domain(Closed):
    """One integrated repository (整合库): the entity, its key, attributes and contributors.

    Attribute names, attribute sources and contributor names are checked against each other
    here: a source that is not a contributor, a source that does not map the attribute, a
    mapping of an undeclared attribute, a mapping that no ``sources`` list uses, and a key form
    the entity does not take are each a problem of the file.
    """

    id: str = Field(pattern=IDENT, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1)
    owner: str = Field(default="pubdata", min_length=1, description="the team that keeps it")
    entity: EntityKind
    key: EntityKey
    attributes: dict[Name, Attribute] = Field(min_length=1)
    contributors: dict[Name, Contributor] = Field(
        min_length=1, description="dataset id → how it contributes"
    )

    @model_validator(mode="after")
    def _names_agree(self) -> Domain:
        found = [*self._key_problems(), *self._source_problems(), *self._mapping_problems()]
        if found:
            raise FieldValueErrors(found)
        return self

    def _key_problems(self) -> list[FieldValueError]:
        found = [
            FieldValueError(where, message)
            for where, name in (
                (("key", "name"), self.key.name),
                *((("attributes", n), n) for n in self.attributes),
            )
            if (message := _reserved(name)) is not None
        ]
        if self.key.name in self.attributes:
            found.append(
                FieldValueError(
                    ("attributes", self.key.name),
                    f"{self.key.name!r} is the entity key (key.name), not an attribute",
                )
            )
        forms = ENTITY_KEY_FORMS[self.entity]
        for dataset, contributor in self.contributors.items():
            if contributor.key_form is not None and contributor.key_form not in forms:
                found.append(
                    FieldValueError(
                        ("contributors", dataset, "key_form"),
                        f"{contributor.key_form!r} is not a key form of a {self.entity}; "
                        f"expected {' or '.join(forms)}",
                    )
                )
        return found

    def _source_problems(self) -> list[FieldValueError]:
        found = []
        for name, attribute in self.attributes.items():
            for index, source in enumerate(attribute.sources):
                where = ("attributes", name, "sources", str(index))
                contributor = self.contributors.get(source)
                if source in attribute.sources[:index]:
                    found.append(FieldValueError(where, f"{source!r} is listed twice"))
                elif contributor is None:
                    hint = did_you_mean(source, self.contributors)
                    known = ", ".join(self.contributors)
                    found.append(
                        FieldValueError(
                            where,
                            f"{source!r} is not a contributor of this domain{hint} "
                            f"(contributors: {known})",
                        )
                    )
                elif name not in contributor.attributes:
                    found.append(
                        FieldValueError(
                            where,
                            f"{source} does not map {name!r}; add it under "
                            f"contributors.{source}.attributes",
                        )
                    )
        return found

    def _mapping_problems(self) -> list[FieldValueError]:
        found = []
        for dataset, contributor in self.contributors.items():
            for name in contributor.attributes:
                where = ("contributors", dataset, "attributes", name)
                attribute = self.attributes.get(name)
                if attribute is None:
                    hint = did_you_mean(name, self.attributes)
                    found.append(
                        FieldValueError(where, f"{name!r} is not an attribute of this domain{hint}")
                    )
                elif dataset not in attribute.sources:
                    found.append(
                        FieldValueError(
                            where,
                            f"{dataset} maps {name!r} but is not among attributes.{name}.sources",
                        )
                    )
        return found

    @property
    def key_form(self) -> KeyForm:
        """The form of the entity key: ``id_number`` (persons) or ``uscc`` (legal entities)."""
        return ENTITY_KEY_FORMS[self.entity][0]

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this repository's integration."""
        return f"integrate__{self.id}"

    @property
    def datasets(self) -> tuple[str, ...]:
        """The contributing dataset ids, in the order the file lists them."""
        return tuple(self.contributors)

    def contributor(self, dataset_id: str) -> Contributor:
        """How ``dataset_id`` contributes, or a :class:`ConfigError` naming the contributors."""
        try:
            return self.contributors[dataset_id]
        except KeyError:
            hint = did_you_mean(dataset_id, self.contributors)
            known = ", ".join(self.contributors)
            raise ConfigError(
                f"{dataset_id!r} does not contribute to domain {self.id}{hint} "
                f"(contributors: {known})"
            ) from None

    def key_form_of(self, dataset_id: str) -> KeyForm:
        """The form ``dataset_id`` writes the entity key in (its ``key_form`` or the entity's)."""
        return self.contributor(dataset_id).key_form or self.key_form

    def authoritative_for(self, dataset_id: str) -> tuple[str, ...]:
        """The attributes ``dataset_id`` is the authoritative source (数源部门) of."""
        self.contributor(dataset_id)  # an id that does not contribute is an error, not ()
        return tuple(n for n, a in self.attributes.items() if a.authoritative == dataset_id)
