"""`pubdata classify PATH`: any file, JSON contract shape, readable table, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.cli.main import main
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["classify", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_contract_on_a_sample_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO / "samples/landing/health/clinic_visits/20240601.xlsx"
    out = run_json([str(path)], capsys)
    assert list(out) == [
        "path",
        "rows_sampled",
        "dataset_grade",
        "flags",
        "rules",
        "columns",
        "withheld",
    ]
    assert out["dataset_grade"] == "L4" and out["rows_sampled"] == 600
    assert list(out["columns"][0]) == ["name", "category", "grade", "confidence", "evidence"]
    got = {c["name"]: c["category"] for c in out["columns"]}
    assert got["sfzh"] == "id_card" and got["zddm"] == "health" and got["jzlsh"] == "none"


def test_a_file_outside_the_landing_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.parquet"
    pq.write_table(
        pa.table(
            {
                "email": [f"user{i}@example.com" for i in range(50)],
                "ip": [f"10.0.{i}.1" for i in range(50)],
                "remark": ["ok"] * 50,
            }
        ),
        path,
    )
    out = run_json([str(path), "--sample", "40"], capsys)
    assert out["rows_sampled"] == 40
    assert {c["name"]: c["grade"] for c in out["columns"]} == {
        "email": "L3",
        "ip": "L3",
        "remark": "L2",
    }


def test_readable_table(capsys: pytest.CaptureFixture[str]) -> None:
    path = REPO / "samples/landing/transport/vehicle_positions/2024-06-01.jsonl"
    assert main(["classify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "grade L4" in out and "license_plate" in out and "rules:" in out
    assert "鄂A" not in out  # evidence never carries values


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["classify", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
    other = tmp_path / "notes.md"
    other.write_text("x")
    assert main(["classify", str(other)]) == 2
    assert "unknown file type '.md'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["classify", str(other), "--sample", "0"])


def test_the_publication_guard_shows_what_it_would_withhold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a contact column under an opaque header: 60% mobile numbers, too few for the decision
    # without a name hint, too many to publish raw
    contact = [f"1390000{i:04d}" if i % 5 < 3 else f"工单{i}" for i in range(200)]
    path = tmp_path / "tickets.parquet"
    pq.write_table(pa.table({"c7": contact, "gdbh": [f"GD{i:06d}" for i in range(200)]}), path)
    out = run_json([str(path)], capsys)
    assert {c["name"]: c["category"] for c in out["columns"]} == {"c7": "none", "gdbh": "none"}
    assert out["withheld"] == [
        {"column": "c7", "category": "mobile_phone", "grade": "L3", "values": 120, "checked": 200}
    ]
    assert main(["classify", str(path)]) == 0
    text = capsys.readouterr().out
    assert "c7: looks like mobile_phone (L3) in 120 of 200 values" in text
    assert "13900000" not in text
