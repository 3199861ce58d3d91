"""The products pages over the sample lake with releases made: states, counts, no values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from etl.access import Grant
from etl.access.config import write_access
from etl.ui import create_app
from etl.zones import Zone
from tests.unit.products.released import Released, build_released
from tests.unit.sample_lake import SampleLake
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate, bearer, granting


@dataclass(frozen=True)
class Pages:
    released: Released
    client: TestClient


@pytest.fixture(scope="module")
def pages(lake: SampleLake, tmp_path_factory: pytest.TempPathFactory) -> Pages:
    released = build_released(lake, tmp_path_factory.mktemp("ui_products"), "ui")
    app = create_app(lambda: released.settings, authenticate, OPERATOR_SEES_ALL)
    return Pages(released, TestClient(app))


def _row(html: str, attribute: str, value: str) -> str:
    start = html.index(f'<tr {attribute}="{value}"')
    return html[start : html.index("</tr>", start)]


def _cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="n {name}">([^<]*)<', row)
    assert found is not None, name
    return found.group(1)


def test_the_index_shows_each_product_with_state_and_last_release(pages: Pages) -> None:
    reply = pages.client.get("/products", headers=AUTH)
    assert reply.status_code == 200
    html = reply.text
    assert 'href="/products">授权运营 Products</a>' in html  # the navigation
    district = _row(html, "data-product", "ui_district")
    assert 'href="/products/ui_district"' in district
    assert 'href="/dags/product__ui_district"' in district
    assert "武汉城市发展研究院有限公司" in district and "武数授〔2024〕12号" in district
    assert "有效 active" in district and "2025-01-31" in district
    rows = pages.released.releases["district"][-1].rows
    assert _cell(district, "rows") == f"{rows:,}"
    recipients = _row(html, "data-product", "ui_recipients")
    assert "已到期 expired" in recipients and "2025-06-30" in recipients
    assert _cell(_row(html, "data-product", "ui_strict"), "refusals") == "1"
    api = pages.client.get("/api/products", headers=AUTH).json()
    assert {p["id"]: p["state"] for p in api} == {
        "ui_district": "active",
        "ui_later": "active",
        "ui_recipients": "expired",
        "ui_strict": "active",
    }


def test_the_product_page_lists_releases_and_refusals(pages: Pages) -> None:
    html = pages.client.get("/products/ui_strict", headers=AUTH).text
    assert "武汉洪山区社会救助服务中心 · 统一社会信用代码 12420100MB0000003F" in html
    assert "武数授〔2024〕20号 · 市数据局 · 2024-06-01" in html
    refused = _row(html, "data-release", "ui_strict-2024-07-31")
    assert 'data-status="refused"' in refused
    assert str(escape(pages.released.refusal)) in refused
    assert "k_anonymity (relief_payments) ✗" in refused
    assert "ceiling (relief_payments) ✓" in refused
    district = pages.client.get("/products/ui_district", headers=AUTH).text
    latest = pages.released.releases["district"][-1]
    row = _row(district, "data-release", latest.release_id)
    assert _cell(row, "rows") == f"{latest.rows:,}"
    assert _cell(row, "suppressed") == str(latest.suppressed_cells)
    api = pages.client.get("/api/products/ui_district", headers=AUTH).json()
    assert [r["release_id"] for r in api["history"]] == [
        r.release_id for r in reversed(pages.released.releases["district"])
    ]
    assert api["dag_id"] == "product__ui_district"
    never = pages.client.get("/products/ui_later", headers=AUTH).text
    assert 'id="no-release"' in never


def test_an_expired_products_active_grant_is_warned(pages: Pages) -> None:
    access = pages.released.settings.access_file
    write_access(
        access,
        "grants:\n  - {principal: 'os:hongshan', zones: [shared], expires: 2099-01-31,"
        " document: 武数授〔2024〕15号}\n",
    )
    try:
        html = pages.client.get("/products/ui_recipients", headers=AUTH).text
    finally:
        access.unlink()
    assert "os:hongshan 至 until 2099-01-31 (active)" in html
    assert '<div class="warning">product ui_recipients expired on 2025-06-30' in html


def test_no_released_value_or_token_appears(pages: Pages) -> None:
    [recipients] = pages.released.releases["recipients"]
    released = pq.read_table(recipients.path / "relief_payments.parquet")
    tokens = {t for t in released.column("sfzh").to_pylist() if t}
    assert tokens
    texts = [
        pages.client.get(path, headers=AUTH).text
        for path in ("/products", "/products/ui_recipients", "/api/products/ui_recipients")
    ]
    for token in tokens:
        assert not any(token in text or token.partition(":")[2] in text for text in texts)


def test_an_unknown_product_is_a_404_with_one_line(pages: Pages) -> None:
    message = "no product 'nope' in the registry"
    page = pages.client.get("/products/nope", headers=AUTH)
    assert page.status_code == 404 and f"<p>{escape(message)}</p>" in page.text
    api = pages.client.get("/api/products/nope", headers=AUTH)
    assert (api.status_code, api.json()) == (404, {"detail": message})


def test_a_user_who_may_not_see_a_source_does_not_see_the_product(pages: Pages) -> None:
    elsewhere = Grant(
        principal="alice", zones=(Zone.SHARED,), domains=("population",), expires=date(2099, 1, 1)
    )
    app = create_app(lambda: pages.released.settings, authenticate, granting(elsewhere))
    client = TestClient(app)
    alice = bearer("alice")
    index = client.get("/products", headers=alice)
    assert index.status_code == 200 and "ui_district" not in index.text
    assert client.get("/api/products", headers=alice).json() == []
    page = client.get("/products/ui_district", headers=alice)
    assert page.status_code == 403
    api = client.get("/api/products/ui_district", headers=alice)
    assert (api.status_code, api.json()) == (
        403,
        {"detail": "user 'alice' may not read product 'ui_district'"},
    )
