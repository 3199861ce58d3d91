"""Principals, grants and the access decision, as a caller meets them."""

from __future__ import annotations

import os
import pwd
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from etl.access import (
    AccessDenied,
    TableScope,
    authorize,
    current_principal,
    hash_secret,
    refusal,
    verify_secret,
)
from etl.access.config import load_access, write_access
from etl.access.decide import may_read_meta
from etl.errors import ConfigError, PolicyError
from etl.settings import Settings
from etl.zones import QUARANTINE, Zone

TODAY = date(2026, 12, 7)
# a cheap hash keeps the tests fast; the cost is a parameter, not a different code path
SECRET_HASH = hash_secret("s3cret-for-bi", iterations=1000)
OTHER_UID = 65534
OTHER_LOGIN = pwd.getpwuid(OTHER_UID).pw_name

ACCESS = f"""
principals:
  - name: bi_superset
    secret_hash: {SECRET_HASH}
grants:
  - principal: bi_superset
    zones: [shared]
    domains: [population]
    expires: 2027-06-30
    purpose: 人口分布月报
  - principal: bi_superset
    zones: [restricted]
    datasets: [household_register]
    expires: 2026-11-30
  - principal: os:{OTHER_LOGIN}
    zones: [open]
    expires: 2027-01-31
"""

