"""What the classification recorded of a product's sources: grades, flags, tokens, quasi-ids."""

from __future__ import annotations

from etl.integrate import load_domains
from etl.lake import delta
from etl.lake.layout import zone_table_uri
from etl.products import Source
from etl.products.columns import quasi_identifier_kind, source_facts
from etl.zones import Zone
from tests.unit.sample_lake import IMPORTANT, SampleLake


def test_a_datasets_columns_as_its_published_run_graded_them(lake: SampleLake) -> None:
    uri = zone_table_uri(lake.settings.lake, Zone.SHARED, "social_assistance", "relief_payments")
    facts = source_facts(
        lake.settings.lake,
        Source(dataset="relief_payments"),
        lake.registry,
        load_domains(lake.registry),
        delta.schema(uri),
    )
    assert facts.flags == ()
    sfzh, jzdz, jzlx = (facts.column(c) for c in ("sfzh", "jzdz", "jzlx"))
    assert (sfzh.grade, sfzh.tokenized, sfzh.quasi_identifier) == ("L3", True, None)
    assert (jzdz.grade, jzdz.tokenized, jzdz.quasi_identifier) == ("L3", False, "address")
    assert (jzlx.grade, jzlx.quasi_identifier) == ("L2", None)
    assert facts.column("not_classified").grade == "L4"  # fail closed


def test_an_important_dataset_carries_its_flag(lake: SampleLake) -> None:
    facts = source_facts(
        lake.settings.lake, Source(dataset=IMPORTANT), lake.registry, load_domains(lake.registry)
    )
    assert facts.flags == ("IMP",)


def test_a_repositorys_attributes_take_their_strictest_source_grade(lake: SampleLake) -> None:
    facts = source_facts(
        lake.settings.lake,
        Source(repository="population"),
        lake.registry,
        load_domains(lake.registry),
    )
    assert facts.name == "population_records" and facts.dataset is None
    # household_register's columns are L4 (R4: minors); relief_payments' sfzh is L3
    assert facts.column("gmsfhm").grade == "L4"
    assert facts.column("xb").quasi_identifier == "gender"
    assert facts.column("jzdz").grade == "L3"


def test_quasi_identifier_kinds() -> None:
    assert quasi_identifier_kind("csrq", "birth_date") == "birth_date/age"
    assert quasi_identifier_kind("xb", "none") == "gender"  # a quasi-identifier name
    assert quasi_identifier_kind("jzdz", "address") == "address"  # personal, not identifying
    assert quasi_identifier_kind("sfzh", "id_card") is None  # a direct identifier
    assert quasi_identifier_kind("jzlx", "none", "救助类型") is None
