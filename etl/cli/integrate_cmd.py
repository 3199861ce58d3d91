"""``pubdata entity``, ``conflicts`` and ``trace <domain>``: the integrated repositories read.

Each value of a repository (整合库) with the dataset, run, file and row it came from.

A raw key or any value needs a grant of the repository's restricted tables (the pipeline's own
user: ``PUBDATA_CLEARANCE=restricted``); a token alone reads what the shared zone holds
(:mod:`etl.integrate.reading`).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.cli.output import emit as _emit
from etl.cli.output import parse_date as _date
from etl.cli.output import say as _say
from etl.cli.output import write_csv, write_workbook
from etl.cli.table import render
from etl.errors import ConfigError
from etl.integrate import Domain, load_domains
from etl.registry import Registry, load_registry
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.integrate.reading import AttributeValue, Correction, EntityName, EntityRecord

#: The export's sheet in an xlsx workbook.
EXPORT_SHEET = "数据纠错回流"


def _domain(settings: Settings, domain_id: str) -> tuple[Registry, Domain]:
    registry = load_registry(settings.registry)
    return registry, load_domains(registry).get(domain_id)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _not_found(domain: Domain, name: EntityName, as_of: date | None) -> ConfigError:
    what = domain.key.title if name.key is not None else "token"
    when = f" on {as_of.isoformat()}" if as_of else ""
    return ConfigError(f"no {domain.id} entity with that {what}{when} in the integrated records")


def _record_json(record: EntityRecord) -> dict[str, Any]:
    return {
        "domain": record.domain,
        "zone": "restricted",
        "key": record.key,
        "token": record.token,
        "valid_from": _text(record.valid_from),
        "valid_to": _text(record.valid_to) or None,
        "is_current": record.is_current,
        "attributes": [a.lineage() | {"value": _text(a.value) or None} for a in record.attributes],
    }


def _lineage_rows(values: tuple[AttributeValue, ...], with_value: bool) -> str:
    headers = ["attribute", "title"] + (["value"] if with_value else [])
    headers += ["dataset", "department", "authoritative", "run", "source file", "row", "date"]
    rows = [
        [a.attribute, a.title]
        + ([_text(a.value)] if with_value else [])
        + [
            a.dataset or "-",
            a.department or "",
            ("yes" if a.authoritative else "no") if a.dataset else "",
            a.run_id or "",
            a.source_file or "",
            _text(a.source_row),
            _text(a.date),
        ]
        for a in values
    ]
    return render(headers, rows)


def cmd_entity(settings: Settings, args: argparse.Namespace) -> int:
    """One entity's integrated record: each attribute's value, dataset, run, file, row and date."""
    from etl.integrate.reading import (
        entity_name,
        find_record,
        require_restricted,
        restricted_granted,
    )

    registry, domain = _domain(settings, args.domain)
    name = entity_name(settings, domain, args.entity)
    if name.token is not None and not restricted_granted(settings, domain):
        if args.as_of is not None:
            require_restricted(settings, domain, "--as-of (the restricted history)")
        return _shared_entity(settings, domain, name.token, args.json)
    record = find_record(settings, registry, domain, name, args.as_of)
    if record is None:
        raise _not_found(domain, name, args.as_of)
    if args.json:
        _emit(_record_json(record))
        return 0
    until = f"until {record.valid_to.isoformat()}" if record.valid_to else "current"
    _say(
        f"{domain.id} {domain.key.title} {record.key} (token {record.token}): version from "
        f"{record.valid_from.isoformat()}, {until}"
    )
    _say(_lineage_rows(record.attributes, with_value=True))
    return 0


def _shared_entity(settings: Settings, domain: Domain, token: str, as_json: bool) -> int:
    """What the shared zone holds of the entity; exit 1 when it holds nothing."""
    from etl.integrate.reading import shared_record

    found = shared_record(settings, domain, token)
    if as_json:
        _emit(
            {
                "domain": domain.id,
                "zone": "shared",
                "token": token,
                "table": found.uri,
                "table_exists": found.exists,
                "record": None
                if found.columns is None
                else {k: _text(v) or None for k, v in found.columns.items()},
            }
        )
        return 0 if found.columns is not None else 1
    if not found.exists:
        sys.stderr.write(
            f"pubdata: the shared zone has no integrated {domain.id} table ({found.uri}); "
            "without the restricted records a token shows nothing else (a grant of them, or "
            "for the pipeline's user PUBDATA_CLEARANCE=restricted, reads the record)\n"
        )
        return 1
    if found.columns is None:
        raise ConfigError(f"no {domain.id} entity with that token in the shared zone")
    _say(f"{domain.id} token {token} (shared zone: protected values)")
    _say(render(["column", "value"], [[k, _text(v)] for k, v in found.columns.items()]))
    return 0


def _departments(registry: Registry, domain: Domain) -> set[str]:
    return {registry.datasets[d].department for d in domain.datasets if d in registry.datasets}


#: The export's columns: the losing department's side first (what it should check), then the
#: record's side, then the conflict's dates.
_SIDE_FIELDS = ("value", "dataset", "run_id", "source_file", "source_row", "date")


def _export_header(domain: Domain) -> list[str]:
    header = ["department", domain.key.name, "attribute", "title"]
    header += [f"your_{f}" for f in _SIDE_FIELDS]
    header += [f"record_{f}" for f in _SIDE_FIELDS]
    extra = ["record_department", "record_authoritative", "detected", "last_seen", "resolved"]
    return [*header, *extra, "open"]


def _export_row(c: Correction) -> list[str]:
    sides = [getattr(side, f) for side in (c.lost, c.won) for f in _SIDE_FIELDS]
    cells = [c.department, c.key, c.attribute, c.title, *sides, c.won.department]
    cells += ["yes" if c.won_authoritative else "no", c.detected, c.last_seen, c.resolved]
    return [_text(v) for v in cells] + ["yes" if c.is_open else "no"]


def _export(domain: Domain, found: list[Correction], path: Path) -> None:
    """Write the list as .xlsx or as .csv (UTF-8 with a BOM, which Excel opens)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"--export writes a .csv or .xlsx file, not {path.name}")
    header, rows = _export_header(domain), [_export_row(c) for c in found]
    if suffix == ".xlsx":
        write_workbook(path, [(EXPORT_SHEET, header, rows)])
    else:
        write_csv(path, header, rows)


