"""The operators' pages in a real browser, served by a real Airflow api-server with the plugin.

A sample lake is built in-process (every dataset, about ten seconds), then ``airflow api-server``
starts on a free port with the simple auth manager, the repository's plugins folder and the
sample registry; Debian's chromium (``/usr/bin/chromium``, nothing is downloaded) logs in through
Airflow's own login page and opens every page. Screenshots go to the test's tmp folder; the
README's copies in ``docs/img/`` are refreshed only by ``make screenshots``
(``PUBDATA_SCREENSHOTS=docs/img``), so a test run never changes tracked files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from etl.pipeline.local import local_context, run_local
from etl.runtime.airflow_env import airflow_command, airflow_environment, ensure_airflow_db
from tests.conftest import REPO
from tests.integration.conftest import Cli
from tests.integration.test_leak_scan import collect_secrets
from tests.unit.sample_lake import (
    CORE,
    DRIFTED,
    IMPORTANT,
    NEXT_DAY,
    SampleLake,
    build_sample_lake,
)
from tests.unit.ui.leaks import leaked

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER, PASSWORD = "operator", "e2e-password-not-a-secret"
TRIGGERED_DAG = f"ingest__public_security__{DRIFTED}"
RERUN = f"manual__{NEXT_DAY.isoformat()}T09:00:00+00:00"
#: A timestamp as the pages show it: local time to the second (the footer names the zone).
SHOWN_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
STARTUP_SECONDS = 120
#: Where the README's screenshots are refreshed to, when asked (``make screenshots``).
IMAGES = Path(os.environ["PUBDATA_SCREENSHOTS"]) if os.environ.get("PUBDATA_SCREENSHOTS") else None


@dataclass(frozen=True)
class Server:
    url: str
    lake: SampleLake
    secrets: dict[str, str]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(
    url: str, *, data: dict[str, Any] | None = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"api-server exited: {log.read_text()[-2000:]}"
        with contextlib.suppress(OSError):  # not listening yet
            if _request(f"{url}/api/v2/monitor/health")[0] == 200:
                return
        time.sleep(0.25)
    raise AssertionError(f"api-server not healthy after {STARTUP_SECONDS}s: {log}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("ui-e2e")
    lake = build_sample_lake(root)
    # a re-run of a date reads the same file again: the lineage graph must draw it once
    drifted = lake.registry.datasets[DRIFTED]
    run_local(lake.settings, drifted, local_context(drifted, NEXT_DAY, RERUN))
    secrets = collect_secrets(
        Cli(lake.settings, {}), {d.id: d.domain for d in lake.registry.datasets.values()}
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PUBDATA_"))}
    env = airflow_environment(lake.settings, base=base)
    passwords = lake.settings.airflow_home / "passwords.json"
    passwords.parent.mkdir(parents=True, exist_ok=True)
    passwords.write_text(json.dumps({USER: PASSWORD}))
    env.update(
        PUBDATA_TOKEN_KEY=lake.settings.token_key or "",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{USER}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
        AIRFLOW__API_AUTH__JWT_SECRET="e2e-jwt-secret-" + "x" * 32,
        AIRFLOW__API__SECRET_KEY="e2e-secret-key",
        AIRFLOW__CORE__PLUGINS_FOLDER=str(REPO / "plugins"),
    )
    log = root / "airflow.log"
    ensure_airflow_db(lake.settings, env, log)
    with log.open("ab") as out:  # the api-server reads DAGs from the DB: serialize them once
        subprocess.run(
            airflow_command("dags", "reserialize"), env=env, stdout=out, stderr=out, check=True
        )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            airflow_command("api-server", "--host", "127.0.0.1", "--port", str(port)),
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,  # its workers share the group: stop exactly what we started
        )
    try:
        _wait_healthy(url, proc, log)
        yield Server(url, lake, secrets, log)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def _token(server: Server) -> str:
    status, body = _request(
        f"{server.url}/auth/token", data={"username": USER, "password": PASSWORD}
    )
    assert status == 201, status
    return str(body["access_token"])


def test_anonymous_requests_are_refused(server: Server) -> None:
    for path in ("/pubdata/api/catalog", f"/pubdata/api/datasets/{DRIFTED}"):
        assert _request(server.url + path)[0] == 401
    assert _request(server.url + "/pubdata/api/catalog", token="not-a-jwt")[0] == 401
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(server.url + "/pubdata/catalog", timeout=30)
    assert refused.value.code == 302
    assert refused.value.headers["Location"] == "/auth/login?next=%2Fpubdata%2Fcatalog"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_plugin_registers_views_and_link(server: Server) -> None:
    token = _token(server)
    status, plugins = _request(f"{server.url}/api/v2/plugins", token=token)
    assert status == 200
    (ours,) = [p for p in plugins["plugins"] if p["name"] == "pubdata_ui"]
    assert ours["fastapi_apps"][0]["url_prefix"] == "/pubdata"
    assert {v["name"] for v in ours["external_views"]} >= {"数据目录 Catalog"}
    assert len(ours["global_operator_extra_links"]) == 1


def _shot(page: Page, folder: Path, name: str, readme: str | None = None) -> None:
    """A full-page screenshot in the test's folder, and the README's copy when refreshing."""
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    if IMAGES is not None and readme is not None:
        page.screenshot(path=IMAGES / readme, full_page=True)


def _log_in(page: Page, server: Server) -> None:
    """Not logged in: Airflow's login page, which returns to the catalog afterwards."""
    page.goto(f"{server.url}/pubdata/catalog")
    page.wait_for_url("**/auth/login?next=*")
    page.locator("input[name='username']").fill(USER)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("button[type='submit']").click()
    page.wait_for_url("**/pubdata/catalog", timeout=30_000)


