"""Reading an integrated repository: one entity's record, its lineage, and the correction lists.

What ``pubdata entity``, ``pubdata trace <domain>``, ``pubdata conflicts`` and the catalog's
conflict counts read. An entity is named by its raw key (an ID number or USCC as any department
writes it, or for legal entities the 组织机构代码 embedded in a known USCC: normalised by
:mod:`etl.integrate.keys`) or by its token (``<key_id>:...``, the keyed HMAC the shared zone
and the conflicts table carry). A raw key, and any value, needs a grant of the repository's
restricted tables (:func:`require_restricted`; for the pipeline's own user,
``PUBDATA_CLEARANCE=restricted``); a token alone reads the shared zone's protected copy of the
records, when there is one. Every table is opened through :func:`etl.read.access.granted_tables`.
Errors and messages never carry a key or a value.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from etl.access import AccessDenied
from etl.audit import Action
from etl.errors import ConfigError
from etl.extract.parts import SOURCE_FILE, SOURCE_ROW
from etl.extract.reserved import LOGICAL_DATE, RUN_ID
from etl.integrate.keys import OrgCodeLookup, org_code_keys, person_keys, uscc_keys
from etl.integrate.model import Domain
from etl.integrate.tables import (
    DATASET,
    IS_CURRENT,
    LINEAGE_PARTS,
    VALID_FROM,
    VALID_TO,
    as_of_filter,
    entity_tokens,
    lineage_column,
    read_integrated,
)
from etl.lake import delta
from etl.lake.layout import Lake
from etl.protect.keys import TokenKey, load_token_key
from etl.read.access import TableRef, authorized_ref, granted_tables, integrated_ref, why_not
from etl.read.trail import record_read
from etl.registry import Registry
from etl.settings import Settings
from etl.zones import Zone

__all__ = [
    "AttributeValue",
    "ConflictCount",
    "Correction",
    "EntityName",
    "EntityRecord",
    "SharedRecord",
    "conflict_counts",
    "corrections",
    "entity_name",
    "find_record",
    "require_restricted",
    "restricted_granted",
    "shared_record",
]

#: What separates a token's key id from its digest: no ID number, USCC or org code has one.
TOKEN_MARK = ":"


def _table(
    settings: Settings, domain: Domain, table: str, zone: Zone = Zone.RESTRICTED
) -> TableRef:
    return integrated_ref(domain.id, table, zone, settings)


def _pass_gate(settings: Settings, ref: TableRef, what: str) -> None:
    """Pass the gate before reading ``ref`` (a refusal names ``what``).

    Raises:
        AccessDenied: one line naming ``what``, the principal and the table.
    """
    try:
        authorized_ref(settings, ref)
    except AccessDenied as exc:
        raise AccessDenied(f"{what}: {exc}") from None


def restricted_granted(settings: Settings, domain: Domain) -> bool:
    """Whether the caller may read the repository's keys and values (its restricted records)."""
    return why_not(settings, _table(settings, domain, "records")) is None


def require_restricted(settings: Settings, domain: Domain, what: str) -> None:
    """Refuse ``what`` unless the caller may read the repository's restricted records.

    A question, not a read: the read that follows passes the gate itself.

    Raises:
        AccessDenied: one line naming ``what``, the principal and the table.
    """
    reason = why_not(settings, _table(settings, domain, "records"))
    if reason is not None:
        raise AccessDenied(f"{what}: {reason}")


@dataclass(frozen=True)
class EntityName:
    """How the caller named an entity: a canonical key, or a token (exactly one is set)."""

    key: str | None = None
    token: str | None = None


def _token_key(settings: Settings) -> TokenKey:
    return load_token_key(settings.home, settings.token_key)


def _known_keys(lake: Lake, domain: Domain) -> pa.Array:
    """Every key the repository's records hold (any version), each once."""
    column = read_integrated(lake, domain, "records", columns=[domain.key.name]).column(0)
    return pc.unique(column.combine_chunks().cast(pa.string()))


