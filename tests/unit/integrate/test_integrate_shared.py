"""The population repository's shared table: graded, protected, joinable on tokens, in SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest

from etl.errors import ConfigError
from etl.integrate import Domain
from etl.integrate.publish import SharedResult, publish_shared
from etl.integrate.tables import current_records, entity_tokens
from etl.lake import delta
from etl.lake.layout import integrated_table_uri, zone_table_uri
from etl.protect.keys import load_token_key
from etl.read import sql
from etl.registry import Registry
from etl.settings import Settings
from etl.zones import Zone
from tests.unit.integrate.builders import build_sample_population

DAY = date(2024, 6, 1)
SHARED_NAME = "shared.integrated.population_records"
RESTRICTED_NAMES = {
    f"restricted.integrated.population_{t}" for t in ("records", "candidates", "conflicts")
}


@dataclass(frozen=True)
class Published:
    settings: Settings
    registry: Registry
    domain: Domain
    result: SharedResult
    table: Any


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    sample = build_sample_population(tmp_path_factory.mktemp("shared"), DAY)
    settings, registry, domain, done = (
        sample.settings,
        sample.registry,
        sample.domain,
        sample.result,
    )
    assert done.as_of is not None
    key = load_token_key(settings.home, settings.token_key)
    result = publish_shared(settings, domain, registry, key, done.as_of, done.integration_id)
    table = delta.read(integrated_table_uri(settings.lake, domain.id, "records", Zone.SHARED))
    return Published(settings, registry, domain, result, table)


def _zone_table(built: Published, dataset_id: str, zone: Zone) -> Any:
    dataset = built.registry.datasets[dataset_id]
    return delta.read(zone_table_uri(built.settings.lake, zone, dataset.domain, dataset.id))


def test_no_raw_identifier_name_or_phone_goes_out(published: Published) -> None:
    raw: set[str] = set()
    for dataset_id in published.domain.datasets:
        contributor = published.domain.contributor(dataset_id)
        table = _zone_table(published, dataset_id, Zone.RESTRICTED)
        for column in {contributor.key, *contributor.attributes.values()}:
            if column in {contributor.key, "xm", "hzxm", "lxdh"}:
                raw |= {str(v) for v in table.column(column).to_pylist() if v}
    cells = {str(v) for row in published.table.to_pylist() for v in row.values() if v is not None}
    assert published.table.num_rows > 100
    assert not cells & raw
    id_shaped = re.compile(r"[1-9][0-9]{5}(?:19|20)[0-9]{9}[0-9Xx]|[0-9]{15}")
    assert not any(id_shaped.search(c) for c in cells)
    assert not any(re.fullmatch(r"1[3-9][0-9]{9}", c) for c in cells)
    # the lineage goes out (files and rows), the bucket and raw keys do not
    assert "xm__source_file" in published.table.column_names
    assert "_bucket" not in published.table.column_names


def test_the_key_is_the_datasets_token_of_the_same_person(published: Published) -> None:
    relief = _zone_table(published, "relief_payments", Zone.SHARED)
    by_row = {
        (r["_source_file"], r["_source_row"]): r["sfzh"]
        for r in relief.select(["_source_file", "_source_row", "sfzh"]).to_pylist()
    }
    joined = 0
    for record in published.table.to_pylist():
        if record["jzdz__dataset"] == "relief_payments":
            where = (record["jzdz__source_file"], record["jzdz__source_row"])
            assert by_row[where] == record["gmsfhm"]
            joined += 1
    assert joined > 50


def test_minors_stay_restricted_and_the_rest_is_graded_by_the_engine(
    published: Published,
) -> None:
    result = published.result
    current = current_records(published.settings.lake, published.domain)
    assert result.minors > 0
    assert result.rows == published.table.num_rows == current.num_rows - result.minors
    births = [d for d in published.table.column("csrq").to_pylist() if d]
    assert births and all(re.fullmatch(r"[0-9]{4}", b) for b in births)  # generalized to a year
    graded = {c.name: c for c in result.classification.columns}
    assert graded["gmsfhm"].category == "id_card"
    assert graded["lxdh"].category == "mobile_phone"
    assert "IMP" not in result.classification.flags  # ~1k persons: R5 does not fire
    assert result.classification.rules[0].id == "R1"


def test_every_key_is_an_entity_token(published: Published) -> None:
    key = load_token_key(published.settings.home, published.settings.token_key)
    records = current_records(published.settings.lake, published.domain, ["gmsfhm"])
    tokens = set(entity_tokens(published.domain, records.column("gmsfhm"), key).to_pylist())
    assert set(published.table.column("gmsfhm").to_pylist()) <= tokens


def test_sql_lists_and_queries_the_shared_table_and_refuses_restricted_ones(
    published: Published,
) -> None:
    shared = replace(published.settings, clearance="shared")
    con, catalog = sql.connect(shared)
    con.close()
    assert SHARED_NAME in catalog.tables
    assert not RESTRICTED_NAMES & set(catalog.tables)
    counted = sql.query(shared, f"SELECT count(*) AS n FROM {SHARED_NAME}")
    assert counted.column("n").to_pylist() == [published.result.rows]
    with pytest.raises(ConfigError, match="not visible"):
        sql.query(shared, "SELECT count(*) FROM restricted.integrated.population_records")
    cleared = replace(published.settings, clearance="restricted")
    con, catalog = sql.connect(cleared)
    con.close()
    assert RESTRICTED_NAMES | {SHARED_NAME} <= set(catalog.tables)
    opened = replace(published.settings, clearance="open")
    con, catalog = sql.connect(opened)
    con.close()
    assert not any(".integrated." in name for name in catalog.tables)


def test_an_important_contributor_withdraws_the_shared_table(published: Published) -> None:
    settings, registry, domain = published.settings, published.registry, published.domain
    clinic = registry.datasets["clinic_visits"]
    important = clinic.model_copy(
        update={"classification": clinic.classification.model_copy(update={"important": True})}
    )
    flagged = replace(registry, datasets={**registry.datasets, "clinic_visits": important})
    key = load_token_key(settings.home, settings.token_key)
    uri = integrated_table_uri(settings.lake, domain.id, "records", Zone.SHARED)
    try:
        withdrawn = publish_shared(settings, domain, flagged, key, DAY, "imp")
        assert "IMP" in withdrawn.classification.flags
        assert withdrawn.rows == 0 and delta.read(uri).num_rows == 0
    finally:
        publish_shared(settings, domain, registry, key, DAY, "restore")
    assert delta.read(uri).num_rows == published.result.rows
