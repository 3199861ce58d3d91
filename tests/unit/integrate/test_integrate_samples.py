"""The sample repositories built from the sample departments' runs through the real pipeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl.integrate.engine import pending_runs
from etl.integrate.tables import current_records, read_integrated
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.zones import Zone
from tests.unit.integrate.builders import SamplePopulation, build_sample_population

DAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> SamplePopulation:
    return build_sample_population(tmp_path_factory.mktemp("samples"), DAY)


def restricted(built: SamplePopulation, dataset_id: str) -> Any:
    dataset = built.registry.datasets[dataset_id]
    return delta.read(
        zone_table_uri(built.settings.lake, Zone.RESTRICTED, dataset.domain, dataset.id)
    )


def test_every_contributors_run_is_read_and_matched(built: SamplePopulation) -> None:
    result = built.result
    assert result.mode == "full"
    assert sorted(m.run.dataset for m in result.runs) == sorted(built.domain.datasets)
    for match in result.runs:
        assert match.rows > 0 and match.match_rate is not None and match.match_rate > 0.9
    assert result.counts.touched == result.counts.inserted > 100
    assert pending_runs(built.settings, built.domain) == []


def test_each_attributes_lineage_names_a_restricted_row_holding_its_value(
    built: SamplePopulation,
) -> None:
    records = current_records(built.settings.lake, built.domain).to_pylist()
    checked = 0
    for name, attribute in built.domain.attributes.items():
        for dataset_id in attribute.sources:
            column = built.domain.contributor(dataset_id).attributes[name]
            table = restricted(built, dataset_id)
            rows = {
                (r["_source_file"], r["_source_row"], r["_run_id"]): r[column]
                for r in table.select(
                    ["_source_file", "_source_row", "_run_id", column]
                ).to_pylist()
            }
            mine = [r for r in records if r[f"{name}__dataset"] == dataset_id][:20]
            for record in mine:
                where = (
                    record[f"{name}__source_file"],
                    record[f"{name}__source_row"],
                    record[f"{name}__run_id"],
                )
                assert rows[where] == record[name]
                checked += 1
    assert checked > 50


def test_no_id_number_of_the_samples_is_outside_the_restricted_records(
    built: SamplePopulation,
) -> None:
    numbers = set()
    for dataset_id in built.domain.datasets:
        key = built.domain.contributor(dataset_id).key
        numbers |= {v for v in restricted(built, dataset_id).column(key).to_pylist() if v}
    outside = [
        read_integrated(built.settings.lake, built.domain, "conflicts"),
        delta.read(str(Path(built.settings.lake) / "_meta" / "integration_runs")),
    ]
    cells = {str(v) for table in outside for row in table.to_pylist() for v in row.values()}
    assert not cells & numbers
    assert not any(n in c for c in cells for n in list(numbers)[:200])
    assert not any(n in repr(built.result) for n in numbers)
