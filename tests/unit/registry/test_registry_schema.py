"""The registry's JSON Schema: current, referenced by every sample, and agreeing with the model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from etl.cli.main import main
from etl.integrate.schema import DOMAIN_SCHEMA_FILE, domain_schema
from etl.products.schema import PRODUCT_SCHEMA_FILE, product_schema
from etl.registry.loader import DOMAINS_FOLDER, PRODUCTS_FOLDER
from etl.registry.schema import SCHEMA_FILE, registry_schema, schema_text
from tests.conftest import REPO

DATASETS = REPO / "datasets"
SAMPLES = sorted(
    p
    for p in DATASETS.rglob("*.yaml")
    if p.name != "alerts.yaml"
    and not p.is_relative_to(DATASETS / DOMAINS_FOLDER)
    and not p.is_relative_to(DATASETS / PRODUCTS_FOLDER)
)
COMMENT = f"# yaml-language-server: $schema=../{SCHEMA_FILE}"


def test_the_checked_in_schema_is_current() -> None:
    checked_in = (DATASETS / SCHEMA_FILE).read_text(encoding="utf-8")
    assert checked_in == schema_text(), "run `pubdata registry schema` and commit the file"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_points_editors_at_the_schema_and_passes_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == COMMENT
    assert (path.parent / COMMENT.split("=", 1)[1]).resolve() == DATASETS / SCHEMA_FILE
    # Editors read YAML 1.2 (``on:`` is the word, not PyYAML's boolean): so does this check.
    jsonschema.Draft202012Validator(registry_schema()).validate(YAML(typ="safe").load(text))


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"shedule": "@daily"}, "'shedule' was unexpected"),
        ({"columns": {"jfjs": "flaot64"}}, "'flaot64' is not valid"),
        ({"source": {"kind": "file", "format": "csv", "pathh": "a"}}, "'path' is a required"),
    ],
)
def test_the_schema_flags_what_the_model_refuses(change: dict[str, object], complaint: str) -> None:
    doc = {"id": "a", "title": "t", "department": "d", "domain": "x"}
    doc["source"] = {"kind": "file", "format": "csv", "path": "a"}
    doc.update(change)
    errors = list(jsonschema.Draft202012Validator(registry_schema()).iter_errors(doc))
    messages = []
    while errors:  # a union's error holds each member's errors in its context
        error = errors.pop()
        messages.append(error.message)
        errors.extend(error.context or ())
    assert any(complaint in m for m in messages), messages


def test_a_decimal_type_is_offered() -> None:
    doc = {"id": "a", "title": "t", "department": "d", "domain": "x"}
    doc["source"] = {"kind": "file", "format": "csv", "path": "a"}
    doc["columns"] = {"jfjs": "decimal(12,2)"}
    jsonschema.Draft202012Validator(registry_schema()).validate(doc)


def test_the_command_writes_then_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PUBDATA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PUBDATA_REGISTRY", str(tmp_path))
    assert main(["registry", "schema", "--check"]) == 1
    err = capsys.readouterr().err
    for name in (SCHEMA_FILE, DOMAIN_SCHEMA_FILE, PRODUCT_SCHEMA_FILE):
        assert f"{tmp_path / name} is not current; run `pubdata registry schema`" in err
    assert main(["registry", "schema"]) == 0
    assert json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8")) == registry_schema()
    domain = json.loads((tmp_path / DOMAIN_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert domain == domain_schema()
    product = json.loads((tmp_path / PRODUCT_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert product == product_schema()
    assert main(["registry", "schema", "--check"]) == 0
    (tmp_path / DOMAIN_SCHEMA_FILE).write_text("{}", encoding="utf-8")
    assert main(["registry", "schema", "--check"]) == 1  # one stale file is enough
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert main(["registry", "schema", "--folder", str(elsewhere)]) == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(
        [DOMAIN_SCHEMA_FILE, PRODUCT_SCHEMA_FILE, SCHEMA_FILE]
    )
