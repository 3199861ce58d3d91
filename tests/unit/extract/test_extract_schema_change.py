from __future__ import annotations

import pyarrow as pa
import pytest

from etl.errors import ValidationFailed
from etl.extract import compare_schema
from etl.registry.normalize import SchemaChangesSpec

BEFORE = pa.schema(
    [("id", pa.string()), ("n", pa.int64()), ("d", pa.date32()), ("_run_id", pa.string())]
)


def test_first_run_and_no_change() -> None:
    assert compare_schema(None, BEFORE, None).errors == []
    same = pa.schema([("id", pa.large_string()), ("n", pa.int64()), ("d", pa.date32())])
    change = compare_schema(BEFORE, same)
    assert (change.added, change.removed, change.retyped) == ((), (), ())


def test_added_column_is_a_warning() -> None:
    after = BEFORE.append(pa.field("new", pa.string()))
    change = compare_schema(BEFORE, after)
    assert change.added == ("new",)
    assert change.errors == []
    assert change.warnings == ["column 'new' is new; the tables gain it"]
    change.raise_for_errors("x")


def test_removed_or_retyped_stops_the_run_naming_the_column() -> None:
    after = pa.schema([("id", pa.string()), ("n", pa.string())])
    change = compare_schema(BEFORE, after)
    assert change.removed == ("d",)
    assert change.retyped == (("n", "int64", "string"),)
    with pytest.raises(
        ValidationFailed, match=r"dataset x: column 'd' is missing .*\(and 1 more\)"
    ):
        change.raise_for_errors("x")
    assert change.to_dict()["retyped"] == [["n", "int64", "string"]]


def test_declared_changes_are_accepted() -> None:
    after = pa.schema([("id", pa.string()), ("n", pa.string())])
    change = compare_schema(BEFORE, after, SchemaChangesSpec(removed=["d"], retyped=["n"]))
    assert change.errors == []
    assert change.accepted == ("removed:d", "retyped:n")
    change.raise_for_errors("x")
