"""The JSON Schema of a product file, for editors (as :mod:`etl.integrate.schema` for domains).

``datasets/product.schema.json`` is this schema checked in; each product file's first line points
editors at it. ``pubdata registry schema`` writes it beside the datasets' and domains' schemas.
"""

from __future__ import annotations

from typing import Any

from etl.registry.product import Product
from etl.registry.schema import as_text, json_schema

#: The file name of the schema, directly under the registry root.
PRODUCT_SCHEMA_FILE = "product.schema.json"


def product_schema() -> dict[str, Any]:
    """The JSON Schema of one product file."""
    return json_schema(Product, "pubdata authorised data product file")


def product_schema_text() -> str:
    """:func:`product_schema` as the text checked in."""
    return as_text(product_schema())
