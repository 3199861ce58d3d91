"""``pubdata sql``: DuckDB over the lake, offline, within the caller's grants.

Every table the caller is granted (:func:`etl.read.access.granted_tables`) is a view named
``<zone>.<domain>.<dataset>`` (DuckDB catalog ``<zone>``, schema ``<domain>``), quarantine tables
are ``restricted.<domain>.<dataset>__quarantine``, the integrated repositories' tables are
``<zone>.integrated.<domain>_<table>`` (:func:`etl.read.access.integrated_tables`), and the
``_meta`` tables are ``_meta.<table>`` (for a caller with an active grant). Views sit over Arrow
datasets built from the Delta log with a native filesystem, so DuckDB needs no extension and no
network. Time travel picks each view's version: every table as of one instant (``as_of``), or
one table at a Delta version (``pinned``). A repository's restricted table is a view resolving
its base and its changes table (:mod:`etl.lake.merge_on_read`), both as of the same point.

Two locks keep a query inside what is registered. Only one read-only statement is run (a
``SELECT``, which includes ``WITH``, ``DESCRIBE``, ``SHOW`` and ``SUMMARIZE``): ``SET``,
``PRAGMA``, ``ATTACH``, ``COPY``, ``EXPORT``, ``INSTALL``/``LOAD``, ``CALL`` and DDL are refused by
kind before anything runs. And external access (``read_parquet``, ``read_csv``, ``glob``, files
by path, ...) is switched off with the configuration locked, so even a query cannot reach a
table outside the caller's grants by its path, nor write a file.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa

from etl.audit import Action, record_refusal
from etl.errors import ConfigError, PolicyError
from etl.lake import META_TABLES, delta, merge_on_read, meta_table_uri
from etl.read.access import (
    TableRef,
    dataset_tables,
    existing,
    granted_refusals,
    granted_tables,
    integrated_tables,
    registry_of,
    repository_ids,
)
from etl.read.trail import record_read, token_literals
from etl.settings import Settings
from etl.zones import CLEARANCES

log = logging.getLogger(__name__)

#: Errors whose messages quote only the query and catalog names, never a value of the data.
_QUOTABLE = (
    duckdb.ParserException,
    duckdb.CatalogException,
    duckdb.BinderException,
    duckdb.PermissionException,
)

_OFFLINE = (
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    # a table name resolves to what is registered, never to a Python object in scope
    "SET python_enable_replacements = false",
)
#: The statement kinds a reader may run: queries.
_READ_ONLY = frozenset({duckdb.StatementType.SELECT})


@dataclass(frozen=True)
class Catalog:
    """What a connection exposes: table names (``zone.domain.dataset``) and ``_meta`` tables.

    Attributes:
        tables: the views of the tables the caller is granted.
        meta: the ``_meta`` views.
        principal: who the connection reads as.
        withheld: how many existing tables the caller's grants do not cover.
    """

    tables: tuple[str, ...]
    meta: tuple[str, ...]
    principal: str = ""
    withheld: int = 0
    refused: tuple[str, ...] = ()


def connect(
    settings: Settings,
    as_of: datetime | None = None,
    pinned: Mapping[str, int] | None = None,
) -> tuple[Any, Catalog]:
    """An in-memory DuckDB connection with the tables the caller is granted, as views.

    Args:
        settings: the lake, registry and clearance.
        as_of: time travel: every table as it was at this instant (naive means UTC); a table
            created later is not there.
        pinned: time travel per table: its SQL name (``shared.population.household_register``,
            ``_meta.lineage_runs``) to the Delta version to read; wins over ``as_of``.

    Returns:
        The connection (``duckdb.DuckDBPyConnection``) and what it exposes.

    Raises:
        ConfigError: a pinned table is not one the caller can query, or has no such version;
            the registry folder does not exist.
        PolicyError: the caller cannot be established (a named principal's wrong secret).
    """
    pinned = dict(pinned or {})
    registry = registry_of(settings)
    every = dataset_tables(settings, list(registry.datasets.values()))
    every += integrated_tables(settings, repository_ids(registry))
    metas = {f"_meta.{t}": meta_table_uri(settings.lake, t) for t in META_TABLES}
    metas = {name: uri for name, uri in metas.items() if delta.table_exists(uri)}
    granted = granted_tables(settings, every, strict=False, meta=list(metas))
    refs = existing(granted.tables)
    metas = {name: metas[name] for name in granted.meta}
    unknown = sorted(set(pinned) - {ref.sql_name for ref in refs} - set(metas))
    if unknown:
        raise ConfigError(
            f"--table-version names {unknown[0]}, which is not a table you can query "
            "(`pubdata sql --tables` lists them)"
        )
    # None: the table did not exist yet at ``as_of``
    tables = {ref: _at(ref.uri, ref.sql_name, as_of, pinned, ref.merges_changes) for ref in refs}
    meta = {name: _at(uri, name, as_of, pinned) for name, uri in metas.items()}
    refused = granted_refusals(settings, granted)
    con = duckdb.connect(":memory:")
    for statement in _OFFLINE:
        con.execute(statement)
    for zone in CLEARANCES[: CLEARANCES.index(settings.clearance) + 1]:
        con.execute(f"ATTACH ':memory:' AS \"{zone}\"")
    schemas: set[tuple[str, str]] = set()
    visible = [ref.sql_name for ref, source in tables.items() if source is not None]
    for ref, source in tables.items():
        if source is not None:
            _register(con, ref, schemas, source)
    con.execute('CREATE SCHEMA "_meta"')
    for name, source in meta.items():
        if source is not None:
            table = name.removeprefix("_meta.")
            con.register(f"__meta_{table}", source.base_files)
            con.execute(f'CREATE VIEW "_meta"."{table}" AS SELECT * FROM "__meta_{table}"')
    # From here on the query can reach only what is registered above.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con, Catalog(
        tables=tuple(sorted(visible)),
        meta=tuple(name for name, source in meta.items() if source is not None),
        principal=granted.principal.name,
        # refused by the grants, not by the caller's own clearance request
        withheld=len(refused),
        refused=tuple(refused),
    )


def _at(
    uri: str,
    name: str,
    as_of: datetime | None,
    pinned: Mapping[str, int],
    changes: bool = False,
) -> merge_on_read.Opened | None:
    """The table's files: at its pinned version, else now or at ``as_of``.

    Args:
        uri: the table.
        name: its SQL name (what ``pinned`` names).
        as_of: the instant (None: now).
        pinned: SQL name to Delta version.
        changes: a merge-on-read table: its changes table's files too, as of the same point
            (a pinned version: as of that version's commit).

    Returns:
        The files, or None when the table did not exist yet at ``as_of``.

    Raises:
        ConfigError: the table has no pinned version of that number.
    """
    if name in pinned:
        try:
            return _open(uri, pinned[name], changes)
        except ValueError as exc:
            raise ConfigError(f"{name}: {exc}") from None
    if as_of is None:
        return _open(uri, None, changes)
    try:
        return _open(uri, as_of, changes)
    except ValueError:  # created after the instant
        return None


def _open(uri: str, as_of: delta.AsOf, changes: bool) -> merge_on_read.Opened:
    """The table as of ``as_of``; with its changes table when ``changes`` (else none)."""
    if changes:
        return merge_on_read.open_at(uri, as_of)
    table = delta.open_table(uri, as_of)
    return merge_on_read.Opened(table, delta.snapshot_dataset(table, uri), None)


def _register(
    con: Any, ref: TableRef, schemas: set[tuple[str, str]], source: merge_on_read.Opened
) -> None:
    """Register one table's files as the view ``<zone>.<domain>.<dataset>``.

    A table with changes is registered as two hidden relations (the base, and its changes
    under the base's name with :data:`~etl.lake.merge_on_read.SUFFIX`) and the view resolves
    them (:func:`etl.lake.merge_on_read.sql`).
    """
    catalog, schema, name = ref.sql_name.split(".")
    if (catalog, schema) not in schemas:
        con.execute(f'CREATE SCHEMA "{catalog}"."{schema}"')
        schemas.add((catalog, schema))
    hidden = "__t_" + ref.sql_name.replace(".", "__")
    con.register(hidden, source.base_files)
    body = f'SELECT * FROM "{hidden}"'
    if source.changes is not None:
        changes = hidden + merge_on_read.SUFFIX
        con.register(changes, source.changes)
        entity = merge_on_read.entity_column(source.changes.schema)
        body = merge_on_read.sql(hidden, changes, entity, merge_on_read.merged_through(source.base))
    con.execute(f'CREATE VIEW "{catalog}"."{schema}"."{name}" AS {body}')


def query(
    settings: Settings,
    sql: str,
    as_of: datetime | None = None,
    pinned: Mapping[str, int] | None = None,
) -> pa.Table:
    """Run one SQL query over the caller's tables and return the result.

    Args:
        settings: the lake, registry and clearance.
        sql: the query.
        as_of: time travel: the tables as they were at this instant (see :func:`connect`).
        pinned: time travel per table: SQL name to Delta version (see :func:`connect`).

    Returns:
        The result as an Arrow table.

    Raises:
        PolicyError: not one read-only query (see :func:`_check_read_only`).
        ConfigError: the query is invalid or names a table the caller cannot see; the message
            quotes DuckDB's parser/catalog/binder message, and for any other error only its
            class (conversion errors can quote values of the data).
    """
    _check_read_only(sql, settings)  # before any table is registered
    con, catalog = connect(settings, as_of, pinned)
    try:
        table: pa.Table = con.sql(sql).to_arrow_table()
    except _QUOTABLE as exc:
        first = _first_line(exc)
        hidden = CLEARANCES[CLEARANCES.index(settings.clearance) + 1 :]
        if isinstance(exc, duckdb.CatalogException) and any(z in first for z in hidden):
            first += (
                f" (cleared for {settings.clearance}: {', '.join(hidden)} tables are not visible)"
            )
        elif isinstance(exc, duckdb.CatalogException) and as_of is not None:
            first += (
                f" (as of {as_of.isoformat()} only the tables that existed then are visible;"
                " `pubdata sql --tables --as-of …` lists them)"
            )
        elif isinstance(exc, duckdb.CatalogException) and catalog.withheld:
            named = _tables_named(sql, set(catalog.refused))
            if named:  # a query naming tables its grants refused: an attempt the log keeps
                record_refusal(settings, catalog.principal, named)
            first += (
                f" ({catalog.withheld} tables are not granted to {catalog.principal} and not "
                "visible; `pubdata access whoami` shows the grants)"
            )
        raise ConfigError(f"query failed: {first}") from None
    except duckdb.Error as exc:
        raise ConfigError(
            f"query failed: {type(exc).__name__} (message withheld: it may quote data values)"
        ) from None
    finally:
        con.close()
    record_read(
        settings,
        Action.SQL,
        _tables_named(sql, {*catalog.tables, *catalog.meta}),
        columns=table.column_names,
        rows=table.num_rows,
        token_lookups=token_literals(sql),
    )
    return table


def _tables_named(sql: str, known: set[str]) -> list[str]:
    """The caller's tables a query names (by DuckDB's parser), in a stable order."""
    named = set()
    for name in duckdb.get_table_names(sql, qualified=True):
        plain = name.split(" AS ")[0].replace('"', "")
        if plain in known:
            named.add(plain)
    return sorted(named)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check_read_only(sql: str, settings: Settings) -> None:
    """Refuse anything but one query, by statement kind, before it runs.

    Raises:
        PolicyError: more than one statement, or a statement that is not a query.
        ConfigError: the text does not parse (DuckDB's parser message).
    """
    parser = duckdb.connect(":memory:")
    try:
        statements = parser.extract_statements(sql)
    except duckdb.ParserException as exc:
        raise ConfigError(f"query failed: {_first_line(exc)}") from None
    finally:
        parser.close()
    if len(statements) != 1:
        raise PolicyError(f"pubdata sql runs one query at a time; this text has {len(statements)}")
    kind = statements[0].type
    if kind not in _READ_ONLY:
        raise PolicyError(
            f"pubdata sql runs read-only queries (SELECT, WITH, DESCRIBE, SHOW, SUMMARIZE): "
            f"{kind.name} statements are refused at every clearance "
            f"(this caller is cleared for {settings.clearance})"
        )
