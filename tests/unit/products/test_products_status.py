"""A product's state, releases, refusals and linked grant, from _meta and the access file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.access.config import write_access
from etl.products.status import product_statuses, release_records
from tests.unit.products.released import RECIPIENTS_DAY, Released, build_released
from tests.unit.sample_lake import SampleLake

TODAY = date(2026, 1, 15)
ACCESS = """\
grants:
  - principal: os:hongshan_center
    zones: [shared]
    domains: [civil_affairs]
    expires: 2099-01-31
    purpose: 救助对象核查
    document: 武数授〔2024〕15号
  - principal: os:research
    zones: [shared]
    expires: 2025-05-31
    document: 武数授〔2024〕12号
"""


@pytest.fixture(scope="module")
def released(lake: SampleLake, tmp_path_factory: pytest.TempPathFactory) -> Released:
    return build_released(lake, tmp_path_factory.mktemp("status"), "st")


def test_state_last_release_and_refusals(released: Released) -> None:
    products = [released.products[n] for n in ("district", "recipients", "strict", "later")]
    district, recipients, strict, later = product_statuses(released.settings, products, TODAY)
    assert (district.state, recipients.state, strict.state) == ("active", "expired", "active")
    last = released.releases["district"][-1]
    assert district.last_release is not None
    assert (district.last_release.logical_date, district.last_release.rows) == (
        date(2025, 1, 31),
        last.rows,
    )
    assert (district.refusals, len(district.releases)) == (0, 3)
    assert recipients.last_release is not None
    assert recipients.last_release.logical_date == RECIPIENTS_DAY
    assert (strict.last_release, strict.refusals) == (None, 1)
    [refused] = strict.releases
    assert refused.error == released.refusal and "1000-anonymous" in released.refusal
    assert [c.gate for c in refused.gate] == ["ceiling", "approval", "k_anonymity"]
    assert (later.releases, later.state) == ((), "active")
    # without an access file, no linked grant and nothing to warn about
    assert (district.grants, district.warnings, district.grants_note) == ((), (), None)


def test_a_grant_under_an_expired_products_document_is_linked_and_warned(
    released: Released,
) -> None:
    write_access(released.settings.access_file, ACCESS)
    try:
        products = [released.products["district"], released.products["recipients"]]
        district, recipients = product_statuses(released.settings, products, TODAY)
    finally:
        released.settings.access_file.unlink()
    [linked] = recipients.grants
    assert (linked.principal, linked.state) == ("os:hongshan_center", "active")
    assert recipients.warnings == (
        f"product {recipients.product.id} expired on 2025-06-30 but its linked grant to "
        "os:hongshan_center (document 武数授〔2024〕15号) is active until 2099-01-31; end it in "
        "the access file",
    )
    # the district product is active: its grant expired on its own, no warning either way
    [other] = district.grants
    assert (other.principal, other.state, district.warnings) == ("os:research", "expired", ())


def test_an_unreadable_access_file_is_a_note_not_a_failure(released: Released) -> None:
    write_access(released.settings.access_file, "grants: [\n")
    try:
        [status] = product_statuses(released.settings, [released.products["district"]], TODAY)
    finally:
        released.settings.access_file.unlink()
    assert status.grants == () and status.grants_note is not None
    assert str(released.settings.access_file) in status.grants_note


def test_records_are_read_per_product(released: Released, tmp_path: Path) -> None:
    ids = [released.products["district"].id]
    records = release_records(released.settings.lake, ids)
    assert [r.logical_date for r in records] == [
        date(2024, 6, 30),
        date(2024, 12, 31),
        date(2025, 1, 31),
    ]
    assert {r.product for r in records} == set(ids)
