"""What a user may see: the access file's grants (:class:`GrantAuthorizer`) over the app's pages.

The app only ever asks an :class:`etl.ui.Authorizer`; here it is the real grants decision, so
these tests show both the decision and that every list and page of the app follows it. The
Airflow auth manager's decision through the plugin is test_ui_plugin's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from etl.access import AccessConfig, Grant, NamedPrincipal
from etl.access.config import write_access
from etl.errors import PolicyError
from etl.integrate import load_domains
from etl.ui import AllOf, GrantAuthorizer, NamedUser, create_app
from etl.zones import Zone
from tests.unit.sample_lake import DRIFTED, WITHHELD, SampleLake
from tests.unit.ui.auth import OPERATOR, SECRET_HASH, TODAY, authenticate, bearer, granting

#: alice: the health domain (clinic_visits) in the shared zone; no repository.
ALICE = Grant(principal="alice", zones=(Zone.SHARED,), domains=("health",), expires=TODAY)
#: carol: the household register only, which opens no repository (as for reads).
CAROL = Grant(principal="carol", zones=(Zone.OPEN,), datasets=(DRIFTED,), expires=TODAY)
#: dave: the population domain and repository, but the grant ended yesterday.
DAVE = Grant(
    principal="dave", zones=(Zone.SHARED,), domains=("population",), expires=date(2026, 1, 14)
)
#: erin: the population domain and its repository.
ERIN = Grant(principal="erin", zones=(Zone.RESTRICTED,), domains=("population",), expires=TODAY)
GRANTS = (OPERATOR, ALICE, CAROL, DAVE, ERIN)


@pytest.fixture(scope="module")
def client(lake: SampleLake) -> TestClient:
    return TestClient(create_app(lambda: lake.settings, authenticate, granting(*GRANTS)))


def _catalog(client: TestClient, user: str) -> set[str]:
    reply = client.get("/api/catalog", headers=bearer(user))
    assert reply.status_code == 200
    return {row["dataset"] for row in reply.json()}


def test_the_catalog_lists_only_what_the_user_may_read(
    client: TestClient, lake: SampleLake
) -> None:
    assert _catalog(client, "operator") == set(lake.registry.datasets)  # the admin sees all
    assert _catalog(client, "alice") == {WITHHELD}
    assert _catalog(client, "carol") == {DRIFTED}
    assert _catalog(client, "erin") == {DRIFTED}
    assert _catalog(client, "dave") == set()  # expired
    assert _catalog(client, "mallory") == set()  # no grant at all
    page = client.get("/catalog", headers=bearer("alice")).text
    assert f'data-dataset="{WITHHELD}"' in page and f'data-dataset="{DRIFTED}"' not in page
    assert page.count("data-dataset=") == 1
    assert 'href="/repositories/population"' not in page
    assert 'href="/repositories/population"' in client.get("/catalog", headers=bearer("erin")).text


def test_a_dataset_the_user_may_not_read_is_403_page_and_json(client: TestClient) -> None:
    detail = f"user 'alice' may not read dataset '{DRIFTED}'"
    api = client.get(f"/api/datasets/{DRIFTED}", headers=bearer("alice"))
    assert api.status_code == 403 and api.json() == {"detail": detail}
    page = client.get(f"/datasets/{DRIFTED}", headers=bearer("alice"))
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "无权访问 Forbidden" in page.text and escape(detail) in page.text
    assert "gmsfhm" not in page.text  # nothing of the dataset's page
    for path in (
        f"/docs/datasets/{DRIFTED}.html",
        f"/quarantine?dataset={DRIFTED}",
        f"/api/quarantine?dataset={DRIFTED}",
    ):
        assert client.get(path, headers=bearer("alice")).status_code == 403, path
    # the task link's redirect leads to the same refusal
    hop = client.get(f"/dags/ingest__public_security__{DRIFTED}/runs/m1", headers=bearer("alice"))
    assert hop.status_code == 403
    # what the user may read is served
    assert client.get(f"/api/datasets/{WITHHELD}", headers=bearer("alice")).status_code == 200
    assert client.get(f"/datasets/{DRIFTED}", headers=bearer("carol")).status_code == 200
    # an unknown dataset stays a 404 for everyone
    assert client.get("/api/datasets/no_such", headers=bearer("alice")).status_code == 404


def test_indexes_hold_only_what_the_user_may_read(client: TestClient) -> None:
    docs = client.get("/docs/index.html", headers=bearer("alice")).text
    assert f"datasets/{WITHHELD}.html" in docs and f"datasets/{DRIFTED}.html" not in docs
    sections = client.get("/api/quarantine", headers=bearer("alice")).json()
    assert {s["dataset"] for s in sections} <= {WITHHELD}
    chooser = client.get("/quarantine", headers=bearer("alice")).text
    assert f'value="{DRIFTED}"' not in chooser


def test_a_repository_the_user_may_not_read_is_403_and_not_listed(client: TestClient) -> None:
    for user in ("alice", "carol", "dave"):
        api = client.get("/api/repositories/population", headers=bearer(user))
        assert api.status_code == 403, user
        assert api.json() == {"detail": f"user '{user}' may not read repository 'population'"}
        assert client.get("/repositories/population", headers=bearer(user)).status_code == 403
        index = client.get("/repositories", headers=bearer(user)).text
        assert 'href="/repositories/population"' not in index, user
    assert client.get("/repositories/population", headers=bearer("erin")).status_code == 200
    index = client.get("/repositories", headers=bearer("operator")).text
    assert 'href="/repositories/population"' in index


def test_grants_decide_per_dataset_and_repository(lake: SampleLake) -> None:
    config = AccessConfig(
        principals=tuple(NamedPrincipal(name=n, secret_hash=SECRET_HASH) for n in ("alice",)),
        grants=(ALICE,),
    )
    decide = GrantAuthorizer(config, TODAY)
    alice, bob = NamedUser("alice"), NamedUser("bob")
    clinic, household = lake.registry.datasets[WITHHELD], lake.registry.datasets[DRIFTED]
    population = load_domains(lake.registry).domains["population"]
    assert decide.can_read_dataset(alice, clinic)
    assert not decide.can_read_dataset(alice, household)
    assert not decide.can_read_dataset(bob, clinic)
    assert not decide.can_read_repository(alice, population)
    assert not GrantAuthorizer(config, date(2026, 1, 16)).can_read_dataset(alice, clinic)
    # every part must agree; no part allows nothing
    everyone = GrantAuthorizer(
        AccessConfig(
            principals=(NamedPrincipal(name="alice", secret_hash=SECRET_HASH),),
            grants=(ALICE.model_copy(update={"domains": ()}),),
        ),
        TODAY,
    )
    assert everyone.can_read_dataset(alice, household)
    assert not AllOf((everyone, decide)).can_read_dataset(alice, household)
    assert AllOf((everyone, decide)).can_read_dataset(alice, clinic)
    assert not AllOf(()).can_read_dataset(alice, clinic)


def test_grants_are_read_from_the_access_file_the_readers_use(lake: SampleLake) -> None:
    home = lake.settings.home
    path = home.parent / "ui-access.yaml"
    write_access(
        path,
        "principals:\n"
        f"  - {{name: alice, secret_hash: '{SECRET_HASH}'}}\n"
        "grants:\n"
        "  - {principal: alice, zones: [shared], domains: [health], expires: 2026-01-15}\n",
    )
    settings = replace(lake.settings, access=path)
    decide = GrantAuthorizer.from_settings(settings, TODAY)
    assert decide.can_read_dataset(NamedUser("alice"), lake.registry.datasets[WITHHELD])
    assert not decide.can_read_dataset(NamedUser("alice"), lake.registry.datasets[DRIFTED])
    path.chmod(0o666)  # a file others could have written grants nothing
    with pytest.raises(PolicyError, match="writable by group or others"):
        GrantAuthorizer.from_settings(settings, TODAY)


def test_a_page_and_an_answer_about_a_dataset_are_reads_the_access_log_records(
    client: TestClient, lake: SampleLake
) -> None:
    from etl.audit import Action, read_events

    before = {e.seq for e in read_events(lake.settings)}
    assert client.get(f"/api/datasets/{WITHHELD}", headers=bearer("alice")).status_code == 200
    assert client.get(f"/datasets/{WITHHELD}", headers=bearer("alice")).status_code == 200
    assert client.get(f"/datasets/{DRIFTED}", headers=bearer("alice")).status_code == 403
    new = [e.event for e in read_events(lake.settings) if e.seq not in before]
    assert [(e.principal, e.action) for e in new] == [
        ("airflow:alice", Action.API),
        ("airflow:alice", Action.UI),
    ]
    domain = lake.registry.datasets[WITHHELD].domain
    assert all(f"shared.{domain}.{WITHHELD}" in e.tables for e in new)
    assert {e.origin for e in new} == {"testclient"}
