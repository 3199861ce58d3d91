"""Which lake tables the SQL endpoint serves, from the registry and the domain files.

Every dataset's shared and open tables (the zones its registry entry may publish to) and every
integrated repository's shared records; the restricted tables only when
``PUBDATA_SERVE_RESTRICTED=1``. Quarantine tables and ``_meta`` are never served.
"""

from __future__ import annotations

from collections import Counter

from etl.errors import ConfigError
from etl.integrate import load_domains
from etl.lake.layout import integrated_table_uri, published_zones, zone_table_uri
from etl.registry import Registry, load_registry
from etl.serve.model import ServedTable
from etl.serve.names import INTEGRATED_DOMAIN, served_schema
from etl.settings import Settings
from etl.zones import Zone


def served_tables(settings: Settings, registry: Registry | None = None) -> list[ServedTable]:
    """Every table the endpoint serves, whether or not the lake holds it yet.

    Args:
        settings: the lake and ``PUBDATA_SERVE_RESTRICTED``.
        registry: the loaded registry (None: load ``settings.registry``).

    Raises:
        ConfigError: two tables would get the same ``schema.name``.
    """
    registry = registry or load_registry(settings.registry)
    wanted = {Zone.SHARED, Zone.OPEN} | ({Zone.RESTRICTED} if settings.serve_restricted else set())
    found: list[ServedTable] = []
    for dataset in sorted(registry.datasets.values(), key=lambda d: (d.domain, d.id)):
        department = f"{dataset.department_title or dataset.department} ({dataset.department})"
        for zone in published_zones(dataset):
            if zone not in wanted:
                continue
            found.append(
                ServedTable(
                    schema=served_schema(zone, dataset.domain),
                    name=dataset.id,
                    zone=zone,
                    domain=dataset.domain,
                    dataset=dataset.id,
                    uri=zone_table_uri(settings, zone, dataset.domain, dataset.id),
                    title=dataset.title,
                    department=department,
                )
            )
    for domain in sorted(load_domains(registry).domains.values(), key=lambda d: d.id):
        found.append(
            ServedTable(
                schema=served_schema(Zone.SHARED, INTEGRATED_DOMAIN),
                name=domain.id,
                zone=Zone.SHARED,
                domain=domain.id,
                dataset=None,
                uri=integrated_table_uri(settings, domain.id, "records", Zone.SHARED),
                title=domain.title,
            )
        )
    twice = [n for n, c in Counter(t.qualified for t in found).items() if c > 1]
    if twice:
        raise ConfigError(f"two served tables would both be {twice[0]}; rename one")
    return found
