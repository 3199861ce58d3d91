"""Release one product for one day: read, shape, gate, re-key, write atomically, record.

:func:`release` reads each source table at its current Delta version (through :mod:`etl.read`
for datasets), applies the product's filters, columns and aggregation, runs the gate
(:mod:`etl.products.gate`), re-keys token columns for the consumer
(:mod:`etl.products.tokens`), and writes one Parquet file per source and ``manifest.json`` into
``<destination>/<release id>/``: first into a hidden folder beside it, then renamed, so a reader
never sees half a release. Every attempt is recorded in ``_meta.product_releases`` (a refusal with
its one line). A release is made once per product and day: calling again returns the release
already written.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake.exceptions import TableNotFoundError

from etl.audit import Action
from etl.errors import ConfigError, PolicyError
from etl.integrate import DomainRegistry, load_domains
from etl.lake import delta
from etl.lake.layout import integrated_table_uri, zone_table_uri
from etl.lineage.meta import append_rows
from etl.products import gate
from etl.products.columns import SourceFacts, source_facts
from etl.products.manifest import MANIFEST_FILE, Release, ReleasedFile, SourceVersion, file_sha256
from etl.products.paths import destination, release_id
from etl.products.shape import aggregate, apply_filters
from etl.products.tokens import rekey
from etl.protect.keys import TokenKey, load_token_key
from etl.read import read
from etl.read.trail import record_read
from etl.registry import Registry, load_registry
from etl.registry.product import Product, Source
from etl.settings import Settings
from etl.zones import Zone

__all__ = ["destination", "release", "release_id"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Read:
    """One source table read: its version, facts and the rows the product keeps of it."""

    version: SourceVersion
    facts: SourceFacts
    rows: pa.Table


def _uri(settings: Settings, source: Source, registry: Registry) -> str:
    if source.dataset is not None:
        dataset = registry.get(source.dataset)
        return zone_table_uri(settings, Zone(source.zone), dataset.domain, dataset.id)
    return integrated_table_uri(settings, str(source.repository), "records", Zone.SHARED)


def _read_source(
    settings: Settings, product: Product, source: Source, registry: Registry, uri: str
) -> tuple[int, pa.Table]:
    """The source's current version and the columns the product reads, at that version."""
    version = delta.version(uri)
    if version is None:
        raise ConfigError(f"product {product.id}: source {source.name} has no table yet at {uri}")
    columns = list(product.read_columns)
    try:
        if source.dataset is not None:
            rows = read(
                source.dataset, source.zone, columns=columns, as_of=version, settings=settings
            )
        else:
            rows = delta.read(uri, columns=columns, version=version)
    except (TableNotFoundError, ValueError) as exc:
        raise ConfigError(f"product {product.id}: cannot read {source.name}: {exc}") from None
    return version, rows


def _rekeyed(rows: pa.Table, facts: SourceFacts, key: TokenKey, uscc: str) -> pa.Table:
    """``rows`` with every token column re-keyed for the consumer."""
    for index, name in enumerate(rows.column_names):
        if facts.column(name).tokenized:
            field = rows.schema.field(index)
            rows = rows.set_column(index, field, rekey(rows[name], key, uscc))
    return rows


def _record(settings: Settings, row: dict[str, object], once: tuple[str, int] | None) -> None:
    append_rows(settings.lake, "product_releases", [row], once)


def _refusal(
    settings: Settings, product: Product, day: date, error: str, checks: Sequence[gate.GateCheck]
) -> None:
    _record(
        settings,
        {
            "release_id": release_id(product, day),
            "product": product.id,
            "consumer_uscc": product.consumer.uscc,
            "consumer_name": product.consumer.name,
            "logical_date": day,
            "status": "refused",
            "error": error,
            "destination": str(destination(settings, product)),
            "k": product.k,
            "gate": json.dumps([c.to_dict() for c in checks], ensure_ascii=False),
            "created_at": datetime.now(UTC),
        },
        None,
    )


def _recorded(settings: Settings, done: Release) -> None:
    """Record a written release in ``_meta.product_releases`` (once per release id)."""
    _record(
        settings,
        {
            "release_id": done.release_id,
            "product": done.product,
            "consumer_uscc": done.consumer_uscc,
            "consumer_name": done.consumer_name,
            "logical_date": done.logical_date,
            "status": "released",
            "destination": str(done.path.parent),
            "files": len(done.files),
            "rows": done.rows,
            "k": done.k,
            "suppressed_cells": done.suppressed_cells,
            "source_versions": json.dumps([vars(s) for s in done.sources], ensure_ascii=False),
            "gate": json.dumps([c.to_dict() for c in done.gate], ensure_ascii=False),
            "manifest_sha256": file_sha256(done.manifest_path),
            "created_at": done.created_at,
        },
        (f"pubdata.product_release:{done.release_id}", 1),
    )


def _record_release_access(
    settings: Settings, product: Product, registry: Registry, done: Release
) -> None:
    """Record the release in the access log before it is published (研判机制).

    Who released (this process's principal), to whom and why (the purpose names the product
    and its consumer), which tables and columns, how many rows. A release the log cannot
    record is not published (:class:`etl.read.trail.AccessNotRecorded`).
    """
    tables = []
    for source in product.sources:
        if source.dataset is not None:
            domain = registry.get(source.dataset).domain
            tables.append(f"{source.zone}.{domain}.{source.dataset}")
        else:
            tables.append(f"{Zone.SHARED}.integrated.{source.repository}_records")
    record_read(
        settings,
        Action.RELEASE,
        tables,
        columns=product.read_columns,
        rows=done.rows,
        origin=f"product {product.id} to {product.consumer.uscc}",
    )
    log.info(
        "release %s of product %s to consumer %s: %d file(s), %d row(s)",
        done.release_id,
        done.product,
        done.consumer_uscc,
        len(done.files),
        done.rows,
    )