def cmd_conflicts(settings: Settings, args: argparse.Namespace) -> int:
    """The per-department correction list of a repository (数据纠错回流)."""
    from etl.integrate.reading import corrections, require_restricted

    registry, domain = _domain(settings, args.domain)
    require_restricted(settings, domain, "pubdata conflicts (keys and values)")
    if args.department is not None and args.department not in _departments(registry, domain):
        known = ", ".join(sorted(_departments(registry, domain)))
        raise ConfigError(
            f"no contributor of {domain.id} belongs to department {args.department!r} "
            f"(departments: {known})"
        )
    found = corrections(
        settings, registry, domain, department=args.department, open_only=not args.all
    )
    if args.export is not None:
        _export(domain, found, args.export)
        sys.stderr.write(f"wrote {len(found)} conflicts of {domain.id} to {args.export}\n")
        return 0
    if args.json:
        header = _export_header(domain)
        _emit([dict(zip(header, _export_row(c), strict=True)) for c in found])
        return 0
    if not found:
        which = "open " if not args.all else ""
        scope = f" for department {args.department}" if args.department else ""
        _say(f"no {which}conflicts in {domain.id}{scope}")
        return 0
    rows = [
        [
            c.department or "",
            c.key or "",
            c.title,
            _text(c.lost.value),
            f"{c.lost.dataset} {_text(c.lost.date)}",
            _text(c.won.value),
            f"{c.won.dataset} {_text(c.won.date)}" + (" (数源)" if c.won_authoritative else ""),
            _text(c.detected),
            "open" if c.is_open else f"resolved {_text(c.resolved)}",
        ]
        for c in found
    ]
    headers = [
        "department",
        domain.key.name,
        "attribute",
        "their value",
        "their source",
        "record value",
        "record source",
        "detected",
        "status",
    ]
    _say(render(headers, rows))
    return 0