def entity_name(settings: Settings, domain: Domain, text: str) -> EntityName:
    """Read the entity the caller named: a token as given, a raw key normalised.

    A person's key is an ID number (15-digit legacy numbers, lower-case ``x`` and full-width
    digits accepted); a legal entity's a USCC or the 组织机构代码 embedded in the USCC of a
    known entity.

    Raises:
        PolicyError: a raw key without restricted clearance.
        ConfigError: neither a token nor a valid key (the message does not repeat the input).
    """
    given = text.strip()
    invalid = ConfigError(
        f"not a valid {domain.key.title} of {domain.id}, nor a token (<key_id>:...)"
    )
    try:
        given.encode("utf-8")
    except UnicodeEncodeError:  # bytes the terminal's encoding could not decode (argv)
        raise invalid from None
    if TOKEN_MARK in given:
        return EntityName(token=given)
    require_restricted(settings, domain, f"naming a {domain.id} entity by its {domain.key.title}")
    one = pa.array([given], pa.string())
    if domain.entity == "person":
        key = person_keys(one)[0].as_py()
    else:
        key = uscc_keys(one)[0].as_py()
        code = org_code_keys(one)[0].as_py() if key is None else None
        if code is not None:
            _pass_gate(settings, _table(settings, domain, "records"), "an org code's look-up")
            lookup = OrgCodeLookup.from_usccs(_known_keys(settings, domain))
            key = lookup.resolve(pa.array([code], pa.string()))[0].as_py()
            if key is None:
                raise ConfigError(
                    f"no {domain.id} entity's {domain.key.title} embeds that 组织机构代码"
                )
    if key is None:
        raise ConfigError(
            f"not a valid {domain.key.title} of {domain.id}, nor a token (<key_id>:...)"
        )
    return EntityName(key=key)


@dataclass(frozen=True)
class AttributeValue:
    """One attribute of an integrated record, with where its value came from.

    Attributes:
        attribute: its name; ``title`` its Chinese title.
        value: the value (None: no source had one).
        dataset: the contributing dataset that supplied it, with its ``department``.
        authoritative: whether that dataset is the attribute's authoritative source.
        run_id: the dataset's run; ``source_file`` and ``source_row`` the delivered row.
        date: the logical date of that delivery.
    """

    attribute: str
    title: str
    value: Any
    dataset: str | None
    department: str | None
    authoritative: bool
    run_id: str | None
    source_file: str | None
    source_row: int | None
    date: date | None

    def lineage(self) -> dict[str, Any]:
        """Everything but the value (JSON-safe)."""
        return {
            "attribute": self.attribute,
            "title": self.title,
            "dataset": self.dataset,
            "department": self.department,
            "authoritative": self.authoritative,
            "run_id": self.run_id,
            "source_file": self.source_file,
            "source_row": self.source_row,
            "date": self.date.isoformat() if self.date else None,
        }


@dataclass(frozen=True)
class EntityRecord:
    """One version of an entity's integrated record (from the restricted records table)."""

    domain: str
    key: str
    token: str
    valid_from: date
    valid_to: date | None
    is_current: bool
    attributes: tuple[AttributeValue, ...]


def _department(registry: Registry, dataset: str | None) -> str | None:
    found = registry.datasets.get(dataset) if dataset else None
    return found.department if found else None


def find_record(
    settings: Settings,
    registry: Registry,
    domain: Domain,
    name: EntityName,
    as_of: date | None = None,
) -> EntityRecord | None:
    """The entity's current record (or the version in force on ``as_of``); None if unknown.

    Raises:
        AccessDenied: the caller may not read the repository's restricted records.
    """
    ref = _table(settings, domain, "records")
    _pass_gate(settings, ref, f"the integrated {domain.id} records")
    token_key = _token_key(settings)
    key = name.key
    if key is None:  # a token: find the key it was made from among the keys held
        known = _known_keys(settings, domain)
        tokens = entity_tokens(domain, known, token_key)
        at = pc.index(tokens, pa.scalar(name.token, pa.string())).as_py()
        if at < 0:
            _looked_up(settings, ref, domain, 0, name)
            return None
        key = known[at].as_py()
    match = pc.field(domain.key.name) == pa.scalar(key, pa.string())
    version = pc.field(IS_CURRENT) if as_of is None else as_of_filter(as_of)
    rows = read_integrated(settings, domain, "records", where=match & version).to_pylist()
    _looked_up(settings, ref, domain, len(rows[:1]), name)
    if not rows:
        return None
    row = rows[0]
    token = entity_tokens(domain, pa.array([key], pa.string()), token_key)[0].as_py()
    return EntityRecord(
        domain=domain.id,
        key=key,
        token=token,
        valid_from=row[VALID_FROM],
        valid_to=row[VALID_TO],
        is_current=row[IS_CURRENT],
        attributes=tuple(_attribute(registry, domain, row, name) for name in domain.attributes),
    )