def _check_catalog(page: Page, server: Server, folder: Path) -> None:
    assert page.locator("h1").inner_text() == "数据目录 Catalog"
    rows = page.locator("#catalog tbody tr")
    assert rows.count() == len(server.lake.registry.datasets)
    for flag in ("IMP candidate", "drift held", "CORE refused"):
        assert page.get_by_text(flag).count() >= 1, flag
    drifted = page.locator(f"tr[data-dataset='{DRIFTED}']")
    # the pass rate is on rows: 2,394 of 2,400 delivered rows were loaded
    assert drifted.locator("td.n").last.inner_text().startswith("99.7%")
    when = drifted.locator(".run-time").inner_text().split(" · ")[0]
    assert SHOWN_TIME.match(when), when
    assert "times in Asia/Shanghai" in page.locator("footer").inner_text()  # local, named
    assert page.locator("a.dag-link").count() == rows.count()
    dag_link = drifted.locator("a.dag-link")
    assert dag_link.get_attribute("href") == f"/dags/{TRIGGERED_DAG}"
    _shot(page, folder, "catalog", "ui-catalog.png")
    # the row's DAG link opens the DAG in the Airflow UI
    dag_link.click()
    page.wait_for_url(f"**/dags/{TRIGGERED_DAG}")
    page.get_by_text(TRIGGERED_DAG).first.wait_for(timeout=30_000)
    page.goto(f"{server.url}/pubdata/catalog")
    page.select_option("select[name='grade']", "L4")
    page.locator("form.filters button").click()
    page.wait_for_url("**/pubdata/catalog?*grade=L4*")
    assert page.locator(f"tr[data-dataset='{DRIFTED}']").count() == 1
    assert page.locator("tr[data-dataset='air_quality']").count() == 0


def _check_dataset(page: Page, folder: Path) -> None:
    for section in ("#columns", "#quality", "#lineage", "#runs", "#holds"):
        assert page.locator(section).is_visible(), section
    assert page.locator("svg.spark").count() >= 10
    # two delivered files, one of them read by two runs: two sources, 2 × 3 edges
    assert page.locator("svg.lineage path").count() == 6
    labels = page.locator("svg.lineage text").all_text_contents()
    assert sum(1 for t in labels if t.endswith("2024-06-02.csv")) == 1
    assert any(t.startswith("2024-06-02 · delivery · 2 runs") for t in labels), labels
    # every run's start, end and duration
    assert page.locator("#runs tbody tr").count() == 3
    for cell in ("started", "ended"):
        for shown in page.locator(f"#runs .{cell}").all_inner_texts():
            assert SHOWN_TIME.match(shown.removeprefix("→ ")), shown
    for shown in page.locator("#runs td.duration").all_inner_texts():
        assert re.match(r"^\d+(\.\d)? s$", shown), shown
    # rows passed per expectation, the runs that passed apart, and what each checks
    quality = page.locator("#quality")
    assert "行通过率 Rows passed" in quality.inner_text()
    gmsfhm = quality.locator("tr", has_text="expect_column_values_to_match_regex(gmsfhm)")
    assert gmsfhm.locator("td.rows-pass").inner_text().startswith("99.")
    assert "gmsfhm: 须匹配正则" in gmsfhm.inner_text()
    assert "pubdata review confirm household_register hh" in page.locator("#holds").inner_text()
    run_link = page.locator("#runs a[href^='/dags/']").first.get_attribute("href")
    assert run_link is not None and run_link.startswith(f"/dags/{TRIGGERED_DAG}/runs/")
    _shot(page, folder, "dataset", "ui-dataset.png")


