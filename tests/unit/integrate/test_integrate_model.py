"""The sample domain files load; the Domain record answers what the integration engine asks."""

from __future__ import annotations

from datetime import date

import pytest

from etl.errors import ConfigError
from etl.integrate import Attribute, Domain, DomainRegistry, load_domains
from etl.registry import load_registry
from tests.conftest import REPO


@pytest.fixture(scope="module")
def samples() -> DomainRegistry:
    return load_domains(load_registry(REPO / "datasets"))


def test_both_sample_domains_load_without_problems(samples: DomainRegistry) -> None:
    assert samples.problems == ()
    assert sorted(samples.domains) == ["legal_entity", "population"]
    assert samples.sources["population"] == REPO / "datasets" / "domains" / "population.yaml"


def test_population_is_keyed_by_the_id_number(samples: DomainRegistry) -> None:
    population = samples.get("population")
    assert (population.entity, population.key_form, population.key.name) == (
        "person",
        "id_number",
        "gmsfhm",
    )
    assert population.datasets == ("household_register", "relief_payments", "clinic_visits")
    assert population.key_form_of("clinic_visits") == "id_number"
    assert population.contributor("clinic_visits").columns == ("sfzh", "hzxm")
    name = population.attributes["xm"]
    assert name.authoritative == "household_register"
    assert name.sources == ["household_register", "relief_payments", "clinic_visits"]
    assert population.attributes["csrq"].type == "date"
    assert population.attributes["lxdh"].max_age_days == 365
    assert population.authoritative_for("relief_payments") == ("jzdz", "lxdh")
    assert population.authoritative_for("clinic_visits") == ()


def test_legal_entity_is_keyed_by_the_uscc(samples: DomainRegistry) -> None:
    legal = samples.get("legal_entity")
    assert (legal.entity, legal.key_form, legal.key.name) == ("legal_entity", "uscc", "tyshxydm")
    registry = legal.contributor("enterprise_registry")
    assert registry.attributes["dwmc"] == "qymc"
    assert registry.columns[0] == "tyshxydm"
    assert legal.attributes["zczb"].type == "float64"


def test_a_dataset_that_does_not_contribute_is_an_error(samples: DomainRegistry) -> None:
    with pytest.raises(ConfigError, match=r"'clinic_visit' does not contribute .*'clinic_visits'"):
        samples.get("population").contributor("clinic_visit")
    with pytest.raises(ConfigError, match="does not contribute to domain population"):
        samples.get("population").authoritative_for("air_quality")


def test_an_older_legal_entity_dataset_writes_the_org_code() -> None:
    legal = Domain.model_validate(
        {
            "id": "legal",
            "title": "法人",
            "entity": "legal_entity",
            "key": {"name": "tyshxydm", "title": "统一社会信用代码"},
            "attributes": {"dwmc": {"title": "名称", "sources": ["old", "new"]}},
            "contributors": {
                "new": {"key": "tyshxydm", "attributes": {"dwmc": "qymc"}},
                "old": {"key": "zzjgdm", "key_form": "org_code", "attributes": {"dwmc": "jgmc"}},
            },
        }
    )
    assert legal.key_form_of("new") == "uscc"
    assert legal.key_form_of("old") == "org_code"
    assert legal.attributes["dwmc"].authoritative == "old"


RUN = date(2024, 6, 1)
PHONE = Attribute(title="联系电话", sources=["relief", "register", "clinic"], max_age_days=365)


@pytest.mark.parametrize(
    ("available", "winner"),
    [
        ({"relief": date(2024, 1, 1), "register": date(2024, 5, 1)}, "relief"),  # both fresh
        ({"relief": date(2022, 1, 1), "register": date(2024, 5, 1)}, "register"),  # stale yields
        ({"relief": date(2023, 6, 2), "register": date(2024, 5, 1)}, "relief"),  # 365 days: fresh
        ({"relief": date(2023, 6, 1), "register": date(2024, 5, 1)}, "register"),  # 366: stale
        ({"relief": date(2020, 1, 1), "clinic": date(2024, 5, 1)}, "clinic"),  # skips a gap
        ({"relief": date(2020, 1, 1), "register": date(2021, 1, 1)}, "relief"),  # none fresh
        ({"register": date(2021, 1, 1), "clinic": date(2020, 1, 1)}, "register"),
        ({"other": date(2024, 5, 1)}, None),  # not a source of the attribute
        ({}, None),
    ],
)
def test_the_freshness_rule(available: dict[str, date], winner: str | None) -> None:
    assert PHONE.choose(available, RUN) == winner


def test_without_a_freshness_rule_the_first_source_with_a_value_wins() -> None:
    name = Attribute(title="姓名", sources=["register", "relief"])
    assert name.max_age_days is None
    assert name.choose({"relief": RUN, "register": date(1990, 1, 1)}, RUN) == "register"
    assert name.choose({"relief": RUN}, RUN) == "relief"


def test_the_model_is_closed_and_frozen() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        Attribute.model_validate({"title": "姓名", "sources": ["a"], "authority": "a"})
    with pytest.raises(ValueError, match="frozen"):
        PHONE.max_age_days = 1  # type: ignore[misc]
