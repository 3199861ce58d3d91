"""Draft suites: useful checks, and never a value of a classified column."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.cli.main import main
from etl.validate import suite_from_dict
from etl.validate.suggest import suggest_suite
from tests.conftest import REPO

N = 40
NAMES = [f"张{chr(0x4E00 + i)}" for i in range(N)]
IDS = [f"42010519900101{i:03d}X" for i in range(N)]
TABLE = pa.table(
    {
        "xm": NAMES,
        "sfzh": IDS,
        "zt": ["在册", "迁出", "在册", "死亡"] * (N // 4),  # low cardinality, each value 10 times
        "rare": ["甲"] * (N - 1) + ["乙"],  # a value seen once must not be listed
        "age": pa.array([18 + i for i in range(N)], pa.int64()),
        "mz": ["汉族"] * N,  # classified (ethnicity): no value set even though it is one value
        "djrq": pa.array([date(2024, 6, 1)] * N, pa.date32()),
        "bz": [None] + ["x"] * (N - 1),
    }
)
CLASSES = {
    "xm": ("person_name", "L3"),
    "sfzh": ("id_card", "L3"),
    "zt": ("none", "L1"),
    "rare": ("none", "L1"),
    "age": ("none", "L2"),
    "mz": ("ethnicity", "L3"),
    "djrq": ("none", "L1"),
    "bz": ("none", "L1"),
}


def _draft() -> dict:
    return suggest_suite(TABLE, "people", CLASSES, {"relative_path": "p.csv", "sha256": "s"})


def test_draft_is_a_valid_suite_with_useful_checks() -> None:
    doc = _draft()
    spec = suite_from_dict(json.loads(json.dumps(doc)))
    kinds = {(e.type, e.column) for e in spec.expectations}
    assert ("expect_column_values_to_match_regex", "sfzh") in kinds
    assert ("expect_column_values_to_be_in_set", "zt") in kinds
    assert ("expect_column_values_to_not_be_null", "xm") in kinds
    assert ("expect_column_values_to_not_be_null", "bz") not in kinds
    age = next(
        e
        for e in doc["expectations"]
        if e["type"].endswith("between") and e["kwargs"].get("column") == "age"
    )
    assert age["kwargs"] == {"column": "age", "min_value": 0, "max_value": 60}
    assert {e.severity for e in spec.expectations if e.type.startswith("expect_column")} == {"warn"}
    assert doc["meta"]["pubdata_draft"]["source"] == "p.csv"


def test_draft_holds_no_classified_or_rare_value() -> None:
    text = json.dumps(_draft(), ensure_ascii=False)
    for value in [*NAMES, *IDS, "汉族", "乙"]:
        assert value not in text
    classified = [
        e for e in _draft()["expectations"] if e["kwargs"].get("column") in {"xm", "sfzh", "mz"}
    ]
    assert {e["type"] for e in classified} <= {
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
    }


def test_suggest_command_on_a_sample_delivery(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(REPO / "datasets"))
    monkeypatch.setenv("PUBDATA_LANDING", str(REPO / "samples" / "landing"))
    out = tmp_path / "draft.json"
    args = ["expectations", "suggest", "household_register", "--date", "2024-06-01"]
    assert main([*args, "--output", str(out)]) == 0
    assert "wrote a draft" in capsys.readouterr().out
    doc = json.loads(out.read_text(encoding="utf-8"))
    suite_from_dict(doc)
    raw = (REPO / "samples/landing/public_security/household_register/2024-06-01.csv").read_bytes()
    values = {v for line in raw.decode("gbk").splitlines()[1:] for v in line.split(",")}
    text = json.dumps(doc, ensure_ascii=False)
    leaked = {v for v in values if len(v) >= 2 and f'"{v}"' in text}
    assert not leaked
    assert main([*args, "--output", str(out)]) == 2  # no silent overwrite
