"""OpenLineage facets per task, Data Docs and the run summary: complete, and free of values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openlineage.client.serde import Serde

from etl.errors import ConfigError
from etl.lineage.docs import build_docs
from etl.lineage.openlineage import ol_name, task_lineage
from etl.lineage.summary import run_summary
from etl.registry import load_registry
from etl.runtime.context import staging_dir
from etl.validate.scrub import public_kwargs
from tests.conftest import make_settings
from tests.unit.lineage.conftest import CSV, People, make_people

STAGES = ("extract", "validate", "classify", "load", "record")


def _json(people: People, stage: str) -> dict[str, Any]:
    facets = task_lineage(people.settings, people.dataset, people.ctx("r1"), stage)
    return {
        "inputs": [json.loads(Serde.to_json(d)) for d in facets.inputs],
        "outputs": [json.loads(Serde.to_json(d)) for d in facets.outputs],
        "run": {k: json.loads(Serde.to_json(v)) for k, v in facets.run_facets.items()},
    }


def _values() -> set[str]:
    return {v for line in CSV.splitlines()[1:] for v in line.split(",") if len(v) >= 4}


def test_source_facets_grow_with_the_run(people: People) -> None:
    source = _json(people, "load")["inputs"][0]
    assert source["namespace"] == "file" and source["name"].endswith("ps/2024-06-01.csv")
    assert set(source["facets"]) == {"schema", "ownership", "version", "tags"}
    assert set(source["inputFacets"]) == {"dataQualityMetrics", "dataQualityAssertions"}
    fields = {f["name"]: f["type"] for f in source["facets"]["schema"]["fields"]}
    assert fields == {"xm": "string", "sfzh": "string", "sjhm": "string", "amount": "float64"}
    owners = {o["name"] for o in source["facets"]["ownership"]["owners"]}
    assert owners == {"department:public_security", "team:人口科"}
    assertions = {
        a["name"]: a for a in source["inputFacets"]["dataQualityAssertions"]["assertions"]
    }
    sjhm = assertions["expect_column_values_to_match_regex(sjhm)"]
    assert (sjhm["success"], sjhm["severity"], sjhm["column"]) == (False, "warn", "sjhm")
    assert sjhm["params"] == {"regex": "^138"}
    assert source["inputFacets"]["dataQualityMetrics"]["rowCount"] == 4
    tags = {(t.get("field"), t["key"]): t["value"] for t in source["facets"]["tags"]["tags"]}
    assert tags[("sfzh", "grade")] == "L3" and tags[("sfzh", "category")] == "id_card"
    extract = _json(people, "extract")["inputs"][0]
    assert set(extract["facets"]) >= {"schema", "ownership", "version"}


def test_load_outputs_carry_column_lineage_with_masking(people: People) -> None:
    outputs = {o["name"].split("/lake/")[1]: o for o in _json(people, "load")["outputs"]}
    assert set(outputs) == {
        "restricted/population/people",
        "shared/population/people",
        "open/population/people",
        "restricted/population/people__quarantine",
    }
    shared = outputs["shared/population/people"]
    lineage = shared["facets"]["columnLineage"]["fields"]
    assert lineage["sfzh"]["inputFields"][0]["transformations"][0]["masking"] is True
    assert lineage["sfzh"]["transformationType"] == "MASKED"
    assert lineage["amount"]["inputFields"][0]["transformations"][0] == {
        "type": "DIRECT",
        "subtype": "IDENTITY",
        "description": "identity",
        "masking": False,
    }
    assert shared["outputFacets"]["outputStatistics"]["rowCount"] == 2
    assert shared["facets"]["version"]["datasetVersion"] == "0"
    names = [f["name"] for f in shared["facets"]["schema"]["fields"]]
    assert "_run_id" in names and "sfzh" in names
    assert set(outputs["open/population/people"]["facets"]["columnLineage"]["fields"]) == {"amount"}


def test_every_stage_has_a_scrubbed_run_facet_and_no_values(people: People) -> None:
    for stage in STAGES:
        event = _json(people, stage)
        facet = event["run"]["pubdata"]
        assert facet["stage"] == stage and facet["summary"]["rows_in"] == 4
        text = json.dumps(event, ensure_ascii=False)
        assert not {v for v in _values() if v in text}, stage
    record = _json(people, "record")
    assert {o["name"].rsplit("/", 1)[1] for o in record["outputs"]} >= {"lineage_runs"}


def test_naming_and_public_params() -> None:
    assert ol_name("/lake/shared/p/t") == ("file", "/lake/shared/p/t")
    assert ol_name("file:///lake/t") == ("file", "/lake/t")
    assert ol_name("s3://bucket/lake/t") == ("s3://bucket", "lake/t")
    assert public_kwargs(
        {"column": "x", "value_set": ["张三", "李四"], "min_value": 1, "column_set": ["a"]}
    ) == {"value_set": "<2 values>", "min_value": 1, "column_set": ["a"]}


def test_run_summary(people: People) -> None:
    summary = run_summary(staging_dir(people.settings, people.ctx("r1")))
    assert summary["rows_loaded"] == 2 and summary["dataset_grade"] == "L3"
    assert summary["quality"] == {
        "suite": "people",
        "suite_success": True,
        "expectations": 3,
        "passed": 1,
        "failed": 2,
        "warnings": 1,
        "pass_rate": 0.3333,
    }


def test_data_docs_are_built_without_values(people: People) -> None:
    index = build_docs(people.settings, load_registry(people.settings.registry))
    page = (index.parent / "datasets" / "people.html").read_text(encoding="utf-8")
    assert "expect_column_values_to_match_regex" in page and "bad_id" in page
    assert "tokenized" in page and "warned" in page
    site = index.read_text(encoding="utf-8") + page
    assert not {v for v in _values() if v in site}


def test_a_failed_validation_reports_its_assertions(tmp_path: Path) -> None:
    from etl.errors import ValidationFailed
    from etl.pipeline import steps_ingest as ingest

    people = make_people(tmp_path)
    suite = {
        "name": "people",
        "expectations": [
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 100}}
        ],
    }
    (people.settings.expectations / "people.json").write_text(json.dumps(suite))
    ctx = people.ctx("r9")
    ingest.extract(people.settings, people.dataset, ctx)
    with pytest.raises(ValidationFailed):
        ingest.validate(people.settings, people.dataset, ctx)
    facets = task_lineage(people.settings, people.dataset, ctx, "validate")
    assert facets.outputs == []
    (assertion,) = json.loads(Serde.to_json(facets.inputs[0]))["inputFacets"][
        "dataQualityAssertions"
    ]["assertions"]
    assert assertion["success"] is False and assertion["params"] == {"min_value": 100}
    assert facets.run_facets["pubdata"].summary["rows_loaded"] is None


def test_clearance_setting() -> None:
    assert make_settings(tmp_home(), PUBDATA_CLEARANCE=" Restricted ").clearance == "restricted"
    assert make_settings(tmp_home()).clearance == "shared"
    with pytest.raises(ConfigError, match="PUBDATA_CLEARANCE must be one of open, shared"):
        make_settings(tmp_home(), PUBDATA_CLEARANCE="secret")


def tmp_home() -> Path:
    return Path("/nonexistent/pubdata-home")
