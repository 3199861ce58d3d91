"""Resubmitted fixes: stored beside the delivery, applied on every run, traced."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from etl.errors import ConfigError, DataError
from etl.lake import delta
from etl.lineage import read_meta
from etl.lineage.trace import resolve_run, trace_row
from etl.pipeline import amend
from tests.unit.lineage.conftest import DAY, make_people

COLUMNS = ["xm", "sfzh", "sjhm", "amount"]


def _csv(path: Path, rows: list[dict[str, object]]) -> Path:
    pacsv.write_csv(pa.Table.from_pylist(rows), path)
    return path


def test_fixed_rows_are_applied_on_the_next_run_and_traced(tmp_path: Path) -> None:
    people = make_people(tmp_path)
    fixed = _csv(
        tmp_path / "fixed.csv",
        [
            {
                "xm": "刘洋",
                "sfzh": "420102199003074578",
                "sjhm": "18612345678",
                "amount": "30",
                "_source_row": 4,
                "_reasons": "bad_id",
            }
        ],
    )
    stored = amend.store(people.settings, "people", DAY, fixed, COLUMNS, {3, 4})
    assert stored.name.startswith("001-") and stored.read_bytes() == fixed.read_bytes()
    second = people.run("r2")
    assert (second["rows_in"], second["rows_loaded"], second["rows_quarantined"]) == (4, 3, 1)
    restricted = delta.read(second["tables"]["restricted"])
    assert sorted(restricted["_source_row"].to_pylist()) == [1, 2, 4]
    files = read_meta(people.settings.lake, "source_files").to_pylist()
    roles = [(f["lineage_run_id"].split("/")[1], f["role"]) for f in files]
    assert sorted(roles) == [("r1", "delivery"), ("r2", "delivery"), ("r2", "resubmission")]
    t = trace_row(
        people.settings, people.dataset, resolve_run(people.settings, people.dataset, "r2", None), 4
    )
    assert t["row"]["outcome"] == "loaded"
    assert t["source"]["resubmitted_in"][0]["relative_path"].endswith(stored.name)
    # the earlier run still says what happened then
    old = trace_row(
        people.settings, people.dataset, resolve_run(people.settings, people.dataset, "r1", None), 4
    )
    assert old["row"]["outcome"] == "quarantined"


@pytest.mark.parametrize(
    ("rows", "needle"),
    [
        ([{"xm": "a", "sfzh": "b", "sjhm": "c", "amount": "1"}], "no _source_row"),
        ([{"xm": "a", "sfzh": "b", "sjhm": "c", "_source_row": 3}], "missing ['amount']"),
        (
            [{"xm": "a", "sfzh": "b", "sjhm": "c", "amount": "1", "_source_row": 1}],
            "not quarantined",
        ),
        (
            [{"xm": "a", "sfzh": "b", "sjhm": "c", "amount": "1", "_source_row": 3}] * 2,
            "more than once",
        ),
    ],
)
def test_bad_resubmissions_are_refused(
    tmp_path: Path, rows: list[dict[str, object]], needle: str
) -> None:
    people_settings = make_people(tmp_path).settings
    path = _csv(tmp_path / "f.csv", rows)
    with pytest.raises(DataError, match=needle.replace("[", r"\[").replace("]", r"\]")):
        amend.store(people_settings, "people", DAY, path, COLUMNS, {3, 4})


def test_the_same_file_is_not_stored_twice(tmp_path: Path) -> None:
    settings = make_people(tmp_path).settings
    row = {"xm": "李娜", "sfzh": "x", "sjhm": "y", "amount": "1", "_source_row": 3}
    path = _csv(tmp_path / "f.csv", [row])
    amend.store(settings, "people", DAY, path, COLUMNS, {3})
    with pytest.raises(ConfigError, match="already resubmitted"):
        amend.store(settings, "people", DAY, path, COLUMNS, {3})
    with pytest.raises(ConfigError, match="no such file"):
        amend.store(settings, "people", DAY, tmp_path / "none.csv", COLUMNS, {3})
