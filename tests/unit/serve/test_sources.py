"""What is served: every dataset's shared and open tables and the repositories' shared records."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import psycopg

from etl.integrate.publish import publish_shared
from etl.lake import delta
from etl.lake.layout import integrated_table_uri
from etl.protect.keys import load_token_key
from etl.serve import refresh, serve_status, served_tables
from etl.zones import Zone
from tests.unit.integrate.builders import build_sample_population
from tests.unit.serve.conftest import Served

DAY = date(2024, 6, 1)


def test_integrated_shared_records_are_served_under_shared_integrated(
    tmp_path: Path, database: tuple[str, str]
) -> None:
    sample = build_sample_population(tmp_path, DAY)
    assert sample.result.as_of is not None
    key = load_token_key(sample.settings.home, sample.settings.token_key)
    publish_shared(
        sample.settings,
        sample.domain,
        sample.registry,
        key,
        sample.result.as_of,
        sample.result.integration_id,
    )
    uri = integrated_table_uri(sample.settings.lake, sample.domain.id, "records", Zone.SHARED)
    in_lake = delta.read(uri)
    settings = replace(sample.settings, serve_url=database[1])

    tables = {t.qualified: t for t in served_tables(settings, sample.registry)}
    served_as = tables[f"shared_integrated.{sample.domain.id}"]
    assert (served_as.dataset, served_as.domain) == (None, sample.domain.id)
    results = refresh(settings, dataset=sample.domain.id, registry=sample.registry)

    assert [(r.table, r.state, r.rows) for r in results] == [
        (served_as.qualified, "refreshed", in_lake.num_rows)
    ]
    with psycopg.connect(database[1]) as con:
        columns = [
            c.name for c in con.execute(f"SELECT * FROM {served_as.qualified} LIMIT 0").description
        ]
        comment = con.execute(
            "SELECT obj_description(%s::regclass, 'pg_class')", (served_as.qualified,)
        ).fetchone()
    assert columns == in_lake.column_names
    assert comment is not None and sample.domain.title in str(comment[0])


def test_an_important_dataset_publishes_nothing_outside_restricted(served: Served) -> None:
    registry = served.settings.registry / "people.yaml"
    text = registry.read_text(encoding="utf-8") + "classification: {important: true}\n"
    registry.write_text(text, encoding="utf-8")
    assert served_tables(served.settings) == []
    restricted = replace(served.settings, serve_restricted=True)
    assert [t.qualified for t in served_tables(restricted)] == ["restricted_population.people"]


def test_a_dataset_found_important_is_withdrawn_from_the_endpoint(served: Served) -> None:
    refresh(served.settings)
    registry = served.settings.registry / "people.yaml"
    text = registry.read_text(encoding="utf-8") + "classification: {important: true}\n"
    registry.write_text(text, encoding="utf-8")

    results = refresh(served.settings)

    assert sorted((r.table, r.state) for r in results) == [
        ("open_population.people", "withdrawn"),
        ("shared_population.people", "withdrawn"),
    ]
    with served.admin() as con:
        left = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema IN ('shared_population', 'open_population', 'pubdata_store') "
            "AND table_name LIKE '%%people%%'"
        ).fetchone()
    assert left == (0,)
    assert serve_status(served.settings) == []
