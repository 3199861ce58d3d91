"""``pubdata products``: the list, one product, a release now, and the yearly disclosure."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from etl.access.config import write_access
from etl.cli.main import main
from tests.unit.products.released import Released, build_released
from tests.unit.sample_lake import SampleLake


@pytest.fixture(scope="module")
def released(lake: SampleLake, tmp_path_factory: pytest.TempPathFactory) -> Released:
    return build_released(lake, tmp_path_factory.mktemp("cli_products"), "cli")


@pytest.fixture
def env(released: Released, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Released:
    for name, value in released.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return released


def _row(out: str, product: str) -> list[str]:
    [line] = [line for line in out.splitlines() if line.startswith(f"{product} ")]
    return line.split()


def test_the_list_shows_state_last_release_rows_refusals(
    env: Released, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["products"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "product", "consumer", "purpose", "expires", "state", "last", "release", "rows",
        "refusals", "linked", "grant",
    ]  # fmt: skip
    district = env.releases["district"][-1]
    assert _row(out, "cli_district")[3:] == [
        "2099-12-31", "active", "2025-01-31", str(district.rows), "0", "-",
    ]  # fmt: skip
    assert _row(out, "cli_recipients")[3:6] == ["2025-06-30", "expired", "2024-06-30"]
    assert _row(out, "cli_strict")[3:] == ["2099-12-31", "active", "1", "-"]
    assert main(["products", "--json"]) == 0
    listed = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    assert set(listed) == {"cli_district", "cli_recipients", "cli_strict", "cli_later"}
    assert listed["cli_strict"] | {"linked_grants": []} == listed["cli_strict"]
    assert (listed["cli_strict"]["refusals"], listed["cli_strict"]["last_release"]) == (1, None)
    assert listed["cli_district"]["consumer"]["uscc"] == "91420100MA4K00001U"


def test_an_expired_products_active_grant_is_shown_and_warned(
    env: Released, capsys: pytest.CaptureFixture[str]
) -> None:
    grant = (
        "grants:\n  - {principal: 'os:hongshan', zones: [shared], expires: 2099-01-31,"
        " document: 武数授〔2024〕15号}\n"
    )
    write_access(env.settings.access_file, grant)
    try:
        assert main(["products"]) == 0
    finally:
        env.settings.access_file.unlink()
    captured = capsys.readouterr()
    assert _row(captured.out, "cli_recipients")[-2:] == ["os:hongshan", "(active)"]
    assert captured.err == (
        "pubdata: warning: product cli_recipients expired on 2025-06-30 but its linked grant to "
        "os:hongshan (document 武数授〔2024〕15号) is active until 2099-01-31; end it in the "
        "access file\n"
    )


def test_show_gives_the_declaration_and_every_attempt_with_its_gate(
    env: Released, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["products", "show", "cli_strict"]) == 0
    out = capsys.readouterr().out
    assert "consumer   武汉洪山区社会救助服务中心 (12420100MB0000003F)" in out
    assert "document   武数授〔2024〕20号 (市数据局, 2024-06-01)" in out
    assert "row level, k=1000" in out
    assert "ceiling ok; approval ok; k_anonymity FAILED" in out
    assert env.refusal in out
    assert main(["products", "show", "cli_district", "--json"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert [r["logical_date"] for r in page["history"]] == [
        "2025-01-31",
        "2024-12-31",
        "2024-06-30",
    ]
    assert {r["status"] for r in page["history"]} == {"released"}
    assert page["history"][0]["suppressed_cells"] == env.releases["district"][-1].suppressed_cells
    assert page["aggregation"] == {"group_by": ["jzdz", "jzlx"], "measures": ["payments"]}


def test_release_now_and_again(env: Released, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["products", "release", "cli_district", "--date", "2025-02-28"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("cli_district-2025-02-28: 1 file(s), ")
    assert main(["products", "release", "cli_district", "--date", "2025-02-28", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["release_id"], again["reused"], again["files"]) == (
        "cli_district-2025-02-28",
        True,
        1,
    )
    assert Path(again["path"], "manifest.json").is_file()


def test_refusals_exit_1_with_the_one_line(
    env: Released, capsys: pytest.CaptureFixture[str]
) -> None:
    # expired: no release now, even for a day before the expiry
    assert main(["products", "release", "cli_recipients", "--date", "2025-06-01"]) == 1
    assert capsys.readouterr().err == (
        "pubdata: product cli_recipients expired on 2025-06-30; no release for 2025-06-01\n"
    )
    assert main(["products", "release", "cli_strict", "--date", "2024-08-31"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pubdata: product cli_strict: relief_payments is not 1000-anonymous")
    assert err.count("\n") == 1
    assert main(["products", "release", "nope"]) == 2
    assert "unknown product 'nope'" in capsys.readouterr().err


def test_disclose_writes_the_years_products(
    env: Released, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "2024.csv"
    assert (
        main(["products", "disclose", "--year", "2024", "--format", "csv", "--output", str(output)])
        == 0
    )
    assert capsys.readouterr().out == f"wrote {output}: 3 product(s) for 2024\n"
    rows = list(csv.DictReader(output.read_text(encoding="utf-8-sig").splitlines()))
    counts = {r["产品编号 product"]: r["年度交付次数 releases"] for r in rows}
    assert counts == {"cli_district": "2", "cli_recipients": "1", "cli_strict": "0"}
    assert main(["products", "disclose", "--year", "2025"]) == 0
    markdown = capsys.readouterr().out
    assert "| cli_later |" in markdown and "武数授〔2025〕3号" in markdown
    with pytest.raises(SystemExit):
        main(["products", "disclose", "--year", "25"])
    assert "not a year (YYYY): '25'" in capsys.readouterr().err
