"""An integrated repository (整合库) for people to read: sources, coverage, conflicts, freshness.

What the repository page and ``/api/repositories/<id>`` show, built from the domain file, the
registry, ``_meta.integration_runs`` and the repository's tables read for counts only:

- the records table's ``is_current`` column (entities now, versions kept);
- the candidates table's Delta log (rows per ``_dataset`` partition: the entities each source
  knows), corrected by the entities its changes table holds (only their rows are read);
- the conflicts table's ``attribute``, ``source``, ``other`` and ``is_open`` columns.

Each table is read resolved: its base with the changes of the incremental updates since
(:func:`etl.integrate.tables.read_integrated`).

Never a key, a token or an attribute value: the page is for operators of any clearance.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake.exceptions import TableNotFoundError

from etl.catalog.runs import run_seconds
from etl.integrate.engine import pending_runs
from etl.integrate.model import Domain
from etl.integrate.tables import DATASET, IS_CURRENT, PARTITIONS, read_integrated
from etl.lake import delta, merge_on_read
from etl.lake.layout import integrated_table_uri
from etl.lineage import read_meta
from etl.lineage.freshness import freshness
from etl.registry import Registry
from etl.settings import Settings

__all__ = ["repositories", "repository_page"]


@dataclass(frozen=True)
class _Conflict:
    """One conflict row as counted: names and state, nothing else of it is read."""

    attribute: str
    source: str
    other: str
    is_open: bool


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _integrations(settings: Settings, domain: Domain) -> list[dict[str, Any]]:
    """The repository's ``_meta.integration_runs`` rows, oldest first (JSON-safe)."""
    rows = read_meta(settings.lake, "integration_runs")
    mine = rows.filter(pc.equal(rows.column("domain"), domain.id)).to_pylist()
    mine.sort(key=lambda r: (r["finished_at"], r["logical_date"]))
    return [{k: _iso(v) for k, v in row.items()} for row in mine]


def _entity_counts(settings: Settings, domain: Domain) -> dict[str, int] | None:
    """Current entities and record versions; None before the first build."""
    if not delta.table_exists(integrated_table_uri(settings, domain.id, "records")):
        return None
    current = read_integrated(settings, domain, "records", columns=[IS_CURRENT]).column(0)
    return {"current": int(pc.sum(current).as_py() or 0), "versions": len(current)}


def _known_by_source(settings: Settings, domain: Domain) -> dict[str, int]:
    """Entities each contributing dataset knows: candidate rows per ``_dataset``.

    The base's rows are counted from its log; the entities in the changes table have their
    base rows taken off and their resolved rows added (both read for those entities only).
    """
    try:
        opened = merge_on_read.open_at(integrated_table_uri(settings, domain.id, "candidates"))
    except TableNotFoundError:
        return {}
    known: Counter[str] = Counter()
    position = PARTITIONS["candidates"].index(DATASET)
    for values, count in delta.partition_rows(opened.base, PARTITIONS["candidates"]).items():
        known[values[position]] += count
    if opened.changes is not None:
        entity = merge_on_read.entity_column(opened.changes.schema)
        changed = pc.field(entity).isin(pc.unique(opened.changes.to_table([entity]).column(0)))
        known.subtract(_per_dataset(opened.base_files.to_table([DATASET], filter=changed)))
        known.update(_per_dataset(merge_on_read.read(*opened, columns=[DATASET], where=changed)))
    return {dataset: count for dataset, count in known.items() if count}


def _per_dataset(rows: pa.Table) -> Counter[str]:
    return Counter(str(d) for d in rows.column(DATASET).to_pylist())


def _conflicts(settings: Settings, domain: Domain) -> list[_Conflict]:
    """Every conflict's attribute, datasets and state (never its entity token)."""
    columns = ["attribute", "source", "other", "is_open"]
    table = read_integrated(settings, domain, "conflicts", columns=columns)
    return [
        _Conflict(r["attribute"], r["source"], r["other"], bool(r["is_open"]))
        for r in table.to_pylist()
    ]


def _open_closed(conflicts: list[_Conflict]) -> dict[str, int]:
    opened = sum(c.is_open for c in conflicts)
    return {"open": opened, "closed": len(conflicts) - opened}


