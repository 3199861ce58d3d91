"""Every route the routers declare depends on the logged-in user, behind the login middleware."""

from __future__ import annotations

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from markupsafe import escape

from etl.ui import create_app
from etl.ui.deps import current_user
from tests.unit.sample_lake import DRIFTED, SampleLake
from tests.unit.ui.auth import AUTH, OPERATOR_SEES_ALL, authenticate


def test_every_declared_route_requires_the_user() -> None:
    routes = [
        r
        for r in create_app(lambda: None, authenticate, OPERATOR_SEES_ALL).routes
        if isinstance(r, APIRoute)
    ]
    assert len(routes) == 17  # the products pages and their JSON are four
    for route in routes:
        assert any(d.call is current_user for d in route.dependant.dependencies), route.path


def test_an_unknown_dataset_is_a_404_page_or_json(lake: SampleLake) -> None:
    client = TestClient(create_app(lambda: lake.settings, authenticate, OPERATOR_SEES_ALL))
    page = client.get("/datasets/no_such", headers=AUTH)
    assert page.status_code == 404
    assert escape("no dataset 'no_such' in the registry") in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/quarantine?dataset=no_such", headers=AUTH)
    assert api.status_code == 404
    assert api.json() == {"detail": "no dataset 'no_such' in the registry"}
    assert client.get(f"/api/quarantine?dataset={DRIFTED}", headers=AUTH).json()[0]["dataset"] == (
        DRIFTED
    )
