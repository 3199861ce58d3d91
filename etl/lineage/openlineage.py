"""OpenLineage facets for one task of one run, built from the run's staging files.

The Airflow side (``dags/pubdata_wiring.py``) wraps what :func:`task_lineage` returns in the
provider's ``OperatorLineage``; this module only uses the ``openlineage`` client package. Every
facet is scrubbed: names, types, grades, categories, counts, fingerprints and suite parameters
without value sets (:func:`etl.validate.scrub.public_kwargs`) — never a value of the data.

What each task reports (facets accumulate as the run's staging files appear):

* extract, validate, classify: input = the delivered file, with ``schema``, ``ownership``,
  ``version`` (sha256), ``dataQualityMetrics`` (rows, bytes, null counts), after validation
  ``dataQualityAssertions`` (one per expectation, with severity), after classification
  ``tags`` (``grade`` and ``category`` per field, dataset grade and flags);
* load: the same input, and outputs = every zone table and the quarantine table with
  ``schema``, ``columnLineage`` (each output field from its source field; masked, tokenized and
  generalized fields carry ``masking: true``), ``tags``, ``ownership``, ``version`` (Delta
  version) and ``outputStatistics`` (rows);
* record: inputs = the zone tables, outputs = the ``_meta`` tables;
* every task: a ``pubdata`` run facet with the run's scrubbed summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import attr
from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.facet_v2 import (
    DatasetFacet,
    InputDatasetFacet,
    JobFacet,
    OutputDatasetFacet,
    RunFacet,
    dataset_version_dataset,
    output_statistics_output_dataset,
)

from etl.classify.model import DatasetClassification
from etl.lake import delta, meta_table_uri
from etl.lake.layout import RUN_META_TABLES
from etl.lineage import ol_facets
from etl.lineage.summary import run_summary
from etl.registry import Dataset
from etl.runtime import staging
from etl.runtime.context import RunContext, staging_dir
from etl.runtime.records import ExtractResult, LoadResult, ValidationResult, maybe_record
from etl.settings import Settings
from etl.zones import QUARANTINE, storage_zone

SCHEMA_URL = "https://pubdata.invalid/spec/PubdataRunFacet.json"


@attr.define
class PubdataRunFacet(RunFacet):
    """The run's scrubbed summary (counts, grade, suite verdict, table versions)."""

    stage: str
    dataset: str
    logical_date: str
    summary: dict[str, Any] = attr.field(factory=dict)

    @staticmethod
    def _get_schema() -> str:
        return SCHEMA_URL


@dataclass
class LineageFacets:
    """What one task reports, in the shape of the provider's ``OperatorLineage``."""

    inputs: list[InputDataset] = field(default_factory=list)
    outputs: list[OutputDataset] = field(default_factory=list)
    run_facets: dict[str, RunFacet] = field(default_factory=dict)
    job_facets: dict[str, JobFacet] = field(default_factory=dict)


def ol_name(uri: str) -> tuple[str, str]:
    """OpenLineage ``(namespace, name)`` of a file or table URI (naming spec: file, s3 ...)."""
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return "file", parsed.path if parsed.scheme else uri
    return f"{parsed.scheme}://{parsed.netloc}", parsed.path.lstrip("/")


@dataclass
class _Staged:
    folder: Path
    source: ExtractResult | None
    validation: ValidationResult | None
    classification: DatasetClassification | None
    load: LoadResult | None

    @classmethod
    def read(cls, folder: Path) -> _Staged:
        return cls(
            folder,
            maybe_record(folder, ExtractResult),
            maybe_record(folder, ValidationResult),
            maybe_record(folder, DatasetClassification),
            maybe_record(folder, LoadResult),
        )


def _source(staged: _Staged, dataset: Dataset) -> InputDataset | None:
    if staged.source is None:
        return None
    namespace, name = ol_name(str(staged.source.delivery.uri))
    raw = staged.folder / staging.RAW
    schema = staging.table_schema(staged.folder, staging.RAW) if raw.is_file() else None
    names = [n for n in schema.names if not n.startswith("_")] if schema is not None else []
    facets: dict[str, DatasetFacet] = {
        "schema": ol_facets.schema(names, [dataset.column(n).type for n in names]),
        "ownership": ol_facets.ownership(dataset),
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(
            datasetVersion=str(staged.source.delivery.sha256)
        ),
    }
    if staged.classification:
        facets["tags"] = ol_facets.tags(staged.classification, None)
    input_facets: dict[str, InputDatasetFacet] = {
        "dataQualityMetrics": ol_facets.metrics(staged.validation, staged.source)
    }
    if staged.validation:
        input_facets["dataQualityAssertions"] = ol_facets.assertions(staged.validation)
    return InputDataset(namespace, name, facets=facets, inputFacets=input_facets)


def _table(
    staged: _Staged, dataset: Dataset, zone: str, uri: str, version: int, source: InputDataset
) -> OutputDataset:
    namespace, name = ol_name(uri)
    schema = delta.schema(uri, version)
    facets: dict[str, DatasetFacet] = {
        "schema": ol_facets.schema(schema.names, [str(t) for t in schema.types]),
        "ownership": ol_facets.ownership(dataset),
        "tags": ol_facets.tags(staged.classification, storage_zone(zone)),
        "version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=str(version)),
    }
    load = staged.load
    lineage = [c for c in load.column_lineage if c.zone == zone] if load else []
    if lineage:
        facets["columnLineage"] = ol_facets.column_lineage(lineage, source.namespace, source.name)
    rows = None
    if load is not None:
        rows = load.rows_quarantined if zone == QUARANTINE else load.rows_loaded
    stats: dict[str, OutputDatasetFacet] = {
        "outputStatistics": output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
            rowCount=rows
        )
    }
    return OutputDataset(namespace, name, facets=facets, outputFacets=stats)


def task_lineage(
    settings: Settings, dataset: Dataset, ctx: RunContext, stage: str
) -> LineageFacets:
    """The OpenLineage inputs, outputs and facets of one task (see the module docstring).

    Args:
        settings: the lake and staging locations.
        dataset: the registry entry.
        ctx: the run.
        stage: the task (``extract`` ... ``record``).

    Returns:
        The facets; empty lists where the run had not got that far.
    """
    staged = _Staged.read(staging_dir(settings, ctx))
    out = LineageFacets()
    source = _source(staged, dataset)
    tables: list[tuple[str, str, int]] = []
    if (load := staged.load) is not None:
        tables = [
            (z, uri, load.versions[z]) for z, uri in load.tables.items() if z in load.versions
        ]
    if stage == "record" and tables:
        for zone, uri, version in tables:
            namespace, name = ol_name(uri)
            out.inputs.append(
                InputDataset(
                    namespace,
                    name,
                    facets={
                        "version": dataset_version_dataset.DatasetVersionDatasetFacet(
                            datasetVersion=str(version)
                        ),
                        "tags": ol_facets.tags(staged.classification, zone),
                    },
                )
            )
        for table in RUN_META_TABLES:
            out.outputs.append(OutputDataset(*ol_name(meta_table_uri(settings.lake, table))))
    elif source is not None:
        out.inputs.append(source)
        if stage == "load":
            out.outputs.extend(
                _table(staged, dataset, zone, uri, version, source) for zone, uri, version in tables
            )
    out.run_facets["pubdata"] = PubdataRunFacet(
        stage=stage,
        dataset=dataset.id,
        logical_date=ctx.logical_date.isoformat(),
        summary=run_summary(staged.folder),
    )
    return out
