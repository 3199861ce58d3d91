"""pubdata entity, conflicts, trace DOMAIN and the catalog's conflict counts, on a lake built
by the integration engine (tests/unit/integrate/builders.py)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from etl.access import hash_secret
from etl.access.config import write_access
from etl.cli.main import main
from etl.integrate import Domain
from etl.integrate.engine import integrate
from etl.integrate.tables import entity_tokens
from etl.lake import delta
from etl.lake.layout import integrated_table_uri
from etl.protect.keys import load_token_key
from etl.zones import Zone
from tests.unit.integrate.builders import (
    CHANGED_NAME,
    LEGAL_ENTITY,
    POPULATION,
    Lake,
    id_number,
    legacy_id_number,
    make_lake,
    org_code,
    person,
    population_with_changes,
    relief,
    uscc,
    write_domain_files,
)

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)
A, B = id_number(1), id_number(2)
# an ID number whose check character is X, to be typed with a lower-case x
X = next(n for n in (id_number(i) for i in range(3, 400)) if n.endswith("X"))
COMPANY = uscc(1)
NAMES = ("张三", "张叁", "张三丰", "李四", "王五", "甲公司", "甲公司税务", "甲厂")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = write_domain_files(
        make_lake(tmp_path_factory.mktemp("integrated")), POPULATION, LEGAL_ENTITY
    )
    registry = lake.registry
    # the register writes A as a legacy 15-digit number; relief disagrees on A's name
    lake.write(
        "register",
        D1,
        [person(legacy_id_number(1), xm="张三", csrq=date(1990, 3, 7)), person(X, xm="王五")],
    )
    lake.write("relief", D1, [relief(A, xm="张叁", lxdh="13800138000"), relief(B, xm="李四")])
    lake.write("companies", D1, [{"tyshxydm": COMPANY, "qymc": "甲公司", "zcdz": "洪山路1号"}])
    lake.write("tax", D1, [{"nsrsbh": COMPANY, "nsrmc": "甲公司税务", "zcdz": "洪山路1号"}])
    lake.write("licences", D1, [{"zzjgdm": org_code(1), "jgmc": "甲厂"}])
    integrate(lake.settings, POPULATION, [], registry=registry)
    integrate(lake.settings, LEGAL_ENTITY, [], registry=registry)
    day2 = lake.write("register", D2, [person(A, xm="张三丰", csrq=date(1990, 3, 7))])
    integrate(lake.settings, POPULATION, [day2], registry=registry)
    return lake


def _env(lake: Lake, monkeypatch: pytest.MonkeyPatch, clearance: str) -> None:
    s = lake.settings
    monkeypatch.setenv("PUBDATA_HOME", str(s.home))
    monkeypatch.setenv("PUBDATA_LAKE", s.lake)
    monkeypatch.setenv("PUBDATA_REGISTRY", str(s.registry))
    monkeypatch.setenv("PUBDATA_TOKEN_KEY", s.token_key or "")
    monkeypatch.setenv("PUBDATA_CLEARANCE", clearance)


@pytest.fixture
def restricted(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Lake:
    _env(lake, monkeypatch, "restricted")
    return lake


@pytest.fixture
def shared(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Lake:
    _env(lake, monkeypatch, "shared")
    return lake


def token(lake: Lake, key: str, domain: Domain = POPULATION) -> str:
    secret = load_token_key(lake.settings.home, lake.settings.token_key)
    found: str = entity_tokens(domain, pa.array([key]), secret)[0].as_py()
    return found


def _no_values(text: str, *keys: str) -> None:
    for value in (*NAMES, *keys):
        assert value not in text


def test_entity_shows_each_value_with_its_source(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    # the legacy 15-digit number finds the same person as its 18-digit form
    assert main(["entity", "population", legacy_id_number(1), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["key"], record["token"]) == (A, token(restricted, A))
    assert (record["valid_from"], record["is_current"]) == ("2024-06-02", True)
    by_name = {a["attribute"]: a for a in record["attributes"]}
    xm = by_name["xm"]
    assert (xm["value"], xm["dataset"], xm["department"], xm["authoritative"]) == (
        "张三丰",
        "register",
        "public_security",
        True,
    )
    assert (xm["source_file"], xm["source_row"], xm["date"]) == (
        "public_security/register/2024-06-02.csv",
        1,
        "2024-06-02",
    )
    assert xm["run_id"] == "scheduled__2024-06-02T00:00:00+00:00"
    assert (by_name["lxdh"]["value"], by_name["lxdh"]["dataset"]) == ("13800138000", "relief")
    assert main(["entity", "population", A]) == 0
    out = capsys.readouterr().out
    assert "张三丰" in out and "public_security/register/2024-06-02.csv" in out
    assert "source file" in out.splitlines()[1]


def test_entity_as_of_reads_history_and_a_lower_case_x_is_normalised(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["entity", "population", A, "--as-of", "2024-06-01", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["valid_from"], record["valid_to"], record["is_current"]) == (
        "2024-06-01",
        "2024-06-02",
        False,
    )
    assert {a["attribute"]: a["value"] for a in record["attributes"]}["xm"] == "张三"
    assert main(["entity", "population", X.lower(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["key"] == X
    assert main(["entity", "population", A, "--as-of", "2024-05-01"]) == 2
    err = capsys.readouterr().err
    assert "no population entity with that 公民身份号码 on 2024-05-01" in err
    assert A not in err


def test_entity_refuses_a_raw_key_without_restricted_clearance(
    shared: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["entity", "population", A]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1 and "PUBDATA_CLEARANCE" in captured.err
    _no_values(captured.err, A)


def test_an_invalid_key_is_refused_without_repeating_it(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = A[:-1] + ("0" if A[-1] != "0" else "1")
    assert main(["entity", "population", wrong]) == 2
    err = capsys.readouterr().err
    assert "not a valid 公民身份号码 of population" in err and wrong not in err


def test_a_token_at_shared_clearance_says_the_shared_table_is_absent(
    shared: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["entity", "population", token(shared, A)]) == 1
    captured = capsys.readouterr()
    assert "the shared zone has no integrated population table" in captured.err
    _no_values(captured.out + captured.err, A)


def test_a_token_at_shared_clearance_shows_the_shared_record(
    lake: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a lake of its own: the shared table would change what other tests see
    settings = replace(lake.settings, lake=str(tmp_path / "lake"))
    uri = integrated_table_uri(settings.lake, POPULATION.id, "records", Zone.SHARED)
    masked = pa.table(
        {"gmsfhm": [token(lake, A)], "xm": ["张*"], "is_current": [True], "_bucket": [1]}
    )
    delta.replace_all(uri, masked, {"pubdata.run_id": "test"})
    _env(Lake(settings, lake.registry), monkeypatch, "shared")
    assert main(["entity", "population", token(lake, A), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["zone"] == "shared" and found["record"]["xm"] == "张*"
    assert "_bucket" not in found["record"]
    # the look-up is in the access log: one token looked up, one row, the token itself not kept
    from etl.audit import Action, read_events

    [logged] = [e.event for e in read_events(settings) if e.event.action == Action.ENTITY]
    assert logged.tables == ("shared.integrated.population_records",)
    assert (logged.rows, logged.token_lookups) == (1, 1)
    assert token(lake, A) not in repr(logged)


def test_a_token_at_restricted_clearance_finds_the_record(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["entity", "population", token(restricted, B), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["key"] == B


def test_an_org_code_finds_the_legal_entity_whose_uscc_embeds_it(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    code = org_code(1)
    assert main(["entity", "legal_entity", f"{code[:8]}-{code[8]}", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["key"] == COMPANY
    assert {a["attribute"]: a["value"] for a in record["attributes"]}["dwmc"] == "甲公司"
    assert main(["entity", "legal_entity", org_code(2)]) == 2
    assert "embeds that 组织机构代码" in capsys.readouterr().err


def test_conflicts_list_the_losing_department_with_both_values(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "population", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["department"], r["gmsfhm"], r["attribute"]) for r in rows] == [
        ("civil_affairs", A, "xm")
    ]
    (row,) = rows
    assert (row["your_value"], row["your_dataset"], row["your_source_row"]) == (
        "张叁",
        "relief",
        "1",
    )
    assert (row["record_value"], row["record_dataset"], row["record_department"]) == (
        "张三丰",
        "register",
        "public_security",
    )
    assert (row["record_authoritative"], row["open"]) == ("yes", "yes")
    assert main(["conflicts", "population"]) == 0
    out = capsys.readouterr().out
    assert "civil_affairs" in out and "张叁" in out and "relief 2024-06-01" in out
    assert main(["conflicts", "population", "--department", "public_security"]) == 0
    assert "no open conflicts in population for department public_security" in (
        capsys.readouterr().out
    )
    assert main(["conflicts", "population", "--department", "nobody"]) == 2
    assert "departments: civil_affairs, health, public_security" in capsys.readouterr().err


def test_conflicts_of_legal_entities_name_every_losing_department(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "legal_entity", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted((r["department"], r["your_dataset"], r["your_value"]) for r in rows) == [
        ("market_regulation", "licences", "甲厂"),
        ("tax", "tax", "甲公司税务"),
    ]
    assert {r["tyshxydm"] for r in rows} == {COMPANY}


def test_conflicts_export_is_a_csv_excel_reads_as_utf8(
    restricted: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "纠错.csv"
    assert main(["conflicts", "population", "--export", str(path)]) == 0
    assert "wrote 1 conflicts of population" in capsys.readouterr().err
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["department", "gmsfhm", "attribute", "title", "your_value"]
    assert "record_value" in rows[0] and rows[0][-1] == "open"
    assert rows[1][:5] == ["civil_affairs", A, "xm", "姓名", "张叁"]
    assert len(rows) == 2
    assert main(["conflicts", "population", "--export", str(tmp_path / "x.txt")]) == 2
    assert "writes a .csv or .xlsx file" in capsys.readouterr().err


def test_conflicts_export_as_a_workbook(restricted: Lake, tmp_path: Path) -> None:
    from python_calamine import CalamineWorkbook

    path = tmp_path / "纠错.xlsx"
    assert main(["conflicts", "legal_entity", "--department", "tax", "--export", str(path)]) == 0
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["数据纠错回流"]
    rows = book.get_sheet_by_name("数据纠错回流").to_python()
    assert rows[0][:3] == ["department", "tyshxydm", "attribute"]
    assert [r[:5] for r in rows[1:]] == [["tax", COMPANY, "dwmc", "单位名称", "甲公司税务"]]


def test_conflicts_are_refused_at_shared_clearance(
    shared: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "out.csv"
    assert main(["conflicts", "population", "--export", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not path.exists()
    assert len(captured.err.splitlines()) == 1 and "PUBDATA_CLEARANCE" in captured.err


def test_trace_an_integrated_record_names_dataset_run_file_and_row(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "population", legacy_id_number(1), "lxdh", "--json"]) == 0
    (lxdh,) = json.loads(capsys.readouterr().out)
    assert (lxdh["dataset"], lxdh["department"], lxdh["source_file"], lxdh["source_row"]) == (
        "relief",
        "civil_affairs",
        "civil_affairs/relief/2024-06-01.csv",
        1,
    )
    assert lxdh["row_trace"] == (
        "pubdata trace relief --run scheduled__2024-06-01T00:00:00+00:00 --source-row 1"
    )
    assert "value" not in lxdh
    assert main(["trace", "population", A]) == 0
    out = capsys.readouterr().out
    assert "public_security/register/2024-06-02.csv" in out and "pubdata trace register" in out
    _no_values(out, A)
    assert main(["trace", "population", A, "nosuch"]) == 2
    assert "population has no attribute 'nosuch'" in capsys.readouterr().err


def test_trace_needs_a_row_or_an_entity(
    restricted: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "register"]) == 2
    assert "give --source-row N or --row-key COLUMN=VALUE" in capsys.readouterr().err


def test_trace_by_token_at_shared_clearance_without_a_shared_table_is_refused(
    shared: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trace", "population", token(shared, A)]) == 2
    captured = capsys.readouterr()
    assert "PUBDATA_CLEARANCE" in captured.err and captured.out == ""
    _no_values(captured.err, A)


def test_the_catalog_counts_open_conflicts_per_source(
    shared: Lake, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["catalog", "--json"]) == 0
    items = {i["dataset"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["relief"]["conflicts"] == {"lost": 1, "won": 0}
    assert items["register"]["conflicts"] == {"lost": 0, "won": 1}
    assert items["companies"]["conflicts"] == {"lost": 0, "won": 2}
    assert items["clinic"]["conflicts"] == {"lost": 0, "won": 0}
    assert "freshness" in items["relief"]  # the existing keys stay
    assert main(["catalog"]) == 0
    out = capsys.readouterr().out
    assert "conflicts" in out.splitlines()[0] and "1 lost, 0 won" in out
    assert main(["catalog", "tax"]) == 0
    assert "open conflicts (integrated)" in capsys.readouterr().out


ANALYST_SECRET = "analyst-secret-for-tests"


@pytest.fixture
def analyst(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lake]:
    """A named principal granted the legal_entity repository's restricted tables only."""
    access = lake.settings.access_file
    write_access(
        access,
        f"""
principals:
  - name: analyst
    secret_hash: {hash_secret(ANALYST_SECRET, iterations=1000)}
grants:
  - principal: analyst
    zones: [restricted]
    domains: [legal_entity]
    expires: 2999-12-31
""",
    )
    _env(lake, monkeypatch, "restricted")
    monkeypatch.setenv("PUBDATA_PRINCIPAL", "analyst")
    monkeypatch.setenv("PUBDATA_PRINCIPAL_SECRET", ANALYST_SECRET)
    yield lake
    access.unlink()