def _shape(product: Product, read_: _Read, checks: list[gate.GateCheck]) -> tuple[pa.Table, int]:
    """The rows (or cells) to release of one source, with the number of cells suppressed."""
    filtered = apply_filters(product, read_.rows)
    if product.aggregation is None:
        released = filtered.select(list(product.columns))
        combination = gate.quasi_identifiers(product, read_.facts, released.column_names)
        checks.append(gate.k_anonymity_check(product, read_.facts.name, released, combination))
        return released, 0
    cells, counts = aggregate(product, filtered)
    kept, check, suppressed = gate.suppress_cells(product, read_.facts.name, cells, counts)
    checks.append(check)
    return kept, suppressed


def _write(folder: Path, tables: dict[str, tuple[str, pa.Table]]) -> tuple[ReleasedFile, ...]:
    files = []
    for source, (name, table) in tables.items():
        path = folder / name
        pq.write_table(table, path, compression="zstd")
        files.append(
            ReleasedFile(name, source, table.num_rows, file_sha256(path), path.stat().st_size)
        )
    return tuple(files)


def _publish(staged: Path, final: Path) -> bool:
    """Rename the staged folder into place; False when another call's release is there."""
    try:
        staged.rename(final)
    except OSError:
        if (final / MANIFEST_FILE).is_file():
            shutil.rmtree(staged, ignore_errors=True)
            return False
        raise
    return True


def release(
    settings: Settings,
    product: Product,
    *,
    day: date,
    registry: Registry | None = None,
    domains: DomainRegistry | None = None,
    key: TokenKey | str | None = None,
    today: date | None = None,
) -> Release:
    """Release ``product`` for ``day`` into its destination, or refuse with a one-line error.

    Args:
        settings: the lake, home and token key.
        product: the product (:func:`etl.products.load_products`).
        day: the day released for (one release per product and day).
        registry: the dataset registry; default: ``settings.registry`` loaded.
        domains: the domain files; default: those of ``registry``.
        key: the pipeline's token key (a DAG passes the one from its secrets backend); default
            :func:`etl.protect.keys.load_token_key` from ``settings``.
        today: the day the release is made (the CLI and the DAG pass the local day): once the
            product has expired on it, no release is made, not even for an earlier ``day``
            (its authorisation has ended). None: only ``day`` is judged.

    Returns:
        The release (``reused`` when the day's release was written before).

    Raises:
        PolicyError: the product expired, or the gate refused (ceiling, approval, k-anonymity);
            the message names the product and the column or combination, never a value.
        ConfigError: a source without a table or a published run, or a filter value that does
            not fit its column.
    """
    folder = destination(settings, product)
    final = folder / release_id(product, day)
    if (final / MANIFEST_FILE).is_file():
        done = Release.from_manifest(final)
        _recorded(settings, done)  # a no-op unless the first call died before recording it
        return done
    if product.expired(day) or (today is not None and product.expired(today)):
        message = (
            f"product {product.id} expired on {product.expires.isoformat()}; "
            f"no release for {day.isoformat()}"
        )
        _refusal(settings, product, day, message, ())
        raise PolicyError(message)
    registry = registry or load_registry(settings.registry)
    domains = domains or load_domains(registry)
    token_key = load_token_key(settings.home, settings.token_key, provided=key)
    checks: list[gate.GateCheck] = []
    reads: list[_Read] = []
    try:
        for source in product.sources:
            uri = _uri(settings, source, registry)
            schema = delta.schema(uri) if delta.table_exists(uri) else None
            facts = source_facts(settings.lake, source, registry, domains, schema)
            checks += [gate.ceiling_check(product, facts), gate.approval_check(product, facts)]
            gate.enforce(checks)
            version, rows = _read_source(settings, product, source, registry, uri)
            reads.append(_Read(SourceVersion(source.name, source.zone, uri, version), facts, rows))
        tables: dict[str, tuple[str, pa.Table]] = {}
        suppressed = 0
        for item in reads:
            shaped, dropped = _shape(product, item, checks)
            suppressed += dropped
            rows = _rekeyed(shaped, item.facts, token_key, product.consumer.uscc)
            tables[item.facts.name] = (f"{item.facts.name}.parquet", rows)
        gate.enforce(checks)
    except PolicyError as exc:
        _refusal(settings, product, day, str(exc), checks)
        raise
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{final.name}.{secrets.token_hex(4)}.tmp"
    staged.mkdir()
    try:
        done = Release(
            release_id=final.name,
            product=product.id,
            consumer_uscc=product.consumer.uscc,
            consumer_name=product.consumer.name,
            logical_date=day,
            created_at=datetime.now(UTC),
            path=final,
            files=_write(staged, tables),
            sources=tuple(r.version for r in reads),
            k=product.k,
            suppressed_cells=suppressed,
            gate=tuple(checks),
        )
        (staged / MANIFEST_FILE).write_text(done.manifest_text(), encoding="utf-8")
        _record_release_access(settings, product, registry, done)
        if not _publish(staged, final):
            return release(
                settings, product, day=day, registry=registry, domains=domains, key=key, today=today
            )
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    _recorded(settings, done)
    log.info("released %s: %d file(s), %d row(s)", done.release_id, len(done.files), done.rows)
    return done
