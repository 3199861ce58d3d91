"""The yearly disclosure of authorised data products (授权运营年度公开).

What an implementing body publishes for a year: each product whose authorisation was in force on
some day of that year (authorised on or before its last day, expiring on or after its first), or
that was released during it; to whom (the consumer's name and 统一社会信用代码), for what purpose,
under which document and date, which tables and columns it uses, when it expires, and how many
releases and rows went out in that year (``_meta.product_releases``, by logical date). Nothing
else: no gate detail, no destination, no value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from etl.products.status import ReleaseRecord
from etl.registry.product import Product

__all__ = ["DISCLOSURE_HEADERS", "DisclosureEntry", "disclosure", "render"]

#: Field → header of the disclosure (Chinese first, for the public it is published to).
DISCLOSURE_HEADERS: dict[str, str] = {
    "product": "产品编号 product",
    "title": "产品名称 title",
    "consumer_name": "被授权单位 consumer",
    "consumer_uscc": "统一社会信用代码 USCC",
    "purpose": "用途 purpose",
    "document": "授权文号 document",
    "authorised_on": "授权日期 authorised on",
    "tables": "数据来源 tables",
    "columns": "字段 columns",
    "expires": "有效期至 expires",
    "releases": "年度交付次数 releases",
    "rows": "年度交付行数 rows",
}


@dataclass(frozen=True)
class DisclosureEntry:
    """One product's line of a year's disclosure."""

    product: str
    title: str
    consumer_name: str
    consumer_uscc: str
    purpose: str
    document: str
    authorised_on: date
    tables: tuple[str, ...]
    columns: tuple[str, ...]
    expires: date
    releases: int
    rows: int

    def cells(self) -> list[str | int]:
        """The entry's cells in :data:`DISCLOSURE_HEADERS` order (lists joined with ``、``)."""
        values = asdict(self)
        return [_cell(values[name]) for name in DISCLOSURE_HEADERS]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        values = asdict(self)
        return {
            k: v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v
            for k, v in values.items()
        }


def _cell(value: object) -> str | int:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "、".join(str(v) for v in value)
    return value if isinstance(value, int) else str(value)


def _in_force(product: Product, year: int) -> bool:
    return product.authorisation.date <= date(year, 12, 31) and product.expires >= date(year, 1, 1)


def disclosure(
    products: Iterable[Product], records: Sequence[ReleaseRecord], year: int
) -> list[DisclosureEntry]:
    """The disclosure of ``year``: products in force or released that year, by id.

    Releases are counted once per release id, by the day they were released for.
    """
    released: dict[str, dict[str, int]] = {}
    for record in records:
        if record.released and record.logical_date.year == year:
            released.setdefault(record.product, {})[record.release_id] = record.rows or 0
    entries = []
    for product in sorted(products, key=lambda p: p.id):
        counted = released.get(product.id, {})
        if not counted and not _in_force(product, year):
            continue
        entries.append(
            DisclosureEntry(
                product=product.id,
                title=product.title,
                consumer_name=product.consumer.name,
                consumer_uscc=product.consumer.uscc,
                purpose=product.purpose,
                document=product.authorisation.document,
                authorised_on=product.authorisation.date,
                tables=tuple(f"{s.name} ({s.zone})" for s in product.sources),
                columns=product.read_columns,
                expires=product.expires,
                releases=len(counted),
                rows=sum(counted.values()),
            )
        )
    return entries


def _markdown_cell(value: str | int) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render(entries: Sequence[DisclosureEntry], year: int, fmt: str) -> str:
    """The disclosure as ``md`` (a titled table), ``csv`` (with a BOM for Excel) or ``json``."""
    if fmt == "json":
        document = {"year": year, "products": [e.to_dict() for e in entries]}
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    headers = list(DISCLOSURE_HEADERS.values())
    if fmt == "csv":  # the BOM makes Chinese Excel read it as UTF-8
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows(e.cells() for e in entries)
        return "\ufeff" + out.getvalue()
    lines = [
        f"# {year} 年度公共数据授权运营情况 Authorised data products, {year}",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    lines += ["| " + " | ".join(_markdown_cell(c) for c in e.cells()) + " |" for e in entries]
    if not entries:
        lines.append(f"\n{year} 年无授权运营产品 no product was authorised or released in {year}.")
    return "\n".join(lines) + "\n"