def _attribute(
    registry: Registry, domain: Domain, row: dict[str, Any], name: str
) -> AttributeValue:
    part = {p: row[lineage_column(name, p)] for p in LINEAGE_PARTS}
    attribute = domain.attributes[name]
    return AttributeValue(
        attribute=name,
        title=attribute.title,
        value=row[name],
        dataset=part["dataset"],
        department=_department(registry, part["dataset"]),
        authoritative=part["dataset"] == attribute.authoritative,
        run_id=part["run_id"],
        source_file=part["source_file"],
        source_row=part["source_row"],
        date=part["date"],
    )


@dataclass(frozen=True)
class SharedRecord:
    """What the shared zone holds of an entity (protected values), or why it holds nothing.

    Attributes:
        uri: the shared integrated records table.
        exists: whether that table exists.
        columns: the entity's current row there (columns without a leading underscore); None
            when the table is absent or holds no row with that token.
    """

    uri: str
    exists: bool
    columns: dict[str, Any] | None


def shared_record(settings: Settings, domain: Domain, token: str) -> SharedRecord:
    """The entity's row in the shared zone's copy of the records, keyed by its token.

    Raises:
        AccessDenied: the caller may not read the shared copy.
    """
    ref = _table(settings, domain, "records", Zone.SHARED)
    _pass_gate(settings, ref, f"the shared {domain.id} records")
    uri = ref.uri
    if not delta.table_exists(uri):
        return SharedRecord(uri, False, None)
    source = delta.dataset(uri)
    match = pc.field(domain.key.name) == pa.scalar(token, pa.string())
    if IS_CURRENT in source.schema.names:
        match = match & pc.field(IS_CURRENT)
    rows = source.to_table(filter=match).to_pylist()
    _looked_up(settings, ref, domain, len(rows[:1]), EntityName(token=token))
    if not rows:
        return SharedRecord(uri, True, None)
    return SharedRecord(uri, True, {k: v for k, v in rows[0].items() if not k.startswith("_")})


@dataclass(frozen=True)
class Side:
    """One side of a conflict: a dataset's value of the attribute and the row it came from."""

    dataset: str
    department: str | None
    value: Any
    run_id: str | None
    source_file: str | None
    source_row: int | None
    date: date | None


@dataclass(frozen=True)
class Correction:
    """One line of a department's correction list (数据纠错回流).

    Attributes:
        department: the department whose value lost (``lost``'s dataset's department).
        key: the entity's key; ``attribute`` and ``title`` the attribute.
        lost: the dataset whose value the record did not take, its value and row.
        won: the dataset whose value the record took, its value and row.
        won_authoritative: whether ``won`` is the attribute's authoritative source.
        detected, last_seen, resolved: when the conflict was found, last confirmed, resolved.
        is_open: whether the sources still disagree.

    Values are read from the candidates table when the list is made: the latest each
    dataset delivered.
    """

    department: str | None
    key: str | None
    attribute: str
    title: str
    lost: Side
    won: Side
    won_authoritative: bool
    detected: date
    last_seen: date
    resolved: date | None
    is_open: bool


def _conflicts(lake: Lake, domain: Domain, open_only: bool) -> pa.Table:
    where = pc.field("is_open") if open_only else None
    return read_integrated(lake, domain, "conflicts", where=where)


