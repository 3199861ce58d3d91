"""The repository page's counts (etl.catalog.repository) over a repository with updates."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.compute as pc

from etl.catalog.repository import repositories, repository_page
from etl.integrate.tables import read_integrated
from tests.unit.integrate.builders import (
    POPULATION,
    append_changes,
    id_number,
    population_with_changes,
)


def _known(page: dict[str, Any]) -> dict[str, int]:
    return {s["dataset"]: s["entities"] for s in page["sources"]}


def test_the_counts_take_the_updates_in_the_changes_tables(tmp_path: Path) -> None:
    lake = population_with_changes(tmp_path)
    page = repository_page(lake.settings, lake.registry, POPULATION)
    assert page["entities"] == {"current": 3, "versions": 3}
    assert _known(page) == {"register": 3, "relief": 1, "clinic": 0}
    assert page["conflicts"] == {"open": 0, "closed": 1}
    assert page["departments"][0]["to_check"] == {"open": 0, "closed": 1}
    (line,) = repositories(lake.settings, [POPULATION])
    assert (line["entities"], line["open_conflicts"]) == (3, 0)
    # a second update: the first person without relief's candidate
    first = pc.field(POPULATION.key.name) == id_number(1)
    rows = read_integrated(lake.settings.lake, POPULATION, "candidates", where=first)
    append_changes(lake, POPULATION, "candidates", rows.filter(pc.field("_dataset") != "relief"), 2)
    page = repository_page(lake.settings, lake.registry, POPULATION)
    assert _known(page) == {"register": 3, "relief": 0, "clinic": 0}
    datasets = read_integrated(lake.settings.lake, POPULATION, "candidates", columns=["_dataset"])
    assert Counter(datasets.column("_dataset").to_pylist()) == {"register": 3}
