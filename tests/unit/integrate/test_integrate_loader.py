"""Domain files: every problem named by file, line and field; valid domains kept apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.integrate import DomainRegistry, load_domains
from etl.registry import load_registry
from etl.registry.loader import DOMAINS_FOLDER
from tests.conftest import REPO

BASE = """\
id: people
title: 人口
entity: person
key: {name: gmsfhm, title: 公民身份号码}
attributes:
  xm: {title: 姓名, sources: [household_register, clinic_visits]}
  csrq: {title: 出生日期, type: date, sources: [household_register]}
contributors:
  household_register: {key: gmsfhm, attributes: {xm: xm, csrq: csrq}}
  clinic_visits: {key: sfzh, attributes: {xm: hzxm}}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / DOMAINS_FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def domains(root: Path) -> DomainRegistry:
    return load_domains(load_registry(root))


def problems_of(root: Path, text: str) -> list[str]:
    """The problems of one domain file, without the path each starts with."""
    path = write(root, "people.yaml", text)
    found = domains(root)
    assert all(p.path == path for p in found.problems)
    assert found.problems == () or "people" not in found.domains  # a broken domain is left out
    return [str(p).removeprefix(f"{path}: ") for p in found.problems]


def test_a_valid_file_loads(registry_root: Path) -> None:
    path = write(registry_root, "people.yaml", BASE)
    found = domains(registry_root)
    assert found.problems == ()
    assert found.sources == {"people": path}
    assert found.folder == registry_root / DOMAINS_FOLDER


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "attributes:\n",
            "atributes:\n",
            "line 5: atributes: unknown key; did you mean 'attributes'?",
        ),
        (
            "type: date, sources",
            "type: date, sorces",
            "line 7: attributes.csrq.sorces: unknown key; did you mean 'sources'?",
        ),
        (
            "entity: person",
            "entity: company",
            "line 3: entity: Input should be 'person' or 'legal_entity'",
        ),
        (
            "type: date",
            "type: dat",
            "line 7: attributes.csrq.type: unknown column type 'dat'; expected one of string,"
            " int64, float64, bool, date, timestamp, decimal(p,s); did you mean 'date'?",
        ),
        (
            "sources: [household_register]}",
            "sources: [household_register], max_age_days: 0}",
            "line 7: attributes.csrq.max_age_days: Input should be greater than or equal to 1",
        ),
        (
            "key: {name: gmsfhm",
            "key: {name: GMSFHM",
            "line 4: key.name: String should match pattern '^[a-z][a-z0-9_]*$'",
        ),
        (
            "{key: sfzh, attributes",
            "{key: sfzh, key_form: uscc, attributes",
            "line 10: contributors.clinic_visits.key_form: 'uscc' is not a key form of a"
            " person; expected id_number",
        ),
        (
            "sources: [household_register, clinic_visits]",
            "sources: [household_register, clinic_visit]",
            "line 6: attributes.xm.sources.1: 'clinic_visit' is not a contributor of this"
            " domain; did you mean 'clinic_visits'? (contributors: household_register,"
            " clinic_visits)",
        ),
        (
            "sources: [household_register, clinic_visits]",
            "sources: [household_register, clinic_visits, household_register]",
            "line 6: attributes.xm.sources.2: 'household_register' is listed twice",
        ),
        (
            "sources: [household_register]}",
            "sources: [household_register, clinic_visits]}",
            "line 7: attributes.csrq.sources.1: clinic_visits does not map 'csrq'; add it"
            " under contributors.clinic_visits.attributes",
        ),
        (
            "attributes: {xm: hzxm}",
            "attributes: {xm: hzxm, csr: jzrq}",
            "line 10: contributors.clinic_visits.attributes.csr: 'csr' is not an attribute of"
            " this domain; did you mean 'csrq'?",
        ),
        (
            "sources: [household_register, clinic_visits]",
            "sources: [household_register]",
            "line 10: contributors.clinic_visits.attributes.xm: clinic_visits maps 'xm' but is"
            " not among attributes.xm.sources",
        ),
        (
            "attributes:\n",
            "attributes:\n  gmsfhm: {title: 号码, sources: [household_register]}\n",
            "line 6: attributes.gmsfhm: 'gmsfhm' is the entity key (key.name), not an attribute",
        ),
        (
            "attributes:\n",
            "attributes:\n  valid_to: {title: 有效期, sources: [household_register]}\n",
            "line 6: attributes.valid_to: 'valid_to' is a version column of the integrated"
            " records; choose another name",
        ),
        (
            "key: {name: gmsfhm",
            "key: {name: is_current",
            "line 4: key.name: 'is_current' is a version column of the integrated records;"
            " choose another name",
        ),
        (
            "  csrq: {title",
            "  csrq__date: {title",
            "line 7: attributes.csrq__date: 'csrq__date' contains '__', which names lineage"
            " columns (xm__dataset); choose another name",
        ),
    ],
)
def test_a_problem_of_the_file_alone(registry_root: Path, old: str, new: str, problem: str) -> None:
    assert old in BASE
    assert problem in problems_of(registry_root, BASE.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            "attributes: {xm: hzxm}",
            "attributes: {xm: hzmx}",
            "line 10: contributors.clinic_visits.attributes.xm: column 'hzmx' is not declared"
            " in clinic_visits's columns; did you mean 'hzxm'? (declared: jzlsh, hzxm, sfzh,"
            " jzrq, ksmc, zdmc, zddm, fy)",
        ),
        (
            "{key: sfzh,",
            "{key: zjhm,",
            "line 10: contributors.clinic_visits.key: column 'zjhm' is not declared in"
            " clinic_visits's columns (declared: jzlsh, hzxm, sfzh, jzrq, ksmc, zdmc, zddm, fy)",
        ),
        (
            "{key: gmsfhm, attributes",
            "{key: djrq, attributes",
            "line 9: contributors.household_register.key: column 'djrq' of household_register"
            " is declared date; a key column must be string (leading zeros, check character X)",
        ),
        (
            "csrq: {title: 出生日期, type: date,",
            "csrq: {title: 出生日期,",
            "line 9: contributors.household_register.attributes.csrq: column 'csrq' of"
            " household_register is declared date; attribute 'csrq' is string",
        ),
    ],
)
def test_a_column_the_dataset_does_not_declare_as_used(
    registry_root: Path, old: str, new: str, problem: str
) -> None:
    assert old in BASE
    assert problems_of(registry_root, BASE.replace(old, new, 1)) == [problem]