def _share(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def _sources(
    settings: Settings,
    registry: Registry,
    domain: Domain,
    integrations: list[dict[str, Any]],
    current: int | None,
    now: datetime | None,
) -> list[dict[str, Any]]:
    """Per contributor: coverage, the match rate of its latest integrated run, freshness."""
    known = _known_by_source(settings, domain)
    latest: dict[str, dict[str, Any]] = {}
    for row in integrations:  # oldest first: the last row of a dataset's latest date wins
        held = latest.get(row["dataset"])
        if held is None or row["logical_date"] >= held["logical_date"]:
            latest[row["dataset"]] = row
    pending = Counter(run.dataset for run in pending_runs(settings, domain))
    found = []
    for dataset_id, contributor in domain.contributors.items():
        ds = registry.datasets[dataset_id]  # a domain's contributors are registered (loader)
        run = latest.get(dataset_id)
        day = date.fromisoformat(run["logical_date"]) if run else None
        fresh = freshness(ds.schedule, day, now, settings.zone)
        entities = known.get(dataset_id, 0) if current is not None else None
        found.append(
            {
                "dataset": dataset_id,
                "title": ds.title,
                "department": ds.department,
                "department_title": ds.department_title,
                "key_form": domain.key_form_of(dataset_id),
                "attributes": list(contributor.attributes),
                "authoritative_for": list(domain.authoritative_for(dataset_id)),
                "entities": entities,
                "coverage": _share(entities, current),
                "latest_run": None
                if run is None
                else {
                    "run_id": run["run_id"],
                    "logical_date": run["logical_date"],
                    "integrated_at": run["finished_at"],
                    "rows": run["rows"],
                    "keys_delivered": run["keys_delivered"],
                    "keys_matched": run["keys_matched"],
                    "match_rate": _share(run["keys_matched"], run["keys_delivered"]),
                },
                "pending_runs": pending.get(dataset_id, 0),
                "freshness": fresh.to_dict() | {"label": fresh.label},
            }
        )
    return found


def _attributes(domain: Domain, conflicts: list[_Conflict]) -> list[dict[str, Any]]:
    """Per attribute: its authoritative source, fallback order, freshness rule, conflicts."""
    return [
        {
            "attribute": name,
            "title": attribute.title,
            "type": attribute.type,
            "authoritative": attribute.authoritative,
            "fallback": attribute.sources[1:],
            "max_age_days": attribute.max_age_days,
            "conflicts": _open_closed([c for c in conflicts if c.attribute == name]),
        }
        for name, attribute in domain.attributes.items()
    ]


def _departments(
    registry: Registry, domain: Domain, conflicts: list[_Conflict]
) -> list[dict[str, Any]]:
    """Per department of the contributors: conflicts its datasets are asked to check.

    A conflict goes back to the department of ``other``, the dataset whose value differs from
    the record's (数据纠错回流); ``supplied`` counts the open conflicts in which the department's
    dataset supplied the record's value.
    """
    by_department: dict[str, list[str]] = {}
    for dataset_id in domain.datasets:
        department = registry.datasets[dataset_id].department
        by_department.setdefault(department, []).append(dataset_id)
    found = []
    for department, datasets in sorted(by_department.items()):
        differs = [c for c in conflicts if c.other in datasets]
        found.append(
            {
                "department": department,
                "department_title": registry.datasets[datasets[0]].department_title,
                "datasets": datasets,
                "to_check": _open_closed(differs),
                "supplied": sum(c.is_open for c in conflicts if c.source in datasets),
            }
        )
    return found


def repository_page(
    settings: Settings, registry: Registry, domain: Domain, now: datetime | None = None
) -> dict[str, Any]:
    """Everything the repository page shows, JSON-safe: names, counts, rates and dates only.

    Args:
        settings: where the lake is, and the zone freshness is judged in.
        registry: the dataset registry (the contributors' titles, departments, schedules).
        domain: the repository.
        now: the instant freshness is judged at (default: now).

    Returns:
        ``repository`` (the domain file's title, description, owner, entity, key, DAG),
        ``built`` (whether its tables exist), ``entities`` (``current`` and ``versions``,
        None before the first build), ``sources`` (per contributor: entities it knows and
        their share of the current entities, its latest integrated run's keys delivered and
        matched, runs published but not yet integrated, freshness of its latest integrated
        logical date against its schedule), ``attributes`` (authoritative source, fallback
        order, freshness rule, open and closed conflicts), ``departments`` (conflicts per
        department), ``conflicts`` (totals) and ``integration`` (the latest one, or None).
    """
    integrations = _integrations(settings, domain)
    entities = _entity_counts(settings, domain)
    conflicts = _conflicts(settings, domain)
    last = integrations[-1] if integrations else None
    return {
        "repository": {
            "id": domain.id,
            "title": domain.title,
            "description": domain.description,
            "owner": domain.owner,
            "entity": domain.entity,
            "key": {"name": domain.key.name, "title": domain.key.title},
            "dag_id": domain.dag_id,
        },
        "built": entities is not None,
        "entities": entities,
        "sources": _sources(
            settings, registry, domain, integrations, entities["current"] if entities else None, now
        ),
        "attributes": _attributes(domain, conflicts),
        "departments": _departments(registry, domain, conflicts),
        "conflicts": _open_closed(conflicts),
        "integration": None
        if last is None
        else {
            "integration_id": last["integration_id"],
            "mode": last["mode"],
            "as_of": last["as_of"],
            "started_at": last["started_at"],
            "finished_at": last["finished_at"],
            "seconds": run_seconds(last["started_at"], last["finished_at"]),
            "runs": sum(r["integration_id"] == last["integration_id"] for r in integrations),
            "entities_touched": last["entities_touched"],
            "entities_inserted": last["entities_inserted"],
            "entities_changed": last["entities_changed"],
            "conflicts_opened": last["conflicts_opened"],
            "conflicts_closed": last["conflicts_closed"],
            "count": len({r["integration_id"] for r in integrations}),
        },
    }


def repositories(settings: Settings, domains: list[Domain]) -> list[dict[str, Any]]:
    """One line per repository for the index: title, entity, contributors, counts, last run."""
    found = []
    for domain in sorted(domains, key=lambda d: d.id):
        integrations = _integrations(settings, domain)
        entities = _entity_counts(settings, domain)
        found.append(
            {
                "id": domain.id,
                "title": domain.title,
                "entity": domain.entity,
                "owner": domain.owner,
                "dag_id": domain.dag_id,
                "contributors": list(domain.datasets),
                "entities": entities["current"] if entities else None,
                "open_conflicts": _open_closed(_conflicts(settings, domain))["open"],
                "as_of": integrations[-1]["as_of"] if integrations else None,
                "last_integrated_at": integrations[-1]["finished_at"] if integrations else None,
            }
        )
    return found
