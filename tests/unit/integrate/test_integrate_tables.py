"""Key buckets, the tables' columns, the as-of filter and the resolved reads."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pytest

from etl.integrate.tables import (
    BUCKETS,
    UNRECORDED_BUCKETS,
    as_of_filter,
    bucket_count,
    candidates_schema,
    conflicts_schema,
    current_records,
    key_buckets,
    read_integrated,
    records_as_of,
    records_schema,
    table_doc,
    table_schema,
)
from etl.lake import delta
from etl.lake.layout import integrated_table_uri
from tests.unit.integrate.builders import (
    CHANGED_NAME,
    POPULATION,
    Lake,
    id_number,
    make_lake,
    population_with_changes,
    uscc,
)


@pytest.mark.parametrize(
    ("buckets", "expected"), [(UNRECORDED_BUCKETS, [84, 96, 99]), (BUCKETS, [9, 21, 24])]
)
def test_buckets_are_fixed_for_ever(buckets: int, expected: list[int]) -> None:
    # a key's bucket decides which files hold it: a change would strand every existing row
    keys = ["11010519491231002X", "420106199003071238", "91420100562148998X"]

    def documented(key: str) -> int:
        hashed = sum(ord(c) * pow(31, i, 1_000_003) for i, c in enumerate(key)) % 1_000_003
        return hashed % buckets

    found = key_buckets(pa.array(keys), buckets).to_pylist()
    assert found == [documented(k) for k in keys] == expected


@pytest.mark.parametrize("buckets", [BUCKETS, UNRECORDED_BUCKETS])
def test_buckets_spread_ids_and_usccs_over_every_bucket(buckets: int) -> None:
    ids = [id_number(i, born=f"19{50 + i % 40:02d}0{1 + i % 9}1{i % 10}") for i in range(5000)]
    codes = [uscc(i) for i in range(5000)]
    expected = 5000 / buckets
    for keys in (ids, codes):
        found = key_buckets(pa.array(keys), buckets).to_pylist()
        counts = [found.count(b) for b in range(buckets)]
        assert min(counts) > 0.4 * expected and max(counts) < 1.8 * expected


def test_a_repository_gets_more_buckets_only_when_it_outgrows_the_fewest() -> None:
    assert bucket_count(0) == bucket_count(3_000_000) == BUCKETS == 25  # 1M persons, 3 sources
    assert bucket_count(3_000_001) == 26
    assert bucket_count(30_000_000) == 250  # 10M persons: buckets of the same size


def test_buckets_of_a_sliced_array() -> None:
    keys = pa.array(["420106199003071238", "91420100562148998X", "11010519491231002X"])
    whole = key_buckets(keys, BUCKETS).to_pylist()
    assert key_buckets(keys.slice(1), BUCKETS).to_pylist() == whole[1:]
    assert key_buckets(pa.chunked_array([keys]), BUCKETS).type == pa.int16()
    assert key_buckets(pa.array([], pa.string()), BUCKETS).to_pylist() == []


@pytest.mark.parametrize(
    "keys", [["42010619900307123"], [None], ["４２０１０６１９９００３０７１２３８"]]
)
def test_only_canonical_keys_have_buckets(keys: list[str | None]) -> None:
    with pytest.raises(ValueError, match="18 ASCII characters"):
        key_buckets(pa.array(keys, pa.string()), BUCKETS)


def test_the_records_carry_lineage_per_attribute_and_versions() -> None:
    names = records_schema(POPULATION).names
    assert names[:2] == ["_bucket", "gmsfhm"]
    assert names[2:8] == [
        "xm",
        "xm__dataset",
        "xm__run_id",
        "xm__source_file",
        "xm__source_row",
        "xm__date",
    ]
    assert names[-3:] == ["valid_from", "valid_to", "is_current"]
    assert records_schema(POPULATION).field("csrq").type == pa.date32()
    assert candidates_schema(POPULATION).names[-4:] == [
        "_run_id",
        "_source_file",
        "_source_row",
        "_logical_date",
    ]


def test_the_conflicts_table_has_no_key_and_no_value_column() -> None:
    names = set(conflicts_schema().names)
    assert not names & {"gmsfhm", "value", "source_value", "other_value", *POPULATION.attributes}
    doc = table_doc(POPULATION, "conflicts")
    assert doc.fields is not None and set(doc.fields) <= names


def test_the_as_of_filter_takes_the_version_in_force() -> None:
    versions = pa.table(
        {
            "valid_from": pa.array([date(2024, 6, 1), date(2024, 6, 2)], pa.date32()),
            "valid_to": pa.array([date(2024, 6, 2), None], pa.date32()),
        }
    )
    found = pads.dataset(versions)
    day = [
        found.to_table(filter=as_of_filter(d)).column("valid_from").to_pylist()
        for d in (date(2024, 5, 31), date(2024, 6, 1), date(2024, 6, 2), date(2030, 1, 1))
    ]
    assert day == [[], [date(2024, 6, 1)], [date(2024, 6, 2)], [date(2024, 6, 2)]]


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return population_with_changes(tmp_path_factory.mktemp("changed"))


def _names(table: pa.Table) -> dict[str, str]:
    return dict(
        zip(table.column("gmsfhm").to_pylist(), table.column("xm").to_pylist(), strict=True)
    )


def test_the_tables_read_their_base_with_the_updates_in_their_changes(changed: Lake) -> None:
    lake = changed.settings.lake
    a, b, c = (id_number(i) for i in (1, 2, 3))
    resolved = {a: CHANGED_NAME, b: "李四", c: "李四"}  # c is only in the changes
    assert _names(read_integrated(lake, POPULATION, "records")) == resolved
    assert _names(current_records(lake, POPULATION, ["gmsfhm", "xm"])) == resolved
    assert _names(records_as_of(lake, POPULATION, date(2024, 6, 1))) == resolved
    base = delta.read(integrated_table_uri(lake, "population", "records"))
    assert _names(base) == {a: "张三", b: "李四"}  # the base itself is not rewritten
    # a filter the update's rows fail hides the entity's older base rows too
    old = read_integrated(lake, POPULATION, "records", where=pc.field("xm") == "张三")
    assert old.num_rows == 0
    candidates = read_integrated(lake, POPULATION, "candidates", columns=["gmsfhm", "_dataset"])
    assert sorted(candidates.column("_dataset").to_pylist()) == ["register"] * 3 + ["relief"]
    conflicts = read_integrated(lake, POPULATION, "conflicts")
    assert conflicts.select(["is_open", "resolved"]).to_pylist() == [
        {"is_open": False, "resolved": date(2024, 6, 2)}
    ]


def test_time_travel_reads_the_changes_as_of_the_same_point(changed: Lake) -> None:
    lake = changed.settings.lake
    # version 0 is the build; the update came after it
    assert _names(read_integrated(lake, POPULATION, "records", as_of=0)) == {
        id_number(1): "张三",
        id_number(2): "李四",
    }
    with pytest.raises(ValueError, match="version 3 does not exist"):
        read_integrated(lake, POPULATION, "records", as_of=3)


def test_a_repository_not_built_yet_reads_empty(tmp_path: Path) -> None:
    lake = make_lake(tmp_path).settings.lake
    empty = read_integrated(lake, POPULATION, "records", columns=["gmsfhm", "xm"])
    assert (empty.num_rows, empty.column_names) == (0, ["gmsfhm", "xm"])
    assert read_integrated(lake, POPULATION, "conflicts").schema == conflicts_schema()
    assert current_records(lake, POPULATION).schema == records_schema(POPULATION)
    assert table_schema(POPULATION, "candidates") == candidates_schema(POPULATION)
    with pytest.raises(ValueError, match="unknown integrated table 'nope'"):
        table_schema(POPULATION, "nope")