def corrections(
    settings: Settings,
    registry: Registry,
    domain: Domain,
    *,
    department: str | None = None,
    open_only: bool = True,
) -> list[Correction]:
    """The per-department correction list of a repository, sorted by department and key.

    Args:
        settings: the lake, the token key and the caller's clearance.
        registry: the datasets (their departments).
        domain: the repository.
        department: only the conflicts this department's value lost (None: every one).
        open_only: only the conflicts still open.

    Raises:
        AccessDenied: the caller may not read the repository's conflicts and candidates.
    """
    require_restricted(settings, domain, f"the correction list of {domain.id} (keys and values)")
    wanted = [_table(settings, domain, "conflicts"), _table(settings, domain, "candidates")]
    try:
        conflicts_ref, candidates_ref = granted_tables(settings, wanted, strict=True).tables
    except AccessDenied as exc:
        raise AccessDenied(f"the correction list of {domain.id}: {exc}") from None
    conflicts = _conflicts(settings, domain, open_only)
    if conflicts.num_rows == 0:
        return []
    rows = conflicts.to_pylist()
    if department is not None:
        rows = [r for r in rows if _department(registry, r["other"]) == department]
    if not rows:
        return []
    datasets = {d for r in rows for d in (r["source"], r["other"])}
    candidates = _candidates(settings, domain, datasets)
    out = []
    for r in rows:
        key, values = candidates.get(r["entity"], (None, {}))
        out.append(
            Correction(
                department=_department(registry, r["other"]),
                key=key,
                attribute=r["attribute"],
                title=domain.attributes[r["attribute"]].title,
                lost=_side(registry, r["other"], r["attribute"], values),
                won=_side(registry, r["source"], r["attribute"], values),
                won_authoritative=bool(r["source_authoritative"]),
                detected=r["detected"],
                last_seen=r["last_seen"],
                resolved=r["resolved"],
                is_open=bool(r["is_open"]),
            )
        )
    record_read(
        settings,
        Action.READ,
        (conflicts_ref.sql_name, candidates_ref.sql_name),
        columns=(domain.key.name, "attribute", "source", "other"),
        rows=len(out),
    )
    return sorted(out, key=lambda c: (c.department or "", c.key or "", c.attribute, c.lost.dataset))


def _looked_up(
    settings: Settings, ref: TableRef, domain: Domain, rows: int, name: EntityName
) -> None:
    """Record one entity's look-up (by its token: a single-token look-up) in the access log."""
    record_read(
        settings,
        Action.ENTITY,
        (ref.sql_name,),
        columns=(domain.key.name, *domain.attributes),
        rows=rows,
        token_lookups=int(name.token is not None),
    )


def _candidates(
    settings: Settings, domain: Domain, datasets: Iterable[str]
) -> dict[str, tuple[str, dict[str, dict[str, Any]]]]:
    """The datasets' candidates: entity token → (its key, dataset → row)."""
    wanted = pa.array(sorted(datasets), pa.string())
    table = read_integrated(settings, domain, "candidates", where=pc.field(DATASET).isin(wanted))
    keys = table.column(domain.key.name).combine_chunks().cast(pa.string())
    tokens = entity_tokens(domain, keys, _token_key(settings)).to_pylist()
    found: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {}
    for token, row in zip(tokens, table.to_pylist(), strict=True):
        found.setdefault(token, (row[domain.key.name], {}))[1][row[DATASET]] = row
    return found


def _side(
    registry: Registry, dataset: str, attribute: str, values: dict[str, dict[str, Any]]
) -> Side:
    row = values.get(dataset, {})
    return Side(
        dataset=dataset,
        department=_department(registry, dataset),
        value=row.get(attribute),
        run_id=row.get(RUN_ID),
        source_file=row.get(SOURCE_FILE),
        source_row=row.get(SOURCE_ROW),
        date=row.get(LOGICAL_DATE),
    )


@dataclass(frozen=True)
class ConflictCount:
    """A dataset's open conflicts: where its value lost, and where it won against another."""

    lost: int = 0
    won: int = 0

    def to_dict(self) -> dict[str, int]:
        """JSON-safe counts."""
        return {"lost": self.lost, "won": self.won}


def conflict_counts(lake: Lake, domains: Iterable[Domain]) -> dict[str, ConflictCount]:
    """Per contributing dataset, its open conflicts over every repository (no values read)."""
    lost: dict[str, int] = {}
    won: dict[str, int] = {}
    for domain in domains:
        table = _conflicts(lake, domain, open_only=True)
        if table.num_rows == 0:
            continue
        for side, counts in (("other", lost), ("source", won)):
            summary = pc.value_counts(table.column(side).combine_chunks())
            for item in summary.to_pylist():
                counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    return {d: ConflictCount(lost.get(d, 0), won.get(d, 0)) for d in sorted({*lost, *won})}