def trace_entity(settings: Settings, args: argparse.Namespace) -> int:
    """``pubdata trace DOMAIN KEY|TOKEN [ATTRIBUTE]``: each value's dataset, run, file and row.

    No value is shown (as a row trace shows none); each line names the command that traces
    the source row itself.
    """
    from etl.integrate.reading import entity_name, find_record, restricted_granted

    registry, domain = _domain(settings, args.dataset)
    if args.attribute is not None and args.attribute not in domain.attributes:
        known = ", ".join(domain.attributes)
        raise ConfigError(f"{domain.id} has no attribute {args.attribute!r} (attributes: {known})")
    name = entity_name(settings, domain, args.entity)
    if name.token is not None and not restricted_granted(settings, domain):
        values = _shared_lineage(settings, registry, domain, name.token)
    else:
        record = find_record(settings, registry, domain, name)
        if record is None:
            raise _not_found(domain, name, None)
        values = record.attributes
    chosen = tuple(a for a in values if args.attribute in (None, a.attribute))
    if args.json:
        _emit([a.lineage() | {"row_trace": _row_trace(registry, a)} for a in chosen])
        return 0
    _say(_lineage_rows(chosen, with_value=False))
    commands = [c for c in dict.fromkeys(_row_trace(registry, a) for a in chosen) if c]
    if commands:
        _say("")
        _say("trace a source row: " + "\n                    ".join(commands))
    return 0


def _row_trace(registry: Registry, value: AttributeValue) -> str | None:
    """The ``pubdata trace`` command of the row that supplied the value."""
    if value.dataset is None or value.run_id is None or value.source_row is None:
        return None
    if value.dataset not in registry.datasets:
        return None
    return f"pubdata trace {value.dataset} --run {value.run_id} --source-row {value.source_row}"


def _shared_lineage(
    settings: Settings, registry: Registry, domain: Domain, token: str
) -> tuple[AttributeValue, ...]:
    """The attribute lineage the shared zone's copy of the records carries for a token.

    Raises:
        PolicyError / ConfigError: no shared table, no such token, or no lineage columns there.
    """
    from etl.integrate.reading import AttributeValue, require_restricted, shared_record
    from etl.integrate.tables import LINEAGE_PARTS, lineage_column

    found = shared_record(settings, domain, token)
    if not found.exists:
        require_restricted(
            settings,
            domain,
            f"tracing {domain.id} (the shared zone has no integrated {domain.id} table)",
        )
    if found.columns is None:
        raise ConfigError(f"no {domain.id} entity with that token in the shared zone")
    row = found.columns
    out = []
    for name, attribute in domain.attributes.items():
        part = {p: row.get(lineage_column(name, p)) for p in LINEAGE_PARTS}
        dataset = part["dataset"]
        found_dataset = registry.datasets.get(dataset) if dataset else None
        out.append(
            AttributeValue(
                attribute=name,
                title=attribute.title,
                value=None,
                dataset=dataset,
                department=found_dataset.department if found_dataset else None,
                authoritative=dataset == attribute.authoritative,
                run_id=part["run_id"],
                source_file=part["source_file"],
                source_row=part["source_row"],
                date=part["date"],
            )
        )
    return tuple(out)


def register(sub: Any) -> None:
    """Add ``pubdata entity`` and ``pubdata conflicts`` to the command parser."""
    entity = sub.add_parser(
        "entity",
        help="one integrated record: each attribute's value, source dataset, run, file, row",
        description=(
            "An ID number or USCC (legacy 15-digit numbers and 组织机构代码 accepted) needs a "
            "grant of the repository's restricted tables (the pipeline's own user: "
            "PUBDATA_CLEARANCE=restricted); a token (<key_id>:...) shows what the shared zone "
            "holds."
        ),
    )
    entity.add_argument("domain", help="the repository: population, legal_entity, ...")
    entity.add_argument("entity", help="ID number, USCC, 组织机构代码 or token")
    entity.add_argument("--as-of", type=_date, help="the version in force on this date")
    entity.add_argument("--json", action="store_true")
    entity.set_defaults(func=cmd_entity)

    conflicts = sub.add_parser(
        "conflicts",
        help="per-department correction list (数据纠错回流): conflicting values and sources",
        description=(
            "Keys and values: needs a grant of the repository's restricted tables (the "
            "pipeline's own user: PUBDATA_CLEARANCE=restricted)."
        ),
    )
    conflicts.add_argument("domain")
    conflicts.add_argument("--department", help="only conflicts this department's value lost")
    status = conflicts.add_mutually_exclusive_group()
    status.add_argument("--open", action="store_true", help="open conflicts only (default)")
    status.add_argument("--all", action="store_true", help="resolved ones too")
    conflicts.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write the list: .xlsx, or .csv (UTF-8 with a BOM, for Excel)",
    )
    conflicts.add_argument("--json", action="store_true")
    conflicts.set_defaults(func=cmd_conflicts)