SHARED_HOUSEHOLD = TableScope(
    "shared.population.household_register", Zone.SHARED, "population", "household_register"
)
RESTRICTED_HOUSEHOLD = replace(
    SHARED_HOUSEHOLD, name="restricted.population.household_register", zone=Zone.RESTRICTED
)
SHARED_LICENCES = TableScope(
    "shared.market.business_licences", Zone.SHARED, "market", "business_licences"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    home = tmp_path / "home"
    home.mkdir()
    write_access(home / "access.yaml", ACCESS)
    return Settings(
        home=home,
        registry=tmp_path,
        landing=tmp_path,
        lake=str(home / "lake"),
        expectations=tmp_path,
        clearance=Zone.RESTRICTED,
    )


def test_the_owner_of_the_home_is_the_pipeline_and_reads_everything(settings: Settings) -> None:
    me = current_principal(settings)
    assert me.is_pipeline and me.name.startswith("pipeline:")
    authorize(me, RESTRICTED_HOUSEHOLD, Zone.RESTRICTED, TODAY)
    # the clearance request still narrows the pipeline's own reads
    with pytest.raises(AccessDenied, match=r"needs clearance restricted.*asked for shared"):
        authorize(me, RESTRICTED_HOUSEHOLD, Zone.SHARED, TODAY)


def test_a_named_principal_reads_only_what_its_active_grants_cover(settings: Settings) -> None:
    bi = current_principal(
        replace(settings, principal="bi_superset", principal_secret="s3cret-for-bi")
    )
    assert bi.kind == "named"
    authorize(bi, SHARED_HOUSEHOLD, Zone.RESTRICTED, TODAY)
    with pytest.raises(AccessDenied, match=r"bi_superset has no grant for shared.market"):
        authorize(bi, SHARED_LICENCES, Zone.RESTRICTED, TODAY)
    with pytest.raises(
        AccessDenied, match=r"grant for restricted.population.* expired on 2026-11-30"
    ):
        authorize(bi, RESTRICTED_HOUSEHOLD, Zone.RESTRICTED, TODAY)
    quarantine = replace(RESTRICTED_HOUSEHOLD, zone=QUARANTINE)
    assert refusal(bi, quarantine, Zone.RESTRICTED, date(2026, 11, 1)) is None
    # a grant naming datasets does not open the domain's integrated repository
    integrated = TableScope(
        "restricted.integrated.population_records", Zone.RESTRICTED, "population", None
    )
    assert "no grant" in str(refusal(bi, integrated, Zone.RESTRICTED, date(2026, 11, 1)))


def test_a_wrong_or_missing_secret_and_an_unknown_name_get_the_same_refusal(
    settings: Settings,
) -> None:
    for name, secret in [("bi_superset", "wrong"), ("bi_superset", None), ("nobody_here", "x")]:
        with pytest.raises(PolicyError, match=f"principal '{name}': unknown in .* or wrong secret"):
            current_principal(replace(settings, principal=name, principal_secret=secret))


def test_another_os_user_holds_only_its_os_grants(settings: Settings) -> None:
    other = current_principal(settings, uid=OTHER_UID)
    assert (other.name, other.kind) == (f"os:{OTHER_LOGIN}", "os")
    assert refusal(other, replace(SHARED_HOUSEHOLD, zone=Zone.OPEN), Zone.OPEN, TODAY) is None
    assert "has no grant" in str(refusal(other, SHARED_HOUSEHOLD, Zone.SHARED, TODAY))
    assert may_read_meta(other, TODAY)
    assert not may_read_meta(other, date(2027, 2, 1))


def test_without_an_access_file_only_the_pipeline_reads(settings: Settings) -> None:
    (settings.home / "access.yaml").unlink()
    stranger = current_principal(settings, uid=OTHER_UID)
    assert stranger.grants == ()
    assert "has no grant" in str(refusal(stranger, SHARED_HOUSEHOLD, Zone.SHARED, TODAY))


def test_an_access_file_others_can_write_is_refused(settings: Settings) -> None:
    (settings.home / "access.yaml").chmod(0o664)
    with pytest.raises(PolicyError, match=r"writable by group or others .*chmod 600"):
        current_principal(settings)
    (settings.home / "access.yaml").chmod(0o600)
    with pytest.raises(PolicyError, match="not owned by the pipeline's user"):
        load_access(settings.home / "access.yaml", owner=os.geteuid() + 1)


def test_access_file_problems_name_the_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "access.yaml"
    write_access(
        path, "grants:\n  - principal: ghost\n    zones: [shared]\n    expires: 2027-01-01\n"
    )
    with pytest.raises(ConfigError, match=r"access.yaml.*no such principal"):
        load_access(path)
    write_access(
        path, "grants:\n  - principal: os:a\n    zones: [secret]\n    expires: 2027-01-01\n"
    )
    with pytest.raises(
        ConfigError, match=r"access.yaml: line 3: grants.0.zones.0: Input should be"
    ):
        load_access(path)


def test_secrets_are_stored_salted_and_checked() -> None:
    first, second = hash_secret("pw", iterations=1000), hash_secret("pw", iterations=1000)
    assert first != second and "pw" not in first
    assert verify_secret("pw", first) and not verify_secret("pW", first)
    assert not verify_secret("pw", "not-a-hash")


def test_credentials_come_from_the_environment_or_a_file(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.write_text("bi_superset:from-file\n")
    found = Settings.from_env({"PUBDATA_HOME": str(tmp_path), "PUBDATA_CREDENTIALS": str(creds)})
    assert (found.principal, found.principal_secret) == ("bi_superset", "from-file")
    assert "from-file" not in repr(found)
    creds.write_text("no separator\n")
    with pytest.raises(ConfigError, match="must hold one line <name>:<secret>"):
        Settings.from_env({"PUBDATA_HOME": str(tmp_path), "PUBDATA_CREDENTIALS": str(creds)})


def test_a_grant_made_under_a_products_authorisation_ends_with_the_product(
    settings: Settings,
) -> None:
    import shutil

    from etl.access import access_in_force
    from etl.settings import PROJECT_ROOT

    registry = settings.home.parent / "datasets"
    shutil.copytree(PROJECT_ROOT / "datasets" / "products", registry / "products")
    linked = ACCESS + (
        f"  - principal: os:{OTHER_LOGIN}\n    zones: [shared]\n    expires: 2099-12-31\n"
        "    document: 武数授〔2024〕15号\n"  # relief_recipients' authorisation, ends 2025-06-30
    )
    write_access(settings.home / "access.yaml", linked)
    settings = replace(settings, registry=registry)
    [capped] = [g for g in access_in_force(settings).grants if g.document == "武数授〔2024〕15号"]
    assert capped.expires == date(2025, 6, 30)
    consumer = current_principal(settings, uid=OTHER_UID)
    assert "expired on 2025-06-30" in str(refusal(consumer, SHARED_HOUSEHOLD, Zone.SHARED, TODAY))
