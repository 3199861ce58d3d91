"""The yearly disclosure: which products, to whom, for what; a year's releases and rows only."""

from __future__ import annotations

import csv
import json

import pytest

from etl.products.disclosure import DISCLOSURE_HEADERS, disclosure, render
from etl.products.status import release_records
from tests.unit.products.released import Released, build_released
from tests.unit.sample_lake import SampleLake


@pytest.fixture(scope="module")
def released(lake: SampleLake, tmp_path_factory: pytest.TempPathFactory) -> Released:
    return build_released(lake, tmp_path_factory.mktemp("disclosure"), "dis")


def _year(released: Released, year: int) -> dict[str, tuple[int, int]]:
    records = release_records(released.settings.lake, [p.id for p in released.products.values()])
    entries = disclosure(released.products.values(), records, year)
    return {e.product.removeprefix("dis_"): (e.releases, e.rows) for e in entries}


def test_a_year_lists_the_products_in_force_with_that_years_releases(released: Released) -> None:
    district = [r.rows for r in released.releases["district"]]
    [recipients] = released.releases["recipients"]
    # 2024: the 2025 authorisation is left out; a refused release is no release
    assert _year(released, 2024) == {
        "district": (2, district[0] + district[1]),
        "recipients": (1, recipients.rows),
        "strict": (0, 0),
    }
    # 2025: the district's January release; recipients in force until June, released in 2024
    assert _year(released, 2025) == {
        "district": (1, district[2]),
        "recipients": (0, 0),
        "strict": (0, 0),
        "later": (0, 0),
    }
    # 2026: the expired product is no longer disclosed; nothing before the first authorisation
    assert set(_year(released, 2026)) == {"district", "strict", "later"}
    assert _year(released, 2023) == {}


def test_the_entry_says_who_what_why_and_nothing_else(released: Released) -> None:
    records = release_records(released.settings.lake, [p.id for p in released.products.values()])
    entries = disclosure(released.products.values(), records, 2024)
    document = json.loads(render(entries, 2024, "json"))
    assert document["year"] == 2024
    entry = next(e for e in document["products"] if e["product"] == "dis_recipients")
    assert set(entry) == set(DISCLOSURE_HEADERS)
    assert entry["consumer_name"] == "武汉洪山区社会救助服务中心"
    assert entry["consumer_uscc"] == "12420100MB0000003F"
    assert (entry["document"], entry["authorised_on"]) == ("武数授〔2024〕15号", "2024-05-28")
    assert entry["purpose"] == "救助对象动态管理（重复领取核查）"
    assert entry["tables"] == ["relief_payments (shared)"]
    assert entry["columns"] == ["sfzh", "jzdz", "jzlx", "ffyf"]
    assert entry["expires"] == "2025-06-30"
    text = render(entries, 2024, "csv")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(text.removeprefix("\ufeff").splitlines()))
    assert [r["产品编号 product"] for r in rows] == ["dis_district", "dis_recipients", "dis_strict"]
    assert rows[1]["字段 columns"] == "sfzh、jzdz、jzlx、ffyf"
    markdown = render(entries, 2024, "md")
    assert markdown.startswith("# 2024 年度公共数据授权运营情况")
    assert (
        "| dis_recipients | 低保救助对象（令牌化，按区） | 武汉洪山区社会救助服务中心 |" in markdown
    )
    for text in (markdown, json.dumps(document, ensure_ascii=False)):
        assert "anonymous" not in text and str(released.settings.home) not in text
    assert "no product was authorised or released in 2023" in render([], 2023, "md")
