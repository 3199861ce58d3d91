"""Read curated tables through the Delta log, with time travel, for a granted caller."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake.exceptions import DeltaError, TableNotFoundError

from etl.audit import Action
from etl.errors import ConfigError
from etl.lake import delta
from etl.lake.delta import PARTITION_COLUMN
from etl.read.access import registry_of, table_ref
from etl.read.trail import record_read
from etl.settings import Settings
from etl.zones import Zone

log = logging.getLogger(__name__)

AsOf = int | datetime | str | None


def read(
    dataset: str,
    zone: str = Zone.SHARED,
    date: date | str | None = None,
    columns: list[str] | None = None,
    as_of: AsOf = None,
    *,
    settings: Settings | None = None,
) -> pa.Table:
    """Read one curated table of a registered dataset as an Arrow table.

    The files come from the Delta log (never a glob), so a re-run date is counted once.

    Args:
        dataset: the registry id, e.g. ``"household_register"``.
        zone: ``"shared"`` (default), ``"open"``, ``"restricted"`` or ``"quarantine"``.
        date: only this logical date (``_logical_date``), as a ``date`` or ``"YYYY-MM-DD"``.
        columns: only these columns, in this order (pipeline columns such as ``_run_id`` too).
        as_of: time travel: a Delta version (``int``) or an instant (``datetime`` or ISO-8601
            string, naive means UTC); None for the latest version.
        settings: where the lake, registry and access file are and the caller's clearance
            request; default :meth:`Settings.from_env`.

    Returns:
        The rows.

    Raises:
        AccessDenied: no active grant of the caller covers the table, or it is beyond the
            caller's clearance request (``PUBDATA_CLEARANCE``).
        PolicyError: a named principal's secret is wrong (``PUBDATA_PRINCIPAL``).
        ConfigError: unknown dataset, zone or column; no such table yet; bad ``as_of``.
    """
    settings = settings or Settings.from_env()
    spec = registry_of(settings).get(dataset)
    ref = table_ref(settings, spec, zone)
    try:
        source = delta.dataset(ref.uri, as_of)
    except TableNotFoundError:
        raise ConfigError(
            f"dataset {dataset} has no {zone} table yet at {ref.uri} (has it run?)"
        ) from None
    except (ValueError, DeltaError) as exc:
        raise ConfigError(f"cannot read {dataset} {zone} as of {as_of!r}: {exc}") from None
    names = source.schema.names
    if columns is not None:
        unknown = [c for c in columns if c not in names]
        if unknown:
            raise ConfigError(
                f"dataset {dataset} ({zone}) has no column {unknown[0]!r}; it has {names}"
            )
    condition = None
    if date is not None:
        day = _day(date)
        condition = pc.field(PARTITION_COLUMN) == pa.scalar(day, pa.date32())
    table = source.to_table(columns=columns, filter=condition)
    record_read(
        settings, Action.READ, (ref.sql_name,), columns=table.column_names, rows=table.num_rows
    )
    log.info("read %d rows of %s (%s)", table.num_rows, dataset, zone)
    return table


def to_pandas(
    dataset: str,
    zone: str = Zone.SHARED,
    date: date | str | None = None,
    columns: list[str] | None = None,
    as_of: AsOf = None,
    *,
    settings: Settings | None = None,
) -> Any:
    """:func:`read`, as a pandas DataFrame (same arguments and errors)."""
    return read(dataset, zone, date, columns, as_of, settings=settings).to_pandas()


def versions(
    dataset: str, zone: str = Zone.SHARED, *, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """The commits of one table, newest first: version, time, operation and pubdata metadata.

    Raises:
        AccessDenied: the caller is not granted the table (see :func:`read`).
        ConfigError: unknown dataset or zone, or no table yet.
    """
    settings = settings or Settings.from_env()
    ref = table_ref(settings, registry_of(settings).get(dataset), zone)
    try:
        commits = delta.history(ref.uri)
    except TableNotFoundError:
        raise ConfigError(f"dataset {dataset} has no {zone} table yet at {ref.uri}") from None
    return [
        {
            "version": c.get("version"),
            "timestamp": datetime.fromtimestamp(int(c["timestamp"]) / 1000, tz=UTC)
            if c.get("timestamp") is not None
            else None,
            "operation": c.get("operation"),
            **{k: v for k, v in c.items() if k.startswith("pubdata.")},
        }
        for c in commits
    ]


def _day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}") from None