def _check_quarantine(page: Page, server: Server, folder: Path) -> None:
    assert page.locator("section.card").count() == len(server.lake.registry.datasets)
    assert page.get_by_text("expect_column_values_to_match_regex(gmsfhm)").count() >= 1
    section = page.locator(f"#q-{DRIFTED}")
    assert "xm: 不得为空 · values must not be empty" in section.inner_text()
    steps = section.locator("[data-date='2024-06-02']")
    export = steps.locator("code.export").inner_text()
    assert export == (
        f"PUBDATA_CLEARANCE=restricted pubdata quarantine {DRIFTED} --date 2024-06-02 "
        f"--export {DRIFTED}_2024-06-02_quarantine.csv"
    )
    assert steps.locator("code.resubmit").inner_text() == export.replace("--export", "--resubmit")
    _shot(page, folder, "quarantine")
    page.goto(f"{server.url}/pubdata/quarantine?dataset={DRIFTED}")
    _shot(page, folder, "quarantine-one", "ui-quarantine.png")


def _check_data_docs(page: Page, pages: dict[str, str], folder: Path) -> None:
    """From the dataset page to its Data Docs, to the index and back: one layout throughout."""
    page.locator("a", has_text="数据文档 Data Docs").last.click()
    page.wait_for_url(f"**/pubdata/docs/datasets/{DRIFTED}.html")
    assert page.get_by_text("Rows passed per expectation").count() == 1
    # the pages' header, navigation and stylesheet
    assert page.locator("header.top nav a").count() >= 4
    header = page.locator("header.top").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(11, 61, 110)"
    pages["docs"] = page.content()
    _shot(page, folder, "docs")
    page.locator(".crumbs a", has_text="数据文档 Data Docs").click()
    page.wait_for_url("**/pubdata/docs/index.html")
    pages["docs_index"] = page.content()
    page.locator(f"#docs-index a[href='datasets/{DRIFTED}.html']").click()
    page.wait_for_url(f"**/pubdata/docs/datasets/{DRIFTED}.html")
    page.locator(".crumbs a", has_text=DRIFTED).click()
    page.wait_for_url(f"**/pubdata/datasets/{DRIFTED}")


def _extra_link(server: Server) -> str:
    """The extra link of a task of a triggered run of the drifted dataset's DAG."""
    token = _token(server)
    status, run = _request(
        f"{server.url}/api/v2/dags/{TRIGGERED_DAG}/dagRuns",
        data={"logical_date": "2024-06-03T00:00:00Z"},
        token=token,
    )
    assert status == 200, status
    links_url = (
        f"{server.url}/api/v2/dags/{TRIGGERED_DAG}/dagRuns/{quote(run['dag_run_id'], safe='')}"
        "/taskInstances/extract/links"
    )
    status, links = _request(links_url, token=token)
    assert status == 200
    (link,) = links["extra_links"].values()
    assert link.startswith(f"/pubdata/dags/{TRIGGERED_DAG}/runs/")
    return str(link)


def test_browser_pages(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.is_file(), "install Debian's chromium (make browser)"
    link = _extra_link(server)
    if IMAGES is not None:
        IMAGES.mkdir(parents=True, exist_ok=True)
    pages: dict[str, str] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            # a short viewport: full-page screenshots end where the content ends
            page = browser.new_page(viewport={"width": 1360, "height": 640}, locale="zh-CN")
            _log_in(page, server)
            pages["catalog"] = page.content()
            _check_catalog(page, server, tmp_path)

            page.locator(f"a[href='/pubdata/datasets/{DRIFTED}']").first.click()
            page.wait_for_url(f"**/pubdata/datasets/{DRIFTED}")
            _check_dataset(page, tmp_path)
            pages["dataset"] = page.content()
            _check_data_docs(page, pages, tmp_path)

            for other in (IMPORTANT, CORE, "air_quality", "clinic_visits"):
                page.goto(f"{server.url}/pubdata/datasets/{other}")
                pages[other] = page.content()

            # a repository page, reached from the navigation (not built in the sample lake)
            page.locator("header nav a", has_text="整合库 Repositories").click()
            page.wait_for_url("**/pubdata/repositories")
            page.locator("a[href='/pubdata/repositories/population']").click()
            page.locator("#sources").wait_for(timeout=30_000)
            pages["repository"] = page.content()
            _shot(page, tmp_path, "repository")

            page.goto(f"{server.url}/pubdata/quarantine")
            pages["quarantine"] = page.content()
            _check_quarantine(page, server, tmp_path)

            # the task instance's extra link lands on its dataset page, the run marked
            page.goto(server.url + link)
            page.wait_for_url(f"**/pubdata/datasets/{DRIFTED}?run_id=*")
            assert page.locator("h1").inner_text().startswith(DRIFTED)
            pages["extra_link"] = page.content()

            # the nav entry embeds the catalog in the Airflow UI
            page.goto(f"{server.url}/plugin/pubdata-catalog")
            frame = page.frame_locator("iframe").first
            frame.locator("#catalog").wait_for(timeout=30_000)
            page.screenshot(path=tmp_path / "airflow-nav.png")
            if IMAGES is not None:
                page.screenshot(path=IMAGES / "ui-in-airflow.png")
        finally:
            browser.close()
    columns = leaked(pages.values(), server.secrets)
    assert not columns, f"values of {columns} appear in the pages"
