"""``pubdata inventory``: the 数据分类分级清单 and 重要数据目录 as CSV, xlsx and JSON, versioned."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from etl.cli.inventory_cmd import COLUMN_SHEET, IMPORTANT_SHEET
from etl.cli.main import main
from etl.cli.output import EXCEL_BOM as BOM
from etl.lake import delta
from etl.lineage.inventory import inventory_table_uri
from tests.unit.cli.review_lake import DAYS, SECRETS, ReviewLake, make_review_lake


@pytest.fixture
def lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReviewLake:
    built = make_review_lake(tmp_path)
    monkeypatch.setenv("PUBDATA_HOME", str(built.settings.home))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(built.settings.registry))
    monkeypatch.setenv("PUBDATA_LAKE", built.settings.lake)
    monkeypatch.chdir(tmp_path)
    return built


def _no_values(text: str) -> None:
    assert not [s for s in SECRETS if s in text]


def test_csv_opens_in_chinese_excel_and_has_the_chinese_titles(
    lake: ReviewLake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "清单.csv"
    assert main(["inventory", "--output", str(out)]) == 0
    assert "4 columns, 0 重要数据 datasets" in capsys.readouterr().out
    raw = out.read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    by_column = {r["字段 column"]: r for r in rows}
    assert set(by_column) == {"xm", "sfzh", "bz", "amount"}
    assert by_column["xm"]["字段中文名 column title"] == "姓名"
    assert by_column["sfzh"]["字段中文名 column title"] == "身份证号"
    assert by_column["bz"]["字段中文名 column title"] == "bz"  # no title: the delivered header
    sfzh = by_column["sfzh"]
    assert (sfzh["数据类别 category"], sfzh["数据级别 grade"]) == ("id_card", "L3")
    assert sfzh["判定方式 decided by"] == "registry" and "公民身份号码" in sfzh["定级依据 basis"]
    assert sfzh["部门名称 department title"] == "市公安局"
    assert by_column["xm"]["判定方式 decided by"] == "detector"
    assert by_column["xm"]["数据日期 logical date"] == "2024-06-02"
    important = tmp_path / "清单.important.csv"
    assert important.read_bytes().startswith(BOM.encode("utf-8"))
    _no_values(raw.decode("utf-8-sig") + important.read_text(encoding="utf-8-sig"))


def test_the_registry_titles_and_describes_columns_in_every_format(
    lake: ReviewLake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lake.registry_file.read_text(encoding="utf-8")
    documented = "bz: {title: 备注, description: 经办人填写的联系情况}"
    lake.registry_file.write_text(text.replace("bz: string", documented), encoding="utf-8")
    out = tmp_path / "inventory.csv"
    assert main(["inventory", "--output", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    by_column = {r["字段 column"]: r for r in rows}
    bz = by_column["bz"]
    assert (bz["字段中文名 column title"], bz["字段说明 column description"]) == (
        "备注",
        "经办人填写的联系情况",
    )
    assert by_column["xm"]["字段说明 column description"] == ""
    capsys.readouterr()
    assert main(["inventory", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    bz_json = next(c for c in doc["columns"] if c["column"] == "bz")
    assert (bz_json["column_title"], bz_json["column_description"]) == (
        "备注",
        "经办人填写的联系情况",
    )
    xlsx = tmp_path / "inventory.xlsx"
    assert main(["inventory", "--format", "xlsx", "--output", str(xlsx)]) == 0
    [header, *cells] = (
        CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name(COLUMN_SHEET).to_python()
    )
    described = header.index("字段说明 column description")
    assert "经办人填写的联系情况" in [row[described] for row in cells]


def test_xlsx_has_the_two_sheets(lake: ReviewLake, tmp_path: Path) -> None:
    out = tmp_path / "inventory.xlsx"
    assert main(["inventory", "--format", "xlsx", "--output", str(out)]) == 0
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [COLUMN_SHEET, IMPORTANT_SHEET]
    columns = book.get_sheet_by_name(COLUMN_SHEET).to_python()
    assert columns[0][0] == "数据集编号 dataset" and len(columns) == 5
    assert len(book.get_sheet_by_name(IMPORTANT_SHEET).to_python()) == 1  # header only
    _no_values(json.dumps(columns, ensure_ascii=False))


def test_json_shape_and_important_data_from_the_registry(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lake.registry_file.read_text(encoding="utf-8")
    lake.registry_file.write_text(text.replace("  floor: L3", "  important: true\n  floor: L3"))
    assert main(["inventory", "--format", "json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert set(doc) == {"snapshot_at", "version", "columns", "important"}
    assert set(doc["columns"][0]) == {
        "dataset",
        "dataset_title",
        "department",
        "department_title",
        "domain",
        "column",
        "column_title",
        "column_description",
        "category",
        "grade",
        "basis",
        "decided_by",
        "reviewer",
        "decided_on",
        "logical_date",
        "lineage_run_id",
    }
    [imp] = doc["important"]
    assert imp["dataset"] == "people" and imp["basis"] == "registry: classification.important"
    assert imp["persons"] is None and imp["logical_date"] == "2024-06-02"
    _no_values(out)


def test_snapshots_are_versioned_and_an_earlier_one_can_be_exported(
    lake: ReviewLake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["inventory", "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["inventory", "--format", "json"]) == 0  # unchanged: no new snapshot
    assert json.loads(capsys.readouterr().out)["version"] == first["version"] == 0
    args = ["review", "confirm", "people", "bz", "--category", "none", "--grade", "L2"]
    assert main([*args, "--reason", "notes", "--by", "王五"]) == 0
    lake.run(DAYS[1], "r3", None)
    capsys.readouterr()
    assert main(["inventory", "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["version"] == 1
    bz = next(c for c in second["columns"] if c["column"] == "bz")
    assert (bz["category"], bz["decided_by"]) == ("none", "registry")
    assert delta.version(inventory_table_uri(lake.settings.lake)) == 1
    assert main(["inventory", "--format", "json", "--as-of", "0"]) == 0
    earlier = json.loads(capsys.readouterr().out)
    assert earlier["columns"] == first["columns"] and earlier["version"] == 0
    assert main(["inventory", "--as-of", "7"]) == 2
    assert "--as-of 7" in capsys.readouterr().err
