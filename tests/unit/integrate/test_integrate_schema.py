"""The domain files' JSON Schema: current, referenced by every sample, agreeing with the model."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from etl.integrate.schema import DOMAIN_SCHEMA_FILE, domain_schema, domain_schema_text
from etl.registry.loader import DOMAINS_FOLDER
from tests.conftest import REPO

DATASETS = REPO / "datasets"
SAMPLES = sorted((DATASETS / DOMAINS_FOLDER).glob("*.yaml"))
COMMENT = f"# yaml-language-server: $schema=../{DOMAIN_SCHEMA_FILE}"


def test_the_checked_in_schema_is_current() -> None:
    checked_in = (DATASETS / DOMAIN_SCHEMA_FILE).read_text(encoding="utf-8")
    assert checked_in == domain_schema_text(), "run `pubdata registry schema` and commit the file"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_points_editors_at_the_schema_and_passes_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == COMMENT
    assert (path.parent / COMMENT.split("=", 1)[1]).resolve() == DATASETS / DOMAIN_SCHEMA_FILE
    jsonschema.Draft202012Validator(domain_schema()).validate(YAML(typ="safe").load(text))


def test_there_are_samples() -> None:
    assert [p.stem for p in SAMPLES] == ["legal_entity", "population"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"entity": "company"}, "'company' is not one of"),
        ({"attributes": {"xm": {"title": "姓名", "source": ["a"]}}}, "'source' was unexpected"),
        (
            {"contributors": {"a": {"key": "k", "key_form": "ssn", "attributes": {"xm": "xm"}}}},
            "'ssn' is not one of",
        ),
    ],
)
def test_the_schema_flags_what_the_model_refuses(change: dict[str, object], complaint: str) -> None:
    doc: dict[str, object] = {
        "id": "d",
        "title": "t",
        "entity": "person",
        "key": {"name": "gmsfhm", "title": "公民身份号码"},
        "attributes": {"xm": {"title": "姓名", "sources": ["a"]}},
        "contributors": {"a": {"key": "sfzh", "attributes": {"xm": "xm"}}},
    }
    jsonschema.Draft202012Validator(domain_schema()).validate(doc)
    doc.update(change)
    errors = list(jsonschema.Draft202012Validator(domain_schema()).iter_errors(doc))
    messages = []
    while errors:  # a union's error holds each member's errors in its context
        error = errors.pop()
        messages.append(error.message)
        errors.extend(error.context or ())
    assert any(complaint in m for m in messages), messages
