"""The repository page over a lake the integration engine built: counts, rates, no values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from etl.integrate.engine import integrate
from etl.integrate.tables import read_integrated
from etl.ui import create_app
from tests.unit.integrate.builders import (
    POPULATION,
    clinic,
    id_number,
    make_lake,
    person,
    relief,
    write_domain_files,
)
from tests.unit.sample_lake import SampleLake
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate

D1, D2 = date(2024, 6, 1), date(2024, 6, 2)
A, B, C = id_number(1), id_number(2), id_number(3)
WRONG = id_number(9)[:-1] + ("0" if id_number(9)[-1] != "0" else "1")  # wrong check digit
#: Every value the inputs hold (keys and attribute values), none of which a page may show.
VALUES = [A, B, C, WRONG, "张三", "李四", "王五", "张叁", "13900000001", "洪山路1号", "新华路9号"]
VALUES += ["1990-03-07", "1990-03-08", "1991-01-01"]


@dataclass(frozen=True)
class Built:
    client: TestClient
    tokens: list[str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Two integrations of POPULATION: a full build on D1, an incremental update on D2.

    D1: xm of A differs in relief (a conflict), csrq of A differs in clinic (a conflict); relief
    delivers a key with a wrong check digit. D2: relief agrees on A's name again (the xm
    conflict closes) and moves A (a new version); its wrong key is delivered again.
    """
    lake = write_domain_files(make_lake(tmp_path_factory.mktemp("repository")), POPULATION)
    first = [
        lake.write(
            "register",
            D1,
            [person(A, xm="张三", csrq=date(1990, 3, 7), lxdh="13900000001"), person(B, xm="李四")],
        ),
        lake.write(
            "relief",
            D1,
            [
                relief(A, xm="张叁"),
                relief(C, xm="王五", jzdz="洪山路1号"),
                relief(WRONG, xm="王五"),
            ],
        ),
        lake.write(
            "clinic",
            D1,
            [
                clinic(A, hzxm="张三", csrq=date(1990, 3, 8)),
                clinic(B, hzxm="李四", csrq=date(1991, 1, 1)),
                clinic(C, hzxm="王五"),
            ],
        ),
    ]
    integrate(lake.settings, POPULATION, first, registry=lake.registry)
    second = lake.write("relief", D2, [relief(A, xm="张三", jzdz="新华路9号"), relief(WRONG)])
    integrate(lake.settings, POPULATION, [second], registry=lake.registry)
    conflicts = read_integrated(lake.settings.lake, POPULATION, "conflicts")
    tokens = conflicts.column("entity").to_pylist()
    return Built(
        TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL)), tokens
    )


def _row(html: str, attribute: str, value: str) -> str:
    """The ``<tr>`` of the table row marked ``attribute="value"``."""
    start = html.index(f'<tr {attribute}="{value}">')
    return html[start : html.index("</tr>", start)]


def _cell(row: str, name: str) -> str:
    found = re.search(rf'<td class="n {name}[^"]*">([^<]*)<', row)
    assert found is not None, name
    return found.group(1)


def test_the_page_shows_entities_coverage_and_match_rates(built: Built) -> None:
    reply = built.client.get("/repositories/population", headers=AUTH)
    assert reply.status_code == 200
    html = reply.text
    assert "人口基础信息库" in html and 'href="/dags/integrate__population"' in html
    # A, B and C; A changed on D2, so four versions
    assert "3 当前 current · 4 版本 versions" in html
    assert '<dd id="as-of">2024-06-02</dd>' in html
    register, relief_, clinic_ = (
        _row(html, "data-source", d) for d in ("register", "relief", "clinic")
    )
    # coverage: entities the source knows / current entities (never rounded up to 100%)
    assert [_cell(r, "entities") for r in (register, relief_, clinic_)] == ["2", "2", "3"]
    assert [_cell(r, "coverage") for r in (register, relief_, clinic_)] == [
        "66.6%",
        "66.6%",
        "100%",
    ]
    # match rate of the latest integrated run: relief's D2 run, 1 of 2 keys
    assert (_cell(relief_, "delivered"), _cell(relief_, "matched")) == ("2", "1")
    assert _cell(relief_, "match-rate") == "50.0%"
    assert "2024-06-02" in relief_ and "2024-06-01" in register
    assert _cell(clinic_, "match-rate") == "100%"
    assert "滞后 late" in register  # a 2024 date, judged against @daily


def test_the_page_counts_conflicts_per_attribute_and_department(built: Built) -> None:
    html = built.client.get("/repositories/population", headers=AUTH).text
    xm, csrq, lxdh = (_row(html, "data-attribute", a) for a in ("xm", "csrq", "lxdh"))
    assert (_cell(xm, "open"), _cell(xm, "closed")) == ("0", "1")  # relief agreed on D2
    assert (_cell(csrq, "open"), _cell(csrq, "closed")) == ("1", "0")
    assert "1. relief<br>2. clinic" in xm and "365 天内有效" in lxdh
    health = _row(html, "data-department", "health")
    civil = _row(html, "data-department", "civil_affairs")
    police = _row(html, "data-department", "public_security")
    assert (_cell(health, "open"), _cell(health, "closed")) == ("1", "0")
    assert (_cell(civil, "open"), _cell(civil, "closed")) == ("0", "1")
    assert _cell(police, "supplied") == "1"  # the register's birth date stands
    assert "1 未消除 open</span> · 1 已消除 closed" in html


def test_no_value_key_or_token_appears(built: Built) -> None:
    texts = [
        built.client.get(path, headers=AUTH).text
        for path in ("/repositories/population", "/api/repositories/population", "/repositories")
    ]
    assert len(built.tokens) == 2
    for secret in [*VALUES, *built.tokens, *(t.partition(":")[2] for t in built.tokens)]:
        assert not any(secret in text for text in texts), secret


def test_the_index_and_the_catalog_link_the_repository(built: Built) -> None:
    index = built.client.get("/repositories", headers=AUTH).text
    row = _row(index, "data-repository", "population")
    assert 'href="/repositories/population"' in row and '<td class="n">3</td>' in row
    catalog = built.client.get("/catalog", headers=AUTH).text
    assert 'href="/repositories/population"' in catalog
    assert 'href="/repositories">整合库 Repositories</a>' in catalog  # the navigation


def test_a_repository_never_built_shows_an_empty_state(lake: SampleLake) -> None:
    client = TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL))
    reply = client.get("/repositories/legal_entity", headers=AUTH)
    assert reply.status_code == 200
    assert 'id="empty"' in reply.text and "integrate__legal_entity" in reply.text
    assert '<dd id="entities">-</dd>' in reply.text
    tax = _row(reply.text, "data-source", "tax_registration")
    assert _cell(tax, "coverage") == "-" and "未整合 never" in tax
    assert "2 次运行待整合 runs waiting" in tax  # published (two dates), not integrated yet
    index = client.get("/repositories", headers=AUTH).text
    assert "尚未整合 not built yet" in _row(index, "data-repository", "population")


def test_an_unknown_repository_is_a_404_with_one_line(lake: SampleLake) -> None:
    client = TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL))
    message = "no integrated repository 'nope' in the registry"
    page = client.get("/repositories/nope", headers=AUTH)
    assert page.status_code == 404 and f"<p>{escape(message)}</p>" in page.text
    api = client.get("/api/repositories/nope", headers=AUTH)
    assert (api.status_code, api.json()) == (404, {"detail": message})