def test_a_principal_reads_only_the_repositories_it_is_granted(
    analyst: Lake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conflicts", "legal_entity", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["tyshxydm"] == COMPANY
    assert main(["entity", "legal_entity", COMPANY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["key"] == COMPANY
    path = tmp_path / "out.csv"
    refused = {
        ("conflicts", "population", "--export", str(path)): "pubdata conflicts (keys and values)",
        ("entity", "population", A): "naming a population entity by its 公民身份号码",
        ("trace", "population", A): "naming a population entity by its 公民身份号码",
    }
    for argv, what in refused.items():
        assert main(list(argv)) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and not path.exists()
        assert captured.err == (
            f"pubdata: {what}: principal analyst has no grant for "
            "restricted.integrated.population_records\n"
        )
    # a token falls back to the shared copy, which is not granted either
    assert main(["entity", "population", token(analyst, A)]) == 2
    assert "analyst has no grant for shared.integrated.population_records" in (
        capsys.readouterr().err
    )


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    return population_with_changes(tmp_path_factory.mktemp("changed"))


def test_lookups_lists_and_counts_read_the_updates_in_the_changes_tables(
    changed: Lake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _env(changed, monkeypatch, "restricted")
    assert main(["entity", "population", A, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert {a["attribute"]: a["value"] for a in record["attributes"]}["xm"] == CHANGED_NAME
    third = id_number(3)  # only in the changes: found by its key and by its token
    for name in (third, token(changed, third)):
        assert main(["entity", "population", name, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["key"] == third
    # the update resolved the conflict: no open one, and the resolved one with the new value
    assert main(["conflicts", "population", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["conflicts", "population", "--all", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["gmsfhm"], row["open"], row["resolved"]) == (A, "no", "2024-06-02")
    assert (row["record_value"], row["your_value"]) == (CHANGED_NAME, "张叁")
    assert main(["catalog", "--json"]) == 0
    items = {i["dataset"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["relief"]["conflicts"] == {"lost": 0, "won": 0}
