"""CLI commands that need no Airflow run: registry check, catalog, lineage, env, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from etl.cli.main import main
from etl.registry import load_registry
from tests.conftest import REPO


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(REPO / "datasets"))
    return tmp_path


def test_registry_check_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "check", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["problems"] == [] and "household_register" in out["datasets"]
    assert out["domains"] == ["legal_entity", "population"]
    assert out["products"] == ["air_quality_by_station", "relief_by_district", "relief_recipients"]


def test_registry_check_reports_domain_problems(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = env / "registry"
    shutil.copytree(REPO / "datasets", registry)
    domain = registry / "domains" / "population.yaml"
    text = domain.read_text(encoding="utf-8").replace("{xm: hzxm}", "{xm: hzmx}")
    domain.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    assert main(["registry", "check", "--registry-only"]) == 1
    captured = capsys.readouterr()
    line = text.splitlines().index("    attributes: {xm: hzmx}") + 1
    assert captured.err == (
        f"{domain}: line {line}: contributors.clinic_visits.attributes.xm: column 'hzmx' is not"
        " declared in clinic_visits's columns; did you mean 'hzxm'? (declared: jzlsh, hzxm,"
        " sfzh, jzrq, ksmc, zdmc, zddm, fy)\n"
    )
    datasets = len(load_registry(registry).datasets)
    assert captured.out == (
        f"{datasets} dataset(s), 1 domain(s), 3 product(s) in {registry}: 1 problem(s)\n"
    )


def test_registry_check_reports_product_problems(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = env / "registry"
    shutil.copytree(REPO / "datasets", registry)
    product = registry / "products" / "relief_recipients.yaml"
    text = product.read_text(encoding="utf-8").replace("[sfzh, jzdz,", "[sfhz, jzdz,")
    product.write_text(text, encoding="utf-8")
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    assert main(["registry", "check", "--registry-only"]) == 1
    captured = capsys.readouterr()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("columns:"))
    assert captured.err == (
        f"{product}: line {line}: columns.0: relief_payments declares no column 'sfhz'; "
        "did you mean 'sfzh'?\n"
    )
    assert "2 domain(s), 2 product(s)" in captured.out


def test_registry_check_reports_every_problem(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = env / "registry"
    registry.mkdir()
    (registry / "a.yaml").write_text("id: A\n")
    (registry / "b.yaml").write_text(": :\n")
    monkeypatch.setenv("PUBDATA_REGISTRY", str(registry))
    assert main(["registry", "check"]) == 1
    err = capsys.readouterr().err
    assert "a.yaml: line 1: id:" in err and "a.yaml: line 1: title: required key is missing" in err
    assert "b.yaml" in err


def test_unknown_dataset_is_one_line_exit_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lineage", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pubdata: unknown dataset 'nope'")


def test_catalog_before_any_run(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert {i["dataset"] for i in items} >= {"household_register", "air_quality"}
    assert all(i["last_status"] is None for i in items)


def test_catalog_of_one_dataset_has_its_data_dictionary(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "household_register", "--json"]) == 0
    [item] = json.loads(capsys.readouterr().out)
    columns = {c["column"]: c for c in item["columns"]}
    assert list(columns)[:3] == ["xm", "gmsfhm", "xb"]  # the registry's order before any run
    assert columns["csrq"] == {
        "column": "csrq",
        "title": "出生日期",
        "description": None,
        "type": "date",
        "declared": True,
    }
    assert columns["hh"]["description"] == "户口簿编号；同一户的成员户号相同"
    assert main(["catalog", "household_register"]) == 0
    card = capsys.readouterr().out
    assert "column  type    title" in card
    assert "csrq    date    出生日期" in card
    assert main(["catalog", "--json"]) == 0
    assert all("columns" not in i for i in json.loads(capsys.readouterr().out))


def test_bad_date_is_rejected_by_the_parser(env: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "household_register", "--date", "2024-13-01"])
    assert exc.value.code == 2


def test_env_prints_airflow_settings(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env"]) == 0
    out = capsys.readouterr().out
    assert "export AIRFLOW__CORE__LOAD_EXAMPLES=False" in out
    assert f"export AIRFLOW_HOME={env / 'home' / 'airflow'}" in out


def test_a_missing_delivery_is_answered_without_starting_airflow(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_LANDING", str(env / "landing"))
    (env / "landing").mkdir()
    assert main(["run", "household_register", "--date", "2024-06-01"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "household_register failed at extract: source not delivered: " in err
    assert "(no run was started)" in err
    assert not (env / "home" / "airflow").exists()  # no Airflow database was even created


def test_several_undelivered_datasets_answer_at_once_as_a_list(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # no delivery for that date: no runner starts, each dataset answers in one line
    ids = ["household_register", "air_quality"]
    assert main(["run", *ids, "--date", "2030-01-01", "--json"]) == 1
    captured = capsys.readouterr()
    summaries = json.loads(captured.out)
    assert [s["dataset"] for s in summaries] == ids
    assert all(s["status"] == "failed" and "no run was started" in s["error"] for s in summaries)
    failed = captured.err.splitlines()
    assert [line.split(" failed at ")[0] for line in failed] == [f"pubdata: {i}" for i in ids]
    # one id keeps its one object
    assert main(["run", "air_quality", "--date", "2030-01-01", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["dataset"] == "air_quality"


def test_a_date_range_takes_one_dataset(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "run",
        "air_quality",
        "budget_execution",
        "--start",
        "2024-06-01",
        "--end",
        "2024-06-02",
    ]
    assert main(argv) == 2
    assert "a date range (--start/--end) runs one dataset" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["run", "household_register"], ["demo"]])
def test_a_malformed_token_key_stops_the_run_before_airflow_starts(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setenv("PUBDATA_TOKEN_KEY", "secret-without-a-key-id")
    assert main([*command, "--date", "2024-06-01"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "pubdata: PUBDATA_TOKEN_KEY: token key must have the form <key_id>:<base64 secret>\n"
    )
    assert not (env / "home" / "airflow").exists()  # found before any work, not at load
