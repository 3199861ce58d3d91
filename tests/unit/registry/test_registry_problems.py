"""Registry problems name file, line and field, suggest the key meant, and reach ``pubdata run``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from etl.cli.main import main
from etl.registry import load_registry

HEAD = """\
id: {id}
title: 社保缴费
department: hrss
domain: social_security
source:
  kind: file
  format: csv
  path: hrss/{{ds}}.csv
"""


def problems_of(root: Path, name: str, text: str) -> list[str]:
    path = root / "hrss" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    registry = load_registry(root)
    assert all(p.path == path for p in registry.problems)
    return [str(p).removeprefix(f"{path}: ") for p in registry.problems]


@pytest.mark.parametrize(
    ("typo", "meant", "line"),
    [
        ('shedule: "@daily"', "schedule", 9),
        ("colums: {jfjs: float64}", "columns", 9),
        ("clasification: {floor: L3}", "classification", 9),
        ("classification:\n  flor: L3", "floor", 10),
        ("classification:\n  columns:\n    xm: {catgory: name}", "category", 11),
        ("normalize: {null_marker: []}", "null_markers", 9),
    ],
)
def test_a_mistyped_key_names_its_line_and_the_key_meant(
    tmp_path: Path, typo: str, meant: str, line: int
) -> None:
    problems = problems_of(tmp_path, "a.yaml", HEAD.format(id="a") + typo + "\n")
    assert all(p.startswith(f"line {line}: ") for p in problems)  # e.g. category now missing
    assert any(p.endswith(f": unknown key; did you mean {meant!r}?") for p in problems)


def test_a_key_of_a_source_kind_is_matched_against_that_kind(tmp_path: Path) -> None:
    text = HEAD.format(id="a").replace("  path:", "  pathh:")
    assert problems_of(tmp_path, "a.yaml", text) == [
        "line 5: source.path: required key is missing",
        "line 8: source.pathh: unknown key; did you mean 'path'?",
    ]


def test_a_key_nothing_resembles_keeps_the_closed_model_hint(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "a.yaml", HEAD.format(id="a") + "zzz: 1\n")
    assert problem == "line 9: zzz: unknown key (check the spelling; the registry model is closed)"


def test_values_and_cross_field_problems_name_line_and_field(tmp_path: Path) -> None:
    text = HEAD.format(id="a") + (
        "retries: 99\n"
        "columns: {jfjs: flaot64, je: 'decimal(40,2)'}\n"
        "classification:\n  columns:\n    xm: {category: name}\n"
    )
    assert problems_of(tmp_path, "a.yaml", text) == [
        "line 9: retries: Input should be less than or equal to 10",
        "line 10: columns.jfjs: unknown column type 'flaot64'; expected one of string, int64,"
        " float64, bool, date, timestamp, decimal(p,s); did you mean 'float64'?",
        "line 10: columns.je: decimal(40,2): precision must be 1 to 38",
    ]
    fixed = text.replace("flaot64", "float64").replace("decimal(40,2)", "decimal(12,2)")
    fixed = fixed.replace("retries: 99", "retries: 3")
    assert problems_of(tmp_path, "a.yaml", fixed) == [
        "line 13: classification.columns.xm: 'xm' is not declared in columns"
    ]


def test_a_missing_required_key_points_at_its_mapping(tmp_path: Path) -> None:
    text = "# a comment\n" + HEAD.format(id="a").replace("title: 社保缴费\n", "")
    assert problems_of(tmp_path, "a.yaml", text) == ["line 2: title: required key is missing"]


def test_duplicate_id_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "first.yaml").write_text(HEAD.format(id="a"), encoding="utf-8")
    [problem] = problems_of(tmp_path, "z.yaml", "# again\n" + HEAD.format(id="a"))
    assert problem == f"line 2: id: duplicate id 'a', also in {tmp_path / 'first.yaml'}"


def test_decimal_types_are_stored_in_one_spelling(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(HEAD.format(id="a") + "columns: {jfjs: 'decimal( 12, 2 )'}\n")
    assert load_registry(tmp_path).get("a").column_types == {"jfjs": "decimal(12,2)"}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "broken_model.yaml",
            HEAD.format(id="sb_jf") + "shedule: '@daily'\n",
            "broken_model.yaml, which is broken: line 9: shedule: unknown key; did you mean"
            " 'schedule'?; run `pubdata registry check`",
        ),
        (
            "broken_yaml.yaml",
            HEAD.format(id="sb_jf") + "title: [\n",
            "broken_yaml.yaml, which is broken: line 10: not valid YAML",
        ),
        (
            "sb_jf.yaml",
            "id: [sb_jf\n",
            "sb_jf.yaml, which is broken: line 2: not valid YAML",
        ),
    ],
    ids=["model", "yaml-with-id-line", "by-file-name"],
)
def test_run_of_a_dataset_in_a_broken_file_names_the_file_at_once(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    expected: str,
) -> None:
    registry = tmp_path / "registry"
    (registry / "ok").mkdir(parents=True)
    (registry / "ok" / "other.yaml").write_text(HEAD.format(id="other"), encoding="utf-8")
    (registry / "ok" / "third.yaml").write_text("id: third\n", encoding="utf-8")
    (registry / "hrss").mkdir()
    (registry / "hrss" / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    started = time.monotonic()
    assert main(["run", "sb_jf", "--date", "2024-06-01"]) == 2
    assert time.monotonic() - started < 1.5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"pubdata: sb_jf is declared in {registry / 'hrss'}/")
    assert expected in err
    assert not (tmp_path / "home" / "airflow").exists()  # Airflow was never set up


def test_run_of_an_id_no_file_declares_stays_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.yaml").write_text("id: other\n", encoding="utf-8")
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(tmp_path))
    assert main(["run", "sb_jf", "--date", "2024-06-01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pubdata: unknown dataset 'sb_jf'; the registry has 4 problem(s)")
