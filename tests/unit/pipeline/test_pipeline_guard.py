"""The publication guard in a run: a column the decision missed never reaches shared/open raw."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow.compute as pc
import pytest

from etl.errors import DataError
from etl.lake import delta
from etl.lineage import read_meta
from etl.pipeline import steps_publish as publish
from etl.pipeline.local import run_local
from etl.registry import Dataset
from etl.runtime.context import RunContext, staging_dir
from etl.runtime.records import LoadResult
from etl.settings import Settings
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
ROWS = 200
#: A work-order table under opaque headers: nothing says it holds persons, but three in five
#: contact values are mobile numbers.
MOBILES = [f"1390000{i:04d}" for i in range(ROWS)]


def contact(i: int) -> str:
    return MOBILES[i] if i % 5 < 3 else f"窗口{i % 7}"


def setup(tmp_path: Path, **extra: object) -> tuple[Settings, Dataset]:
    landing = tmp_path / "landing" / "tickets"
    landing.mkdir(parents=True)
    lines = ["gdbh,c7,sl"] + [f"GD{i:06d},{contact(i)},{i % 3}" for i in range(ROWS)]
    (landing / f"{DAY.isoformat()}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = make_settings(tmp_path / "home", PUBDATA_LANDING=str(tmp_path / "landing"))
    spec: dict[str, object] = {
        "id": "tickets",
        "title": "工单",
        "department": "service",
        "domain": "service",
        "source": {"kind": "file", "format": "csv", "path": "tickets/{ds}.csv"},
        "classification": {"baseline": "L1"},
        "open": True,
    }
    spec.update(extra)
    return settings, Dataset.model_validate(spec)


def ctx() -> RunContext:
    return RunContext("tickets", "ingest__service__tickets", "r1", DAY)


def test_a_personal_column_the_decision_missed_is_withheld_from_shared_and_open(
    tmp_path: Path,
) -> None:
    settings, dataset = setup(tmp_path)
    summary = run_local(settings, dataset, ctx()).to_dict()
    assert summary["dataset_grade"] == "L1"  # the decision saw no personal column
    restricted = delta.read(summary["tables"]["restricted"])
    assert restricted["c7"].to_pylist()[:3] == MOBILES[:3]
    for zone in ("shared", "open"):
        table = delta.read(summary["tables"][zone])
        assert table["c7"].null_count == table.num_rows == ROWS  # a column without a value
        assert table.schema.field("c7").metadata[b"pubdata.status"] == b"withheld"
        assert {"gdbh", "sl"} <= set(table.column_names)
    loaded = json.loads((staging_dir(settings, ctx()) / LoadResult.FILE).read_text("utf-8"))
    assert loaded["withheld"] == [
        {"column": "c7", "category": "mobile_phone", "grade": "L3", "values": 120, "checked": 200}
    ]
    assert summary["withheld"] == loaded["withheld"]  # the run summary counts it
    [hold] = [r for r in read_meta(settings.lake, "reviews").to_pylist() if r["subject"] == "c7"]
    assert (hold["kind"], hold["status"]) == ("withheld_column", "pending")
    assert "pubdata review confirm tickets c7" in hold["detail"]
    assert "1390000" not in hold["detail"]
    lineage = read_meta(settings.lake, "column_lineage")
    c7 = lineage.filter(pc.equal(lineage["source_column"], "c7")).to_pylist()
    assert {(r["zone"], r["transformation"]) for r in c7} == {
        ("restricted", "identity"),
        ("shared", "withheld"),
        ("open", "withheld"),
    }


def test_a_column_a_person_cleared_in_the_registry_is_published(tmp_path: Path) -> None:
    cleared = {
        "c7": {
            "category": "none",
            "grade": "L1",
            "reason": "窗口服务电话 (published)",
            "reviewer": "王审核",
            "reviewed": "2024-06-02",
        }
    }
    settings, dataset = setup(tmp_path, classification={"baseline": "L1", "columns": cleared})
    summary = run_local(settings, dataset, ctx()).to_dict()
    assert delta.read(summary["tables"]["open"])["c7"].to_pylist()[:3] == MOBILES[:3]
    loaded = json.loads((staging_dir(settings, ctx()) / LoadResult.FILE).read_text("utf-8"))
    assert loaded["withheld"] == []
    # the grading record names who cleared it and when
    rows = read_meta(settings.lake, "classifications").to_pylist()
    [c7] = [r for r in rows if r["column"] == "c7"]
    assert (c7["decided_by"], c7["reviewer"], str(c7["reviewed"])) == (
        "registry",
        "王审核",
        "2024-06-02",
    )


def test_nothing_is_checked_when_nothing_goes_out(tmp_path: Path) -> None:
    settings, dataset = setup(tmp_path, classification={"important": True})
    summary = run_local(settings, dataset, ctx()).to_dict()
    assert set(summary["tables"]) == {"restricted"}
    loaded = json.loads((staging_dir(settings, ctx()) / LoadResult.FILE).read_text("utf-8"))
    assert loaded["withheld"] == []
    assert publish.zones_for(dataset, publish.DatasetClassification((), "L1", ("IMP",), ())) == [
        "restricted"
    ]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_delivered_column_named_like_a_pipeline_column_never_reaches_shared(
    tmp_path: Path, fmt: str
) -> None:
    # `_phone` would pass classification and projection untouched, like `_source_row`
    landing = tmp_path / "landing" / "d"
    landing.mkdir(parents=True)
    rows = [{"编号": f"GD{i:04d}", "_phone": MOBILES[i]} for i in range(ROWS)]
    path = landing / f"{DAY.isoformat()}.{fmt}"
    if fmt == "csv":
        lines = ["编号,_phone"] + [f"{r['编号']},{r['_phone']}" for r in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    settings = make_settings(tmp_path / "home", PUBDATA_LANDING=str(tmp_path / "landing"))
    spec: dict[str, object] = {
        "id": "tickets",
        "title": "工单",
        "department": "service",
        "domain": "service",
        "source": {"kind": "file", "format": fmt, "path": "d/{ds}." + fmt},
    }
    with pytest.raises(DataError, match=r"column '_phone' of d/2024-06-01\.\w+ starts with '_'"):
        run_local(settings, Dataset.model_validate(spec), ctx())
    assert not (settings.home / "lake" / "shared").exists()

    spec["normalize"] = {"rename": {"_phone": "lxdh"}}
    summary = run_local(
        settings, Dataset.model_validate(spec), RunContext("tickets", "d", "r2", DAY)
    )
    shared = delta.read(summary.tables["shared"])
    assert "_phone" not in shared.column_names
    assert not set(MOBILES) & {str(v) for c in shared.columns for v in c.to_pylist()}
