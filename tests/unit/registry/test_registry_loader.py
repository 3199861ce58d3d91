from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import ConfigError
from etl.registry import load_registry
from etl.registry.loader import domain_files

GOOD = """\
id: people
title: 人口 People
department: public_security
domain: population
source:
  kind: file
  format: csv
  path: ps/people/{ds}.csv
"""


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_dataset_gets_defaults(tmp_path: Path) -> None:
    write(tmp_path, "ps/people.yaml", GOOD)
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    ds = registry.get("people")
    assert ds.dag_id == "ingest__public_security__people"
    assert ds.schedule == "@daily"
    assert ds.load == "partition"
    assert ds.open is False
    assert ds.expectations is None


def test_nested_folders_are_scanned(tmp_path: Path) -> None:
    write(tmp_path, "a/b/c/people.yml", GOOD)
    assert list(load_registry(tmp_path).datasets) == ["people"]


def test_unknown_key_names_file_key_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, "people.yaml", GOOD + "schedual: '@daily'\n")
    registry = load_registry(tmp_path)
    assert registry.datasets == {}
    [problem] = registry.problems
    assert problem.path == path
    assert problem.field == "schedual"
    assert "unknown key" in problem.message


def test_mistyped_nested_value_names_the_dotted_field(tmp_path: Path) -> None:
    write(tmp_path, "people.yaml", GOOD.replace("format: csv", "format: xls"))
    [problem] = load_registry(tmp_path).problems
    assert problem.field == "source.format"
    assert "csv" in problem.message  # says what was expected


def test_every_problem_in_every_file_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("id: people", "id: People") + "bogus: 1\n")
    write(tmp_path, "b.yaml", "id: [unclosed\n")
    write(tmp_path, "c.yaml", GOOD.replace("id: people", "id: other"))
    registry = load_registry(tmp_path)
    fields = sorted(str(p.field) for p in registry.problems if p.path.name == "a.yaml")
    assert fields == ["bogus", "id"]
    assert any(p.path.name == "b.yaml" and "YAML" in p.message for p in registry.problems)
    assert list(registry.datasets) == ["other"]


def test_missing_required_keys(tmp_path: Path) -> None:
    write(tmp_path, "x.yaml", "id: x\ntitle: t\n")
    fields = {p.field for p in load_registry(tmp_path).problems}
    assert {"department", "domain", "source"} <= fields


def test_duplicate_ids_are_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    registry = load_registry(tmp_path)
    [problem] = registry.problems
    assert problem.field == "id" and "duplicate" in problem.message
    with pytest.raises(ConfigError, match="duplicate id"):
        registry.raise_for_problems()


@pytest.mark.parametrize(
    "path, message",
    [("/etc/passwd", "relative"), ("x/{date}.csv", "placeholder")],
)
def test_source_path_rules(tmp_path: Path, path: str, message: str) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("ps/people/{ds}.csv", path))
    [problem] = load_registry(tmp_path).problems
    assert problem.field == "source.path"
    assert message in problem.message


def test_unknown_dataset_lists_known_ones(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    with pytest.raises(ConfigError, match=r"unknown dataset 'nope'.*people"):
        load_registry(tmp_path).get("nope")
    with pytest.raises(ConfigError, match=r"unknown dataset 'peple' .*; did you mean 'people'\?"):
        load_registry(tmp_path).get("peple")


def test_override_of_undeclared_column_is_a_problem(tmp_path: Path) -> None:
    text = (
        GOOD
        + "columns:\n  xm: string\nclassification:\n  columns:\n    sfzh: {category: id_card}\n"
    )
    write(tmp_path, "a.yaml", text)
    [problem] = load_registry(tmp_path).problems
    assert "sfzh" in problem.message


def test_missing_registry_folder(tmp_path: Path) -> None:
    registry = load_registry(tmp_path / "nope")
    assert "does not exist" in registry.problems[0].message


def test_repository_registry_is_valid() -> None:
    root = Path(__file__).resolve().parents[3] / "datasets"
    registry = load_registry(root)
    assert registry.problems == ()
    assert len({d.department for d in registry.datasets.values()}) >= 6


def test_files_under_the_domains_folder_are_not_datasets(tmp_path: Path) -> None:
    write(tmp_path, "ps/people.yaml", GOOD)
    write(tmp_path, "domains/population.yaml", "id: population\n")
    write(tmp_path, "domains/more/broken.yml", ": :\n")
    # only the folder directly under the root holds domains
    write(tmp_path, "ps/domains/other.yaml", GOOD.replace("id: people", "id: other"))
    registry = load_registry(tmp_path)
    assert registry.problems == ()
    assert sorted(registry.datasets) == ["other", "people"]
    found = [p.relative_to(tmp_path).as_posix() for p in domain_files(tmp_path)]
    assert found == ["domains/more/broken.yml", "domains/population.yaml"]


_PARSES = [0]


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.registry import safe_yaml

    parse = safe_yaml.parse_document

    def counted(text: str) -> safe_yaml.Document:
        _PARSES[0] += 1
        return parse(text)

    monkeypatch.setattr(safe_yaml, "parse_document", counted)


def _parses_loading(root: Path) -> int:
    before = _PARSES[0]
    load_registry(root)
    return _PARSES[0] - before


def test_an_unchanged_file_is_parsed_once_per_process_and_its_forks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every task process loads the whole registry (its DAG file does): with a thousand
    # datasets, parsing each YAML file again would cost seconds per task
    from etl.forked import ForkedPool

    _count_parses(monkeypatch)
    for n in range(3):  # texts no other test writes: the cache is per process
        write(tmp_path, f"ps/p{n}.yaml", GOOD.replace("id: people", f"id: p{n}_{tmp_path.name}"))
    assert _parses_loading(tmp_path) == 3
    assert _parses_loading(tmp_path) == 0
    with ForkedPool(1) as pool:  # a task process forked from one that loaded the registry
        assert pool.submit(_parses_loading, tmp_path).result() == 0
    edited = (tmp_path / "ps/p1.yaml").read_text(encoding="utf-8").replace("人口", "户籍")
    write(tmp_path, "ps/p1.yaml", edited)
    assert _parses_loading(tmp_path) == 1
    assert load_registry(tmp_path).get(f"p1_{tmp_path.name}").title.startswith("户籍")


def test_the_parsed_files_kept_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.registry import safe_yaml

    monkeypatch.setattr(safe_yaml, "CACHE_BYTES", 3 * len(GOOD) + 64)
    monkeypatch.setattr(safe_yaml, "_parsed", {})
    monkeypatch.setattr(safe_yaml, "_parsed_bytes", 0)
    for n in range(10):
        write(tmp_path, f"ps/p{n}.yaml", GOOD.replace("id: people", f"id: p{n}"))
    registry = load_registry(tmp_path)
    assert registry.problems == () and len(registry.datasets) == 10
    assert 1 <= len(safe_yaml._parsed) <= 3
    assert safe_yaml._parsed_bytes == sum(map(len, safe_yaml._parsed))
    assert safe_yaml._parsed_bytes <= safe_yaml.CACHE_BYTES
