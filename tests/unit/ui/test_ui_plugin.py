"""The Airflow plugin module, imported in a subprocess with an isolated Airflow home.

(Airflow reads its configuration once per process, so the import happens in a child process
whose environment is the embedded one; the real api-server path is the browser test's.)
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from etl.registry import load_registry
from etl.runtime.airflow_env import airflow_environment
from etl.ui import create_app
from tests.conftest import REPO, fresh_python, make_settings
from tests.unit.ui.auth import OPERATOR_SEES_ALL
from tests.unit.ui.routes import every_request

SCRIPT = textwrap.dedent(
    """
    import importlib.util, json, sys
    from airflow.models.taskinstancekey import TaskInstanceKey
    from airflow.plugins_manager import is_valid_plugin
    from starlette.requests import Request

    spec = importlib.util.spec_from_file_location("pubdata_ui", sys.argv[1])
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    heavy_after_import = sorted(m for m in ("etl.ui", "pyarrow", "deltalake") if m in sys.modules)

    def request(headers):
        raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        return Request({"type": "http", "headers": raw, "method": "GET", "path": "/"})

    link = plugin.DatasetPageLink()
    key = TaskInstanceKey("ingest__health__clinic_visits", "extract", "manual__2024+x:1")
    other = TaskInstanceKey("pubdata_maintenance", "compact", "manual__1")
    print(json.dumps({
        "valid": is_valid_plugin(plugin.PubdataUiPlugin),
        "heavy_after_import": heavy_after_import,
        "name": link.name,
        "link": link.get_link(None, ti_key=key),
        "other": link.get_link(None, ti_key=other),
        "bearer_wins": plugin._credential(
            request({"Authorization": "Bearer abc", "Cookie": "_token=cookie"})
        ),
        "cookie": plugin._credential(request({"Cookie": "_token=cookie"})),
        "none": plugin._credential(request({"Authorization": "Basic x"})),
        "views": [v["href"] for v in plugin.PubdataUiPlugin.external_views],
        "prefix": plugin.PubdataUiPlugin.fastapi_apps[0]["url_prefix"],
    }))
    """
)


def test_plugin_registers_cheaply_and_links_dataset_dags(tmp_path: Path) -> None:
    env = airflow_environment(make_settings(tmp_path / "home"), base={"PATH": "/usr/bin:/bin"})
    found = fresh_python(SCRIPT, str(REPO / "plugins" / "pubdata_ui.py"), env=env)
    assert found["valid"] is True
    assert found["heavy_after_import"] == []  # the app is built on the first request
    assert found["link"] == (
        "/pubdata/dags/ingest__health__clinic_visits/runs/manual__2024%2Bx%3A1"
    )
    assert found["other"] == ""
    assert (found["bearer_wins"], found["cookie"], found["none"]) == ("abc", "cookie", None)
    assert found["views"][0] == "/pubdata/catalog" and found["prefix"] == "/pubdata"


#: Airflow's real api-server app (plugins mounted as the api-server mounts them) and its auth
#: manager's real tokens: valid, expired, signed with another key, ``alg: none`` (the valid
#: token's claims, unsigned) and revoked (logged out). Each bad one is sent as a bearer header
#: and as the UI's ``_token`` cookie, to every request the mounted pubdata app answers.
TOKENS_SCRIPT = textwrap.dedent(
    """
    import base64, json, sys
    from airflow import settings
    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from airflow.api_fastapi.auth.tokens import JWTGenerator
    from airflow.models.revoked_token import RevokedToken
    from starlette.testclient import TestClient
    from tests.unit.ui.routes import every_request

    app = create_app(apps="core")
    # the one table the revocation check reads (a full `db migrate` costs seconds more)
    RevokedToken.__table__.create(settings.engine, checkfirst=True)
    manager = get_auth_manager()
    user = SimpleAuthManagerUser(username="admin", role="ADMIN")
    signer = manager._get_token_signer()
    valid = manager.generate_jwt(user)
    claims = valid.split(".")[1]
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    revoked = manager.generate_jwt(user)
    manager.revoke_token(revoked)
    tokens = {
        "valid": valid,
        "expired": manager.generate_jwt(user, expiration_time_in_seconds=-3600),
        "forged": JWTGenerator(
            secret_key="not-this-deployment", valid_for=3600, audience=signer.audience,
            issuer=signer.issuer, algorithm=signer.algorithm,
        ).generate(manager.serialize_user(user)),
        "alg_none": f"{header}.{claims}.",
        "revoked": revoked,
    }
    client = TestClient(app)
    mount = next(r for r in app.routes if getattr(r, "path", "") == "/pubdata")
    client.get("/pubdata/catalog")  # the app is built on the first request
    requests = every_request(mount.app._app)

    def ask(method, path, headers=None, cookies=None):
        client.cookies.clear()
        reply = client.request(
            method, "/pubdata" + path, headers=headers, cookies=cookies, follow_redirects=False
        )
        return [reply.status_code, reply.headers.get("location")]

    results = {"missing": {f"{m} {p}": ask(m, p) for m, p in requests}}
    for kind, token in tokens.items():
        results[kind] = {
            f"{m} {p}": ask(m, p, headers={"Authorization": f"Bearer {token}"})
            for m, p in requests
        }
        results[kind + " (cookie)"] = {
            f"{m} {p}": ask(m, p, cookies={"_token": token}) for m, p in requests
        }
    print(json.dumps({"requests": requests, "results": results}))
    """
)
CARRIERS = ("", " (cookie)")
BAD_TOKENS = ["missing"] + [
    kind + carrier for kind in ("expired", "forged", "alg_none", "revoked") for carrier in CARRIERS
]
#: The requests the app answers, enumerated here without Airflow; the test checks that the
#: api-server's mounted app answers exactly these.
REQUESTS = every_request(
    create_app(lambda: make_settings(REPO), lambda request: _never(), OPERATOR_SEES_ALL)
)


async def _never() -> None:
    return None


@pytest.fixture(scope="module")
def token_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("plugin") / "home"
    env = airflow_environment(make_settings(home), base={"PATH": "/usr/bin:/bin"})
    found: dict[str, Any] = fresh_python(TOKENS_SCRIPT, env=env, timeout=180)
    return found


def test_the_mounted_app_answers_the_enumerated_requests(token_results: dict[str, Any]) -> None:
    assert sorted(map(tuple, token_results["requests"])) == sorted(REQUESTS)


@pytest.mark.parametrize("token", BAD_TOKENS)
@pytest.mark.parametrize(("method", "path"), REQUESTS, ids=[f"{m} {p}" for m, p in REQUESTS])
def test_every_request_refuses_a_bad_airflow_token(
    token_results: dict[str, Any], token: str, method: str, path: str
) -> None:
    status, location = token_results["results"][token][f"{method} {path}"]
    if path.startswith("/api/"):
        assert (status, location) == (401, None)
    else:
        assert status == 302 and location.startswith("/auth/login?next=%2Fpubdata")


@pytest.mark.parametrize("carrier", CARRIERS)
def test_a_valid_airflow_token_is_accepted_on_every_request(
    token_results: dict[str, Any], carrier: str
) -> None:
    for request, (status, location) in token_results["results"]["valid" + carrier].items():
        assert status != 401 and "login" not in (location or ""), request
        assert status < 500, request


#: Airflow's simple auth manager decides per DAG only through teams (multi-team mode: a DAG
#: belongs to its bundle's team, a user to the teams configured for it; roles are global). So:
#: the household register's DAG and the population repository's are in the ``security``
#: bundle, the clinic visits' in ``health``; alice (viewer) is in ``health``, sam (viewer) in
#: ``security``; every other DAG has no team. Then ``[pubdata] ui_grants`` is switched on, so
#: the access file's grants must allow a page too.
TEAMS_SCRIPT = textwrap.dedent(
    """
    import json, os
    from airflow import settings
    from airflow.models.base import Base
    from airflow.models.dag import DagModel
    from airflow.models.dagbundle import DagBundleModel
    from airflow.models.revoked_token import RevokedToken
    from airflow.models.team import Team, dag_bundle_team_association_table

    # the tables the team look-up and the token check read (a full `db migrate` costs more)
    tables = [Team.__table__, DagBundleModel.__table__, dag_bundle_team_association_table,
              DagModel.__table__, RevokedToken.__table__]
    Base.metadata.create_all(settings.engine, tables=tables)
    bundles = {
        "health": ["ingest__health__clinic_visits"],
        "security": ["ingest__public_security__household_register", "integrate__population"],
    }
    with settings.Session() as session:
        for team_name, dag_ids in bundles.items():
            team, bundle = Team(name=team_name), DagBundleModel(name=f"{team_name}_dags")
            bundle.teams.append(team)
            session.add_all([team, bundle])
            session.flush()
            session.add_all(DagModel(dag_id=d, bundle_name=bundle.name) for d in dag_ids)
        session.commit()

    from airflow.api_fastapi.app import create_app, get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from starlette.testclient import TestClient

    from etl.access import hash_secret
    from etl.access.config import write_access
    from etl.settings import Settings

    app = create_app(apps="core")
    manager = get_auth_manager()
    users = {
        "admin": SimpleAuthManagerUser(username="admin", role="ADMIN"),
        "alice": SimpleAuthManagerUser(username="alice", role="VIEWER", teams=["health"]),
        "sam": SimpleAuthManagerUser(username="sam", role="VIEWER", teams=["security"]),
    }
    tokens = {name: manager.generate_jwt(user) for name, user in users.items()}
    client = TestClient(app)

    def seen(name):
        headers = {"Authorization": f"Bearer {tokens[name]}"}
        get = lambda path: client.get("/pubdata" + path, headers=headers)
        household = get("/api/datasets/household_register")
        catalog = get("/api/catalog").json()
        return {
            "catalog": sorted(row["dataset"] for row in catalog),
            "household_api": [household.status_code, household.json()],
            "household_page": get("/datasets/household_register").status_code,
            "clinic_api": get("/api/datasets/clinic_visits").status_code,
            "population_api": get("/api/repositories/population").status_code,
            "repositories_page": get("/repositories").text.count('href="/pubdata/repositories/'),
        }

    results = {"airflow": {name: seen(name) for name in users}}
    os.environ["AIRFLOW__PUBDATA__UI_GRANTS"] = "True"
    write_access(Settings.from_env().access_file, (
        f"principals: [{{name: admin, secret_hash: '{hash_secret('unused')}'}}]\\n"
        "grants: [{principal: admin, zones: [shared], domains: [health], expires: 2999-01-01}]\\n"
    ))
    results["with_grants"] = {name: seen(name) for name in ("admin", "sam")}
    print(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def team_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("teams") / "home"
    env = airflow_environment(make_settings(home), base={"PATH": "/usr/bin:/bin"})
    env["AIRFLOW__CORE__MULTI_TEAM"] = "True"
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = (
        "admin:admin,alice:viewer:health,sam:viewer:security"
    )
    found: dict[str, Any] = fresh_python(TEAMS_SCRIPT, env=env, timeout=180)
    return found


ALL_DATASETS = sorted(load_registry(REPO / "datasets").datasets)


def test_an_admin_sees_every_dataset_and_repository(team_results: dict[str, Any]) -> None:
    admin = team_results["airflow"]["admin"]
    assert admin["catalog"] == ALL_DATASETS and "household_register" in ALL_DATASETS
    assert admin["household_api"][0] == admin["household_page"] == 200
    assert admin["population_api"] == 200 and admin["repositories_page"] == 2


def test_the_auth_manager_refuses_another_teams_dataset(team_results: dict[str, Any]) -> None:
    alice = team_results["airflow"]["alice"]
    assert "household_register" not in alice["catalog"]
    assert alice["catalog"] == [d for d in ALL_DATASETS if d != "household_register"]
    assert alice["household_api"] == [
        403,
        {"detail": "user 'alice' may not read dataset 'household_register'"},
    ]
    assert alice["household_page"] == 403
    assert alice["clinic_api"] == 200
    assert alice["population_api"] == 403 and alice["repositories_page"] == 1
    sam = team_results["airflow"]["sam"]
    assert "clinic_visits" not in sam["catalog"] and "household_register" in sam["catalog"]
    assert (sam["clinic_api"], sam["household_page"], sam["population_api"]) == (403, 200, 200)


def test_with_ui_grants_the_access_file_must_allow_it_too(team_results: dict[str, Any]) -> None:
    admin = team_results["with_grants"]["admin"]
    assert admin["catalog"] == ["clinic_visits"]  # Airflow allows all; the grant only health
    assert admin["household_api"][0] == 403 and admin["population_api"] == 403
    sam = team_results["with_grants"]["sam"]
    assert sam["catalog"] == [] and sam["household_page"] == 403  # sam holds no grant
