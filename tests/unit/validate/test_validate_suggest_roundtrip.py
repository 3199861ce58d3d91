"""A data engineer's round trip: suggest a draft for a fresh 2,000-row file, check it, run it.

The draft must pass ``pubdata registry check`` as written, and say (not drop) what it could
not check: undeclared columns and declared columns whose values do not parse.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from etl.cli.main import main
from etl.pipeline.local import run_local
from etl.registry import load_registry
from etl.runtime.context import RunContext
from etl.validate.suggest import suggest_suite
from tests.conftest import make_settings

DAY = date(2024, 6, 1)
ROWS = 2000
HEAD = """\
id: social_insurance
title: 社保缴费
department: hrss
domain: social_security
source: {kind: file, format: csv, path: 'hrss/{ds}.csv'}
"""
UNITS = ["市第一建筑有限公司", "华信科技股份有限公司", "市人民医院", "东方物流有限公司"]


def _id_number(rng: random.Random) -> str:
    body = f"110101{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body += f"{rng.randint(0, 999):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    rng = random.Random(12)
    lines = ["姓名,身份证号,缴费月份,缴费基数,单位名称"]
    for _ in range(ROWS):
        name = rng.choice("王李张刘陈杨") + rng.choice("伟芳娜敏静丽强")
        base = f"{rng.randint(3000, 30000)}.{rng.randint(0, 99):02d}"
        lines.append(
            f"{name},{_id_number(rng)},2024-{rng.randint(1, 5):02d},{base},{rng.choice(UNITS)}"
        )
    (tmp_path / "landing" / "hrss").mkdir(parents=True)
    (tmp_path / "landing" / "hrss" / f"{DAY}.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "registry").mkdir()
    (tmp_path / "expectations").mkdir()
    for key, folder in [("LANDING", "landing"), ("REGISTRY", "registry")]:
        monkeypatch.setenv(f"PUBDATA_{key}", str(tmp_path / folder))
    monkeypatch.setenv("PUBDATA_EXPECTATIONS", str(tmp_path / "expectations"))
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    return tmp_path


def suggest_and_check(home: Path, columns: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Register with ``columns``, suggest into the suite file itself, check; the notes."""
    (home / "registry" / "social_insurance.yaml").write_text(HEAD + columns, encoding="utf-8")
    suite = home / "expectations" / "social_insurance.json"
    suite.unlink(missing_ok=True)
    assert main(["expectations", "suggest", "social_insurance", "--output", str(suite)]) == 0
    notes = capsys.readouterr().err
    assert main(["registry", "check"]) == 0, capsys.readouterr().err
    assert "1 suite(s): no problems" in capsys.readouterr().out
    return notes


def test_a_partial_declaration_gives_a_draft_the_check_accepts_and_says_what_it_left(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = suggest_and_check(
        home, 'columns: {缴费月份: date, 缴费基数: "decimal(12,2)"}\n', capsys
    )
    lines = notes.splitlines()
    assert len(lines) == 2 and all(line.startswith("note: ") for line in lines)
    assert lines[0].startswith(
        'note: 缴费月份 (declared date): 2,000 values do not parse; 2,000 look like "9999-99"'
        " (looks like YYYY-MM"
    )
    assert "no expectations on 姓名, 身份证号, 单位名称: not declared in columns:" in lines[1]
    suite = json.loads((home / "expectations" / "social_insurance.json").read_text())
    assert suite["meta"]["pubdata_draft"]["notes"] == [n.removeprefix("note: ") for n in lines]
    [structure] = [e for e in suite["expectations"] if "column_set" in e["kwargs"]]
    assert structure["kwargs"]["column_set"] == ["缴费月份", "缴费基数"]  # the declared ones
    assert not re.search(r"\d{6}|[王李张刘陈杨][伟芳娜敏静丽强]", notes)  # shapes, not values


def test_declaring_every_column_drafts_them_all_and_the_draft_runs(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    columns = (
        "columns: {姓名: string, 身份证号: string, 缴费月份: string,"
        ' 缴费基数: "decimal(12,2)", 单位名称: string}\n'
    )
    assert suggest_and_check(home, columns, capsys) == ""
    suite = json.loads((home / "expectations" / "social_insurance.json").read_text())
    named = {e["kwargs"].get("column") for e in suite["expectations"]} - {None}
    assert named == {"姓名", "身份证号", "缴费月份", "缴费基数", "单位名称"}
    settings = make_settings(
        home / "home",
        PUBDATA_LANDING=str(home / "landing"),
        PUBDATA_EXPECTATIONS=str(home / "expectations"),
        PUBDATA_REGISTRY=str(home / "registry"),
    )
    dataset = load_registry(settings.registry).get("social_insurance")
    summary = run_local(
        settings, dataset, RunContext(dataset.id, dataset.dag_id, "r1", DAY)
    ).to_dict()
    assert (summary["rows_in"], summary["rows_loaded"], summary["rows_quarantined"]) == (
        ROWS,
        ROWS,
        0,
    )


def test_a_decimal_column_gets_a_json_range() -> None:
    amounts = pa.array([Decimal("12.50"), Decimal("9449.29")] * 10, pa.decimal128(12, 2))
    doc = suggest_suite(
        pa.table({"ysje": amounts}), "b", {"ysje": ("none", "L1")}, {}, {"ysje": "decimal(12,2)"}
    )
    [between] = [
        e
        for e in doc["expectations"]
        if e["type"].endswith("to_be_between") and e["kwargs"].get("column")
    ]
    assert (between["kwargs"]["min_value"], between["kwargs"]["max_value"]) == (0, 10000)
    json.dumps(doc)  # no Decimal left in the draft