def test_every_problem_of_a_file_is_reported_at_once(registry_root: Path) -> None:
    text = BASE.replace("clinic_visits]", "clinic_visit]").replace(
        "{xm: hzxm}", "{xm: hzxm, xb: xb}"
    )
    assert [p.split(":")[1] for p in problems_of(registry_root, text)] == [
        " attributes.xm.sources.1",
        " contributors.clinic_visits.attributes.xm",  # no longer among the sources of xm
        " contributors.clinic_visits.attributes.xb",
    ]
    text = BASE.replace("{xm: hzxm}", "{xm: hzmx}").replace("{key: gmsfhm,", "{key: gmsfhn,")
    assert [p.split(":")[1] for p in problems_of(registry_root, text)] == [
        " contributors.household_register.key",
        " contributors.clinic_visits.attributes.xm",
    ]


def test_an_unknown_dataset_suggests_the_one_meant(registry_root: Path) -> None:
    text = BASE.replace("clinic_visits", "clinic_visit")
    assert problems_of(registry_root, text) == [
        "line 10: contributors.clinic_visit: unknown dataset 'clinic_visit'; did you mean"
        " 'clinic_visits'?"
    ]


def test_a_dataset_whose_file_is_broken_is_named_as_such(registry_root: Path) -> None:
    broken = registry_root / "health" / "clinic_visits.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "bogus: 1\n", encoding="utf-8")
    assert problems_of(registry_root, BASE) == [
        f"line 10: contributors.clinic_visits: dataset 'clinic_visits' is not loaded: its file"
        f" {broken} has problems"
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("id: people\ntitle: [\n", "line 3: not valid YAML"),
        ("- a list\n", "line 1: expected a mapping of keys at the top level"),
        (BASE + "id: again\n", "line 11: duplicate key 'id' (first at line 1)"),
        ("id: people\n", "line 1: title: required key is missing"),
    ],
)
def test_a_file_that_is_no_domain(registry_root: Path, text: str, problem: str) -> None:
    assert any(p.startswith(problem) for p in problems_of(registry_root, text))


def test_a_duplicate_id_keeps_the_first_file(registry_root: Path) -> None:
    first = write(registry_root, "a.yaml", BASE)
    second = write(registry_root, "b.yaml", BASE)
    found = domains(registry_root)
    assert [str(p) for p in found.problems] == [
        f"{second}: line 1: id: duplicate id 'people', also in {first}"
    ]
    assert found.sources == {"people": first}


def test_a_broken_domain_leaves_the_others_and_the_datasets(registry_root: Path) -> None:
    write(registry_root, "people.yaml", BASE)
    write(registry_root, "sub/broken.yaml", BASE.replace("id: people", "id: broken") + "x: 1\n")
    registry = load_registry(registry_root)
    found = load_domains(registry)
    assert list(found.domains) == ["people"]
    assert [p.path.name for p in found.problems] == ["broken.yaml"]  # nested files are read
    assert registry.problems == ()  # domain files are no datasets
    assert "broken" not in registry.datasets and "people" not in registry.datasets


def test_no_domains_folder_means_no_domains(registry_root: Path) -> None:
    found = domains(registry_root)
    assert (found.domains, found.problems) == ({}, ())


def test_lookups_by_id_and_by_dataset(registry_root: Path) -> None:
    shutil.copytree(REPO / "datasets" / DOMAINS_FOLDER, registry_root / DOMAINS_FOLDER)
    found = domains(registry_root)
    assert found.problems == ()
    assert found.get("population").entity == "person"
    with pytest.raises(
        ConfigError, match=r"unknown domain 'populaton' .*did you mean 'population'"
    ):
        found.get("populaton")
    assert [d.id for d in found.domains_of("household_register")] == ["population"]
    assert [d.id for d in found.domains_of("enterprise_registry")] == ["legal_entity"]
    assert found.domains_of("air_quality") == ()


def test_raise_for_problems_lists_them_in_one_error(registry_root: Path) -> None:
    write(registry_root, "people.yaml", BASE.replace("clinic_visits", "clinic_visit"))
    with pytest.raises(ConfigError, match=r"people\.yaml: line 10: contributors\.clinic_visit"):
        domains(registry_root).raise_for_problems()
