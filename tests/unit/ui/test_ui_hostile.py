"""Hostile text in the registry and in deliveries, and Data Docs paths that try to leave the site.

One dataset whose title, department title and owner carry markup, delivered as a file whose
name and header carry markup too, run under a run id that carries markup. Every page must show
that text as text: the marker element never appears as markup in any HTML page, SVG or Data Docs
page, while its escaped form does (the text is shown, not dropped).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from fastapi.testclient import TestClient

from etl.catalog import dataset_page
from etl.pipeline.local import local_context, run_local
from etl.registry import Registry, load_registry
from etl.settings import Settings
from etl.ui import create_app, svg
from tests.conftest import make_settings
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate

MARK = "pubdata-xss"
OPENING = f"<{MARK} onmouseover=\"alert('x')\">"  # no slash: it can be a path segment
HOSTILE = f"{OPENING}&amp;</{MARK}>"
DAY = date(2024, 6, 1)
RUN_ID = f"manual__{HOSTILE}"
FILE = f"{DAY}{HOSTILE}.csv".replace("/", "")  # a file name cannot hold a slash
REGISTRY = {
    "id": "hostile",
    "title": f"{HOSTILE}标题",
    "department": "dept",
    "department_title": f"{HOSTILE}部门",
    "owner": f"{HOSTILE}负责人",
    "domain": "population",
    "source": {"kind": "file", "format": "csv", "path": "dept/{ds}" + FILE[len(str(DAY)) :]},
}
SVG_TAGS = {"svg", "title", "line", "rect", "path", "text"}


@dataclass(frozen=True)
class Hostile:
    settings: Settings
    registry: Registry
    client: TestClient


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile")
    (root / "registry").mkdir()
    text = yaml.safe_dump(REGISTRY, allow_unicode=True)
    (root / "registry" / "hostile.yaml").write_text(text, encoding="utf-8")
    (root / "landing" / "dept").mkdir(parents=True)
    header = HOSTILE.replace('"', '""')
    delivery = f'"{header}",n\n甲,1\n乙,2\n'
    (root / "landing" / "dept" / FILE).write_text(delivery, encoding="utf-8")
    settings = make_settings(
        root / "home",
        PUBDATA_REGISTRY=str(root / "registry"),
        PUBDATA_LANDING=str(root / "landing"),
        PUBDATA_EXPECTATIONS=str(root / "expectations"),
    )
    registry = load_registry(settings.registry)
    dataset = registry.get("hostile")
    summary = run_local(settings, dataset, local_context(dataset, DAY, RUN_ID)).to_dict()
    assert summary["status"] == "success"
    return Hostile(
        settings,
        registry,
        TestClient(create_app(lambda: settings, authenticate, OPERATOR_SEES_ALL)),
    )


def _markup_free(text: str) -> None:
    assert f"<{MARK}" not in text and f"</{MARK}" not in text
    assert "onmouseover=\"alert('x')\"" not in text


def test_registry_and_delivery_text_is_shown_escaped_on_every_page(hostile: Hostile) -> None:
    pages = {  # where the text is shown, and how often at least
        "/catalog": 2,  # title, department title
        "/datasets/hostile": 7,  # title, department title, owner, column, file, run id, check
        f"/datasets/hostile?run_id={quote(RUN_ID)}": 7,
        "/quarantine": 1,  # department title
        "/docs/index.html": 1,  # title
        "/docs/datasets/hostile.html": 4,  # title, column, checks on the column
    }
    for path, shown in pages.items():
        reply = hostile.client.get(path, headers=AUTH)
        assert reply.status_code == 200, path
        _markup_free(reply.text)
        assert reply.text.count(f"&lt;{MARK}") >= shown, path


@pytest.mark.parametrize(
    "path",
    [
        f"/datasets/{quote(OPENING)}",
        f"/dags/{quote(OPENING)}/runs/x",
        f"/repositories/{quote(OPENING)}",
    ],
)
def test_not_found_pages_escape_what_was_asked_for(hostile: Hostile, path: str) -> None:
    reply = hostile.client.get(path, headers=AUTH)
    assert reply.status_code == 404
    _markup_free(reply.text)
    assert f"&lt;{MARK}" in reply.text


def test_svg_charts_and_lineage_hold_only_svg_elements(hostile: Hostile) -> None:
    page = dataset_page(hostile.settings, hostile.registry.get("hostile"))
    drawings = [svg.lineage_svg(page["lineage"])]
    drawings += [svg.quality_chart(q) for q in page["quality"]]
    assert any(MARK in q["expectation"] for q in page["quality"])  # the header is in a chart
    assert MARK in page["lineage"]["sources"][0]["label"]  # the delivered file's name
    for drawing in drawings:
        _markup_free(drawing)
        tree = ET.fromstring(drawing)  # well-formed: every label is escaped text
        tags = {element.tag.split("}")[-1] for element in tree.iter()}
        assert tags <= SVG_TAGS
    assert any(MARK in "".join(ET.fromstring(d).itertext()) for d in drawings)


@pytest.fixture(scope="module")
def outside(hostile: Hostile) -> Path:
    """An HTML file beside the Data Docs folder, and links inside it that point to it."""
    site = hostile.settings.data_docs
    site.mkdir(parents=True, exist_ok=True)
    secret = site.parent / "secret.html"
    secret.write_text("<p>outside the site</p>", encoding="utf-8")
    (site / "link.html").symlink_to(secret)
    (site / "up").symlink_to(site.parent)
    return secret


@pytest.mark.parametrize(
    "path",
    [
        "%2e%2e/secret.html",
        "%2E%2E/secret.html",
        "%2e%2e%2fsecret.html",
        "datasets/%2e%2e/%2e%2e/secret.html",
        "..%5csecret.html",
        "%2F{outside}",
        "/{outside}",
        "link.html",
        "up/secret.html",
        "up/data_docs/link.html",
        "datasets/hostile.html/../../secret.html",
    ],
)
def test_data_docs_paths_cannot_leave_the_site(hostile: Hostile, outside: Path, path: str) -> None:
    url = "/docs/" + path.format(outside=outside)
    reply = hostile.client.get(url, headers=AUTH)
    assert reply.status_code == 404, url
    assert "outside the site" not in reply.text
