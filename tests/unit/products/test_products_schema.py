"""The product files' JSON Schema: current, referenced by every sample, agreeing with the model."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from etl.products.schema import PRODUCT_SCHEMA_FILE, product_schema, product_schema_text
from etl.registry.loader import PRODUCTS_FOLDER
from tests.conftest import REPO

DATASETS = REPO / "datasets"
SAMPLES = sorted((DATASETS / PRODUCTS_FOLDER).glob("*.yaml"))
COMMENT = f"# yaml-language-server: $schema=../{PRODUCT_SCHEMA_FILE}"


def test_the_checked_in_schema_is_current() -> None:
    checked_in = (DATASETS / PRODUCT_SCHEMA_FILE).read_text(encoding="utf-8")
    assert checked_in == product_schema_text(), "run `pubdata registry schema` and commit the file"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_points_editors_at_the_schema_and_passes_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == COMMENT
    assert (path.parent / COMMENT.split("=", 1)[1]).resolve() == DATASETS / PRODUCT_SCHEMA_FILE
    # editors read YAML 1.2, where a date is a string: so does this check
    doc = json.loads(json.dumps(YAML(typ="safe").load(text), default=str))
    jsonschema.Draft202012Validator(product_schema()).validate(doc)


def test_the_schema_refuses_the_restricted_zone() -> None:
    text = (DATASETS / PRODUCTS_FOLDER / "relief_recipients.yaml").read_text(encoding="utf-8")
    doc = YAML(typ="safe").load(text)
    doc["sources"][0]["zone"] = "restricted"
    errors = list(jsonschema.Draft202012Validator(product_schema()).iter_errors(doc))
    assert errors, "a product never reads the restricted zone"
