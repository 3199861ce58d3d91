"""Integrated domain repositories (整合库): one record per person or legal entity.

A domain file under ``<registry>/domains/`` declares the entity, its key, its attributes with
their authoritative source and fallback order, and how each contributing dataset maps its
columns (:mod:`etl.integrate.model`); :mod:`etl.integrate.loader` reads and checks those files
against the dataset registry. :mod:`etl.integrate.keys` normalises contributors' entity keys and
:func:`etl.integrate.engine.integrate` builds and updates a repository's tables
(:mod:`etl.integrate.tables`). Those import pyarrow, so they are not imported here: DAG files
parse domain files.
"""

from etl.integrate.loader import DomainRegistry, load_domains
from etl.integrate.model import (
    ENTITY_KEY_FORMS,
    Attribute,
    Contributor,
    Domain,
    EntityKey,
    EntityKind,
    KeyForm,
)

__all__ = [
    "ENTITY_KEY_FORMS",
    "Attribute",
    "Contributor",
    "Domain",
    "DomainRegistry",
    "EntityKey",
    "EntityKind",
    "KeyForm",
    "load_domains",
]
