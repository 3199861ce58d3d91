"""Authorised data products (授权运营): what a consumer may receive, gated and per-consumer keyed.

A product file under ``<registry>/products/`` declares the consumer (name and USCC), purpose,
authorisation, source tables (shared or open zone, or a repository's shared records), columns,
row filters, aggregation, grade ceiling, approvals for IMP/CORE datasets, quasi-identifiers, k,
schedule, expiry and destination (:mod:`etl.registry.product`); :mod:`etl.products.loader` reads
and checks those files against the registry. :func:`etl.products.release.release` makes one
release (:mod:`etl.products.gate` decides whether it may go out, :mod:`etl.products.tokens`
re-keys its tokens for the consumer). Those import pyarrow, so they are not imported here: DAG
files parse product files.
"""

from etl.products.loader import ProductRegistry, load_products
from etl.registry.product import (
    DEFAULT_K,
    Aggregation,
    Approval,
    Authorisation,
    Consumer,
    Filter,
    Measure,
    Product,
    Source,
)

__all__ = [
    "DEFAULT_K",
    "Aggregation",
    "Approval",
    "Authorisation",
    "Consumer",
    "Filter",
    "Measure",
    "Product",
    "ProductRegistry",
    "Source",
    "load_products",
]
