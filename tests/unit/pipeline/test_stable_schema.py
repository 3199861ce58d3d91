"""The shared and open tables keep their columns whatever one date's data decides.

A date with a minor (R4 lifts every personal column to L4), a date whose contact column the
publication guard withholds, and a delivery without a column: each keeps the column as a typed
column of nulls whose field metadata says why, so the table's schema (names and types) is the
same after every date, first run included.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from etl.lake import delta
from etl.lake.dictionary import REASON, STATUS, STATUS_DATE, STATUS_HISTORY
from etl.lineage import read_meta
from etl.pipeline.local import run_local
from etl.read import read
from etl.registry import load_registry
from etl.runtime.context import RunContext
from etl.settings import Settings
from tests.conftest import make_settings
from tests.unit.read.test_reading_doc import DOC_TABLE, _python_blocks

D1, D2, D3 = date(2024, 6, 1), date(2024, 6, 2), date(2024, 6, 3)
PEOPLE = """\
id: people
title: 人口 people
department: public_security
domain: population
source: {kind: file, format: csv, path: "people/{ds}.csv"}
columns: {xm: string, sfzh: string, csrq: date, sl: int64}
"""
TICKETS = """\
id: tickets
title: 工单 tickets
department: service
domain: service
source: {kind: file, format: csv, path: "tickets/{ds}.csv"}
classification: {baseline: L1}
open: true
schema_changes: {removed: [c7]}
"""
PERSONAL = ("xm", "sfzh", "csrq")
ROWS = 60


def lake(tmp_path: Path) -> Settings:
    registry = tmp_path / "registry"
    registry.mkdir()
    (registry / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    (registry / "tickets.yaml").write_text(TICKETS, encoding="utf-8")
    return make_settings(
        tmp_path / "home",
        PUBDATA_REGISTRY=str(registry),
        PUBDATA_LANDING=str(tmp_path / "landing"),
    )


def deliver(settings: Settings, dataset: str, day: date, lines: list[str]) -> None:
    folder = settings.landing / dataset
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{day.isoformat()}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def register(day: date, minor: bool) -> list[str]:
    """Persons with valid ID numbers; with ``minor`` the first was born in 2015."""
    from stdnum.cn import ric

    lines = ["xm,sfzh,csrq,sl"]
    for i in range(ROWS):
        born = date(2015, 3, 1) if minor and i == 0 else date(1960 + i % 30, 1 + i % 12, 1)
        body = f"110105{born:%Y%m%d}{i:03d}"
        sfzh = body + ric.calc_check_digit(body + "0")
        lines.append(
            f"{'张王李赵'[i % 4]}{'伟芳娜'[i % 3]},{sfzh},{born.isoformat()},{(i + day.day) % 5}"
        )
    return lines


def run(settings: Settings, dataset: str, day: date) -> dict[str, str]:
    spec = load_registry(settings.registry).get(dataset)
    summary = run_local(settings, spec, RunContext(dataset, spec.dag_id, f"r-{day}", day))
    return dict(summary.tables)


def names_and_types(uri: str) -> list[tuple[str, str]]:
    return [(f.name, str(f.type)) for f in delta.schema(uri)]


def field_meta(uri: str, column: str) -> dict[str, str]:
    """A column's metadata as Delta's log holds it (read with deltalake itself)."""
    [field] = [f for f in DeltaTable(uri).schema().fields if f.name == column]
    return dict(field.metadata)


def rows_of(uri: str, day: date) -> pa.Table:
    table = delta.read(uri)
    return table.filter(pc.equal(table["_logical_date"], pa.scalar(day, pa.date32())))


def test_a_date_with_a_minor_keeps_the_personal_columns_as_nulls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = lake(tmp_path)
    schemas = []
    # the first run has a minor: nothing earlier, still every delivered column is there
    for day, minor in ((D1, True), (D2, False), (D3, True)):
        deliver(settings, "people", day, register(day, minor))
        tables = run(settings, "people", day)
        shared = tables["shared"]
        schemas.append(names_and_types(shared))
        day_rows = rows_of(shared, day)
        assert day_rows.num_rows == ROWS
        for column in PERSONAL:
            meta = field_meta(shared, column)
            assert meta[STATUS_DATE] == day.isoformat()
            assert meta[STATUS_HISTORY].startswith("_meta.column_lineage")
            if minor:
                assert day_rows[column].null_count == ROWS, (day, column)
                assert meta[STATUS] == "removed"
                assert "lifted from L3 by R4" in meta[REASON]
            else:
                assert day_rows[column].null_count == 0, (day, column)
                assert meta[STATUS] in {"masked", "tokenized", "generalized"}
        assert field_meta(shared, "sl")[STATUS] == "published"
        assert rows_of(tables["restricted"], day)["xm"].null_count == 0  # restricted has all
    assert schemas[0] == schemas[1] == schemas[2]
    assert dict(schemas[0])["csrq"] == "string"  # the year it is generalized to, on every date
    assert [n for n, _ in schemas[0] if not n.startswith("_")] == ["xm", "sfzh", "csrq", "sl"]

    # each date's status stays in the lineage
    lineage = read_meta(settings.lake, "column_lineage").to_pylist()
    by_date = {
        (str(r["logical_date"]), r["transformation"])
        for r in lineage
        if r["zone"] == "shared" and r["source_column"] == "xm"
    }
    assert by_date == {
        ("2024-06-01", "dropped"),
        ("2024-06-02", "masked"),
        ("2024-06-03", "dropped"),
    }

    # the pubdata reader: same columns every date, the metadata of the latest commit
    for day in (D1, D2, D3):
        table = read("people", date=day, settings=settings)
        assert [(f.name, str(f.type)) for f in table.schema] == schemas[0]
        assert table.schema.field("xm").metadata[STATUS.encode()] == b"removed"
    assert read("people", date=D2, columns=["xm"], settings=settings)["xm"].null_count == 0

    # docs/reading.md's example, on this lake
    (example,) = _python_blocks("The shared table's columns do not change with a day's data")
    for name, value in (
        ("PUBDATA_HOME", str(settings.home)),
        ("PUBDATA_LAKE", settings.lake),
        ("PUBDATA_REGISTRY", str(settings.registry)),
    ):
        monkeypatch.setenv(name, value)
    namespace: dict[str, Any] = {}
    example = example.replace(DOC_TABLE, tables["shared"]).replace("household_register", "people")
    exec(example, namespace)
    assert namespace["meta"]["xm"][STATUS] == "removed"
    assert namespace["status"] == b"removed"


def contacts(mobiles: bool, c7: bool = True) -> list[str]:
    """Work orders; with ``mobiles`` three in five contacts are mobile numbers."""
    lines = ["gdbh,c7,sl" if c7 else "gdbh,sl"]
    for i in range(ROWS):
        contact = f"1390000{i:04d}" if mobiles and i % 5 < 3 else f"窗口{i % 7}"
        lines.append(f"GD{i:06d},{contact},{i % 3}" if c7 else f"GD{i:06d},{i % 4}")
    return lines


def test_a_withheld_or_missing_column_stays_in_shared_and_open(tmp_path: Path) -> None:
    settings = lake(tmp_path)
    deliver(settings, "tickets", D1, contacts(mobiles=True))
    first = run(settings, "tickets", D1)
    deliver(settings, "tickets", D2, contacts(mobiles=False))
    second = run(settings, "tickets", D2)
    deliver(settings, "tickets", D3, contacts(mobiles=False, c7=False))  # schema_changes: c7
    schemas: dict[str, list[list[tuple[str, str]]]] = {"shared": [], "open": []}
    for zone in schemas:
        schemas[zone].append(names_and_types(first[zone]))
    for zone in schemas:
        schemas[zone].append(names_and_types(second[zone]))
        assert field_meta(second[zone], "c7")[STATUS] == "published"
    third = run(settings, "tickets", D3)
    for zone, found in schemas.items():
        found.append(names_and_types(third[zone]))
        assert found[0] == found[1] == found[2], zone
        assert ("c7", "string") in found[0]
        withheld = rows_of(third[zone], D1)["c7"]
        assert withheld.null_count == ROWS  # the guard's date: no value, not even one
        assert rows_of(third[zone], D2)["c7"].null_count == 0
        assert rows_of(third[zone], D3)["c7"].null_count == ROWS
        meta = field_meta(third[zone], "c7")
        assert (meta[STATUS], meta[STATUS_DATE]) == ("not_delivered", "2024-06-03")
    # re-running the guard's date: the latest commit's status is the guard's
    run(settings, "tickets", D1)
    meta = field_meta(first["open"], "c7")
    assert (meta[STATUS], meta[STATUS_DATE]) == ("withheld", "2024-06-01")
    assert "publication guard" in meta[REASON]
    assert "1390000" not in "".join(meta.values())
    opened = read("tickets", zone="open", settings=settings)
    assert names_and_types(first["open"]) == [(f.name, str(f.type)) for f in opened.schema]
    assert not {v for v in opened["c7"].to_pylist() if v and v.startswith("1390000")}
