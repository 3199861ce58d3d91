"""Where a product's releases go and what each is called (no pyarrow: DAG files parse this)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.registry.product import Product
from etl.settings import Settings

__all__ = ["HOME_VARIABLE", "destination", "release_id"]

#: Stands for the pipeline's home in a product's ``destination``.
HOME_VARIABLE = "$PUBDATA_HOME"


def release_id(product: Product, day: date) -> str:
    """The id of a product's release for ``day``: ``<product id>-<YYYY-MM-DD>``."""
    return f"{product.id}-{day.isoformat()}"


def destination(settings: Settings, product: Product) -> Path:
    """Where a product's releases go: its ``destination``, else the consumer's folder.

    The default is ``$PUBDATA_HOME/products/<consumer uscc>/<product id>``; ``$PUBDATA_HOME`` in
    a destination stands for the pipeline's home.
    """
    if product.destination is None:
        return settings.home / "products" / product.consumer.uscc / product.id
    return Path(product.destination.replace(HOME_VARIABLE, str(settings.home))).expanduser()
