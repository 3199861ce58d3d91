"""The app over HTTP (FastAPI TestClient): login enforcement, pages, Data Docs, no values leak.

The login check is :mod:`tests.unit.ui.auth`'s signed token; the Airflow adapter
(``plugins/pubdata_ui.py``) is exercised with Airflow's own tokens by test_ui_plugin and against
a real api-server by the browser test.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from etl.settings import Settings
from etl.ui import create_app
from tests.unit.sample_lake import CORE, DRIFTED, IMPORTANT, SampleLake
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate, sign
from tests.unit.ui.leaks import leaked
from tests.unit.ui.routes import every_request

#: A page's timestamp (``|when``): local time to the second (the footer names the zone).
STARTED = re.compile(r'class="started ts">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<')
MICROSECONDS = re.compile(r"\d\d:\d\d:\d\d\.\d+")


@pytest.fixture(scope="module")
def client(lake: SampleLake) -> TestClient:
    return TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL))


def _no_settings() -> Settings:
    raise AssertionError("a refused request reached a route")


#: Built without a lake: a request that got past the login check would fail in the route.
REFUSING = create_app(_no_settings, authenticate, OPERATOR_SEES_ALL)
REQUESTS = every_request(REFUSING)
BAD_CREDENTIALS = {
    "missing": {},
    "tampered": {"Authorization": f"Bearer {sign('operator')[:-1]}0"},
    "basic": {"Authorization": "Basic b3BlcmF0b3I6eA=="},
}


def test_the_schema_and_undeclared_paths_are_among_the_requests() -> None:
    assert ("GET", "/api/openapi.json") in REQUESTS and ("GET", "/openapi.json") in REQUESTS
    assert {path for _, path in REQUESTS} >= {"/catalog", "/static/pubdata.css", "/docs/index.html"}


@pytest.mark.parametrize("credential", sorted(BAD_CREDENTIALS))
@pytest.mark.parametrize(("method", "path"), REQUESTS, ids=[f"{m} {p}" for m, p in REQUESTS])
def test_every_request_without_a_valid_login_is_refused(
    method: str, path: str, credential: str
) -> None:
    client = TestClient(REFUSING)
    reply = client.request(
        method, path + "?x=1", headers=BAD_CREDENTIALS[credential], follow_redirects=False
    )
    if path.startswith("/api/"):
        assert reply.status_code == 401
        assert method == "HEAD" or reply.json() == {"detail": "Not authenticated"}
    else:
        assert reply.status_code == 302
        assert reply.headers["location"] == "/auth/login?" + urlencode({"next": f"{path}?x=1"})


def test_the_schema_is_served_behind_the_login(client: TestClient) -> None:
    schema = client.get("/api/openapi.json", headers=AUTH).json()
    assert set(schema["paths"]) >= {"/api/catalog", "/api/datasets/{dataset_id}"}


def test_catalog_page_lists_every_dataset(client: TestClient, lake: SampleLake) -> None:
    page = client.get("/catalog", headers=AUTH)
    assert page.status_code == 200
    html = page.text
    assert "数据目录 Catalog" in html and "用户 user: operator" in html
    for ds in lake.registry.datasets.values():
        assert f'data-dataset="{ds.id}"' in html
    assert "重要数据候选 IMP candidate" in html
    assert "分类漂移暂停发布 drift held" in html
    assert "核心数据拒收 CORE refused" in html
    l4 = client.get("/catalog?grade=L4", headers=AUTH).text
    assert f'data-dataset="{DRIFTED}"' in l4 and 'data-dataset="air_quality"' not in l4
    # each row links to its DAG in the Airflow UI, the state beside it
    dag = "ingest__public_security__household_register"
    assert f'<a class="dag-link" href="/dags/{dag}"' in html
    assert html.count('class="dag-link"') == len(lake.registry.datasets)
    # the pass rate is on rows (rows loaded / rows in), the checks counted apart
    assert "行通过率 Rows passed" in html and "99.7%" in html and "检查 checks 15/16" in html
    # the latest run's end and length, to the second
    shown = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
    assert re.search(rf'class="sub run-time"><span class="ts">{shown}</span> · 用时 took', html)
    assert not MICROSECONDS.search(html)
    assert "时间为 times in Asia/Shanghai" in html  # the zone the times are in is named


def test_catalog_links_dags_under_the_airflow_root(lake: SampleLake) -> None:
    rooted = TestClient(
        create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL, airflow_root="/airflow/")
    )
    html = rooted.get("/catalog", headers=AUTH).text
    assert 'href="/airflow/dags/ingest__public_security__household_register"' in html


def test_dataset_page(client: TestClient) -> None:
    html = client.get(f"/datasets/{DRIFTED}", headers=AUTH).text
    for text in (
        "字段 Columns",
        "gmsfhm",
        "id_card",
        "登记 registry",
        "检测 detector",
        "质量历史 Quality history",
        '<svg class="spark"',
        '<svg class="lineage"',
        "待确认 Pending holds",
        "pubdata review confirm household_register hh --category id_card --grade L3",
        'href="/dags/ingest__public_security__household_register/runs/scheduled__2024-06-01',
        'href="/docs/datasets/household_register.html"',
        # runs: start, end and duration, to the second
        "开始 → 结束 Started → ended",
        "用时 Duration",
        # pass rates on rows, the runs that passed apart, and what each check means
        "行通过率 Rows passed",
        "运行通过 Runs passed",
        "gmsfhm: 须匹配正则",
        "runs passed</title>",
    ):
        assert text in html, text
    assert len(STARTED.findall(html)) == 2 and not MICROSECONDS.search(html)
    assert re.search(r'class="n duration">\d+\.\d s<', html)
    selected = client.get(
        f"/datasets/{DRIFTED}",
        params={"run_id": "scheduled__2024-06-02T00:00:00+00:00"},
        headers=AUTH,
    ).text
    assert selected.count('class="selected"') == 1
    imp = client.get(f"/datasets/{IMPORTANT}", headers=AUTH).text
    assert "重要数据评审" in imp
    core = client.get(f"/datasets/{CORE}", headers=AUTH).text
    assert "核心数据拒收 CORE refused" in core and "阶段 stage: extract" in core
    missing = client.get("/datasets/no_such", headers=AUTH)
    assert missing.status_code == 404 and "no_such" in missing.text


def test_a_failed_run_says_why_on_the_dataset_page(client: TestClient) -> None:
    html = client.get(f"/datasets/{CORE}", headers=AUTH).text
    assert "原因 why: dataset enterprise_registry is flagged CORE" in html


def test_task_link_target_redirects_to_the_dataset(client: TestClient) -> None:
    done = client.get(
        "/dags/ingest__public_security__household_register/runs/manual__1",
        headers=AUTH,
        follow_redirects=False,
    )
    assert done.status_code == 302
    assert done.headers["location"] == "/datasets/household_register?run_id=manual__1"
    assert client.get("/dags/maintenance/runs/x", headers=AUTH).status_code == 404


def test_quarantine_page_counts_by_reason(client: TestClient) -> None:
    html = client.get("/quarantine", params={"dataset": DRIFTED}, headers=AUTH).text
    assert 'id="q-household_register"' in html and 'id="q-air_quality"' not in html
    assert "expect_column_values_to_match_regex(gmsfhm)" in html
    # what each reason checks, and the commands to run next for each date
    assert r"gmsfhm: 须匹配正则 ^\d{17}[\dXx]$ · values must match the pattern" in html
    assert "xm: 不得为空 · values must not be empty" in html
    for day in ("2024-06-01", "2024-06-02"):
        for action in ("export", "resubmit"):
            command = (
                f"PUBDATA_CLEARANCE=restricted pubdata quarantine {DRIFTED} --date {day} "
                f"--{action} {DRIFTED}_{day}_quarantine.csv"
            )
            assert f'<code class="{action}">{command}</code>' in html, command


def test_data_docs_have_the_pages_layout(client: TestClient) -> None:
    first = client.get("/docs/", headers=AUTH, follow_redirects=False)
    assert first.status_code == 302 and first.headers["location"] == "/docs/index.html"
    index = client.get("/docs/index.html", headers=AUTH)
    assert index.status_code == 200 and "pubdata Data Docs" in index.text
    assert 'href="datasets/household_register.html"' in index.text
    page = client.get(f"/docs/datasets/{DRIFTED}.html", headers=AUTH).text
    for text in (
        '<link rel="stylesheet" href="/static/pubdata.css">',  # the pages' style
        '<header class="top">',  # and navigation
        '<p class="crumbs"><a href="/catalog">数据目录 Catalog</a>',
        '<a href="/docs/index.html">数据文档 Data Docs</a>',
        f'<a href="/datasets/{DRIFTED}">数据集页面 Dataset page</a>',
        "Rows passed per expectation",
        '<table class="grid">',
        "gmsfhm: 须匹配正则",
    ):
        assert text in page, text
    for path in (
        "/docs/%2e%2e/%2e%2e/registry/alerts.yaml",
        "/docs/..%2fhome.html",
        "/docs/datasets/no_such.html",
        f"/docs/datasets/{DRIFTED}.json",
        f"/docs/x/datasets/{DRIFTED}.html",
    ):
        assert client.get(path, headers=AUTH).status_code == 404, path


def test_api_returns_the_same_data(client: TestClient, lake: SampleLake) -> None:
    catalog = client.get("/api/catalog", headers=AUTH).json()
    assert {r["dataset"] for r in catalog} == set(lake.registry.datasets)
    page = client.get(f"/api/datasets/{DRIFTED}", headers=AUTH).json()
    assert page["dataset"]["dag_id"] == "ingest__public_security__household_register"
    assert client.get("/api/datasets/nope", headers=AUTH).status_code == 404


def test_no_personal_value_in_any_page(
    client: TestClient, lake: SampleLake, secrets: dict[str, str]
) -> None:
    paths = ["/catalog", "/quarantine", "/docs/index.html", "/api/catalog", "/api/quarantine"]
    paths += ["/repositories", "/repositories/population", "/api/repositories/population"]
    for ds in lake.registry.datasets:
        paths += [f"/datasets/{ds}", f"/api/datasets/{ds}", f"/docs/datasets/{ds}.html"]
    texts = []
    for path in paths:
        reply = client.get(path, headers=AUTH)
        assert reply.status_code == 200, path
        texts.append(reply.text)
    columns = leaked(texts, secrets)
    assert not columns, f"values of {columns} appear in the pages"


def test_root_goes_to_the_catalog_and_css_is_served(client: TestClient) -> None:
    root = client.get("/", headers=AUTH, follow_redirects=False)
    assert root.status_code == 302 and root.headers["location"] == "/catalog"
    css = client.get("/static/pubdata.css", headers=AUTH)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "http" not in css.text  # nothing loaded from elsewhere
