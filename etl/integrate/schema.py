"""The JSON Schema of a domain file, for editors (as :mod:`etl.registry.schema` for datasets).

``datasets/domain.schema.json`` is this schema checked in; each domain file's first line points
editors at it. ``pubdata registry schema`` writes it beside the datasets' schema.
"""

from __future__ import annotations

from typing import Any

from etl.integrate.model import Domain
from etl.registry.schema import as_text, json_schema

#: The file name of the schema, directly under the registry root.
DOMAIN_SCHEMA_FILE = "domain.schema.json"


def domain_schema() -> dict[str, Any]:
    """The JSON Schema of one domain file."""
    return json_schema(Domain, "pubdata integrated domain file")


def domain_schema_text() -> str:
    """:func:`domain_schema` as the text checked in."""
    return as_text(domain_schema())
