"""Which table a caller may read: the one gate every read of a zone table goes through.

A caller is a principal (:func:`etl.access.current_principal`): the pipeline's own OS user,
a named principal, or another OS user, with the grants the access file gives it. A table is
read only when :func:`granted_tables` lets it through: the caller's grants cover its zone,
domain and dataset, and its clearance request (``PUBDATA_CLEARANCE``, ``open`` < ``shared`` <
``restricted``) is not narrower than its zone. Quarantine tables hold raw rows and count as
restricted. ``_meta`` tables hold no data values; they are open to any caller with an active
grant (:func:`etl.access.decide.may_read_meta`).

:func:`granted_tables` is the single place where reads are decided, for ``etl.read``,
``pubdata sql``, the integrated repositories' commands and the row trace: whatever must
happen on every read (the access log) belongs there.

The integrated repositories' tables (:mod:`etl.integrate`) are read like a dataset's, in the
SQL schema :data:`INTEGRATED_SCHEMA`: ``restricted.integrated.<domain>_<table>`` for the
records, candidates and conflicts, ``shared.integrated.<domain>_records`` for the protected
current records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from etl.access import AccessDenied, Principal, TableScope, current_principal, refusal
from etl.access.decide import may_read_meta
from etl.audit import record_refusal
from etl.errors import ConfigError
from etl.lake import delta
from etl.lake.layout import (
    AUDIT_TABLES,
    INTEGRATED_TABLES,
    Lake,
    integrated_table_uri,
    published_zones,
    quarantine_table_uri,
    zone_table_uri,
)
from etl.local_time import today
from etl.registry import Dataset, Registry, load_registry
from etl.registry.loader import domain_ids
from etl.settings import Settings
from etl.zones import QUARANTINE, TableZone, Zone, storage_zone, table_zone

#: The SQL schema (the name's middle part) of the integrated repositories' tables.
INTEGRATED_SCHEMA = "integrated"


@dataclass(frozen=True)
class TableRef:
    """One curated, quarantine or integrated table.

    Attributes:
        dataset: the registry id (an integrated table: ``<domain>_<table>``).
        zone: ``open``, ``shared``, ``restricted`` or ``quarantine``.
        domain: the dataset's domain (an integrated table: :data:`INTEGRATED_SCHEMA`).
        uri: where the Delta table lives.
        repository: an integrated table's repository (domain) id; None for a dataset's.
    """

    dataset: str
    zone: TableZone
    domain: str
    uri: str
    repository: str | None = None

    @property
    def sql_name(self) -> str:
        """Its name in ``pubdata sql``, e.g. ``shared.population.household_register``."""
        if self.zone == QUARANTINE:
            return f"{Zone.RESTRICTED}.{self.domain}.{self.dataset}__{QUARANTINE}"
        return f"{self.zone}.{self.domain}.{self.dataset}"

    @property
    def scope(self) -> TableScope:
        """What grants are matched against (an integrated table: its repository, no dataset)."""
        if self.repository is not None:
            return TableScope(self.sql_name, self.zone, self.repository, None)
        return TableScope(self.sql_name, self.zone, self.domain, self.dataset)

    @property
    def merges_changes(self) -> bool:
        """Whether it is read with its changes table (:mod:`etl.lake.merge_on_read`).

        A repository's restricted tables are. The changes table is part of its base table: read
        under the base's grants and name, never a table (nor an access file entry) of its own.
        """
        return self.repository is not None and self.zone == Zone.RESTRICTED


@dataclass(frozen=True)
class Granted:
    """What one read may open, as :func:`granted_tables` decided it.

    Attributes:
        principal: who is reading.
        tables: the tables it may read, in the order asked.
        refused: the tables it may not, with why (one line each: principal and table).
        meta: the ``_meta`` tables it may read (of those asked).
    """

    principal: Principal
    tables: tuple[TableRef, ...]
    refused: dict[TableRef, str] = field(default_factory=dict)
    meta: tuple[str, ...] = ()


def caller(settings: Settings, principal: Principal | None = None) -> Principal:
    """The principal reading: ``principal`` when given (a UI request's), else this process's.

    Raises:
        PolicyError: a named principal with a wrong secret, or an unsafe access file.
        ConfigError: an invalid access file.
    """
    return principal if principal is not None else current_principal(settings)


def granted_tables(
    settings: Settings,
    refs: Sequence[TableRef],
    *,
    strict: bool,
    meta: Sequence[str] = (),
    principal: Principal | None = None,
) -> Granted:
    """THE gate: decide which of ``refs`` (and ``_meta`` tables) the caller may read now.

    Every read of a zone table by or for a caller passes here once per read (a ``pubdata sql``
    connection, an ``etl.read.read`` call, an integrated repository's command); the access log
    of reads is to be recorded here. The pipeline's own steps write and read as the pipeline
    and do not pass here.

    Args:
        settings: the lake, the access file, the clearance request and the timezone.
        refs: the tables the read would open.
        strict: refuse the whole read when one table is refused (an explicit table); else
            drop refused tables (a listing such as ``pubdata sql``'s views).
        meta: ``_meta`` table names the read would open; let through only to a caller with an
            active grant (or the pipeline).
        principal: the caller when already known (a UI request's); default: this process's.

    Returns:
        What the read may open, and what it may not and why.

    Raises:
        AccessDenied: ``strict`` and a table is refused (one line: principal and table).
        PolicyError: the caller cannot be established (see :func:`caller`).
    """
    granted = _decide(settings, caller(settings, principal), refs, meta)
    if strict and granted.refused:
        beyond = granted_refusals(settings, granted)
        if beyond:  # the grants refused, not the caller's own narrower request
            record_refusal(settings, granted.principal.name, beyond)
        raise AccessDenied(next(iter(granted.refused.values())))
    return granted


def granted_refusals(settings: Settings, granted: Granted) -> list[str]:
    """The refused tables the caller's clearance request covers: what its grants refused."""
    return [
        ref.sql_name for ref in granted.refused if settings.clearance.covers(storage_zone(ref.zone))
    ]


def _decide(
    settings: Settings, who: Principal, refs: Sequence[TableRef], meta: Sequence[str] = ()
) -> Granted:
    """The decision alone (no read follows: listings and questions use it directly)."""
    day = today(settings.zone)
    allowed: list[TableRef] = []
    refused: dict[TableRef, str] = {}
    for ref in refs:
        reason = refusal(who, ref.scope, settings.clearance, day)
        if reason is None:
            allowed.append(ref)
        else:
            refused[ref] = reason
    metas = tuple(meta) if may_read_meta(who, day) else ()
    if not who.is_pipeline:  # who read what is the pipeline's (the audit's) to read
        metas = tuple(m for m in metas if m.removeprefix("_meta.") not in AUDIT_TABLES)
    return Granted(who, tuple(allowed), refused, metas)


def authorized_ref(
    settings: Settings, ref: TableRef, *, principal: Principal | None = None
) -> TableRef:
    """``ref``, once :func:`granted_tables` let the caller read it.

    Raises:
        AccessDenied: no active grant covers it, or it is beyond ``PUBDATA_CLEARANCE``.
    """
    return granted_tables(settings, [ref], strict=True, principal=principal).tables[0]


def why_not(settings: Settings, ref: TableRef, principal: Principal | None = None) -> str | None:
    """Why the caller could not read ``ref``; None: it could (a question: nothing is opened).

    Used to choose between two ways of answering (a repository's restricted records, or its
    shared protected copy) and to refuse early; the read itself then goes through
    :func:`granted_tables`.
    """
    refused = _decide(settings, caller(settings, principal), [ref]).refused
    return refused.get(ref)


def may_read(settings: Settings, ref: TableRef, principal: Principal | None = None) -> bool:
    """Whether the caller could read ``ref`` (see :func:`why_not`)."""
    return why_not(settings, ref, principal) is None


def registry_of(settings: Settings) -> Registry:
    """The registry the reader maps dataset ids to domains and zones with.

    Raises:
        ConfigError: the registry folder does not exist (a reader installed on its own has no
            default one: ``PUBDATA_REGISTRY`` names the ``datasets/`` folder of the project).
    """
    if not settings.registry.is_dir():
        raise ConfigError(
            f"registry folder {settings.registry} does not exist; set PUBDATA_REGISTRY to the "
            "datasets/ folder of the pubdata repository"
        )
    return load_registry(settings.registry)


def parse_zone(name: str) -> TableZone:
    """The zone named (``open``, ``shared``, ``restricted`` or ``quarantine``).

    Raises:
        ConfigError: not a zone's name.
    """
    try:
        return table_zone(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def locate(settings: Settings, dataset: Dataset, name: str) -> TableRef:
    """Where one table of a dataset lives (neither access nor existence is checked).

    Raises:
        ConfigError: an unknown zone, or one this dataset does not publish to.
    """
    zone = parse_zone(name)
    if zone == QUARANTINE:
        uri = quarantine_table_uri(settings, dataset.domain, dataset.id)
    else:
        if zone not in published_zones(dataset):
            zones = ", ".join(published_zones(dataset))
            raise ConfigError(f"dataset {dataset.id} has no {zone} table (it publishes to {zones})")
        uri = zone_table_uri(settings, zone, dataset.domain, dataset.id)
    return TableRef(dataset=dataset.id, zone=zone, domain=dataset.domain, uri=uri)


def table_ref(
    settings: Settings, dataset: Dataset, name: str, *, principal: Principal | None = None
) -> TableRef:
    """Locate one table of a dataset for a read, once the caller is granted it.

    Raises:
        AccessDenied: the caller may not read it (no active grant, or beyond its clearance).
        ConfigError: an unknown zone, or one this dataset does not publish to.
    """
    return authorized_ref(settings, locate(settings, dataset, name), principal=principal)


def integrated_ref(domain: str, table: str, zone: Zone, lake: Lake) -> TableRef:
    """One table of an integrated repository (``<zone>.integrated.<domain>_<table>``)."""
    uri = integrated_table_uri(lake, domain, table, zone)
    return TableRef(f"{domain}_{table}", zone, INTEGRATED_SCHEMA, uri, repository=domain)


def dataset_tables(settings: Settings, datasets: list[Dataset]) -> list[TableRef]:
    """Every table these datasets may have (published zones and quarantine), unchecked.

    Whether each exists is asked only of the tables granted (:func:`existing`): a reader's
    keys may not reach the others' store at all.
    """
    refs = []
    for ds in datasets:
        zones: tuple[TableZone, ...] = (*published_zones(ds), QUARANTINE)
        refs += [locate(settings, ds, zone) for zone in zones]
    return refs


def integrated_tables(settings: Settings, domains: list[str]) -> list[TableRef]:
    """Every table these integrated repositories may have, unchecked (see :func:`existing`).

    Named ``<zone>.integrated.<domain>_<table>`` (:attr:`TableRef.sql_name`): the restricted
    records, candidates and conflicts, and the shared zone's protected current records.
    """
    places = [(Zone.RESTRICTED, t) for t in INTEGRATED_TABLES] + [(Zone.SHARED, "records")]
    return [
        integrated_ref(domain, table, zone, settings)
        for domain in domains
        for zone, table in places
    ]


def existing(refs: Sequence[TableRef]) -> list[TableRef]:
    """The tables of ``refs`` that exist (ask it only of tables the caller is granted)."""
    return [ref for ref in refs if delta.table_exists(ref.uri)]


def readable_tables(
    settings: Settings, datasets: list[Dataset], principal: Principal | None = None
) -> list[TableRef]:
    """Every existing table of these datasets that the caller is granted (a listing, no read)."""
    refs = dataset_tables(settings, datasets)
    return existing(_decide(settings, caller(settings, principal), refs).tables)


def repository_ids(registry: Registry) -> list[str]:
    """The integrated repositories the registry's domain files declare."""
    return domain_ids(registry.root)
