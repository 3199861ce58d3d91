"""Scrubbed OpenLineage dataset facets: schema, ownership, tags, assertions, metrics, lineage.

Every value placed in a facet is a name, a type, a grade, a category, a count or a suite
parameter without value sets (:func:`etl.validate.scrub.public_kwargs`).
"""

from __future__ import annotations

from typing import Any

from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    data_quality_assertions_dataset,
    data_quality_metrics_input_dataset,
    ownership_dataset,
    schema_dataset,
    tags_dataset,
)

from etl.classify.model import DatasetClassification
from etl.lineage.columns import MASKING
from etl.registry import Dataset
from etl.runtime.records import ColumnLineage, ExtractResult, ValidationResult
from etl.validate.scrub import public_kwargs

TAG_SOURCE = "PUBDATA"


def ownership(dataset: Dataset) -> ownership_dataset.OwnershipDatasetFacet:
    """The delivering department (producer) and the registry owner (maintainer)."""
    return ownership_dataset.OwnershipDatasetFacet(
        owners=[
            ownership_dataset.Owner(name=f"department:{dataset.department}", type="PRODUCER"),
            ownership_dataset.Owner(name=f"team:{dataset.owner}", type="MAINTAINER"),
        ]
    )


def tags(
    classification: DatasetClassification | None, zone: str | None
) -> tags_dataset.TagsDatasetFacet:
    """Dataset tags (zone, grade, flags) and per-field ``grade`` and ``category`` tags."""
    fields = tags_dataset.TagsDatasetFacetFields
    items = []
    if zone:
        items.append(fields(key="zone", value=zone, source=TAG_SOURCE))
    if classification is None:
        return tags_dataset.TagsDatasetFacet(tags=items)
    items.append(fields(key="grade", value=classification.dataset_grade, source=TAG_SOURCE))
    items.extend(fields(key="flag", value=flag, source=TAG_SOURCE) for flag in classification.flags)
    for c in classification.columns:
        items.append(fields(key="grade", value=c.grade, source=TAG_SOURCE, field=c.name))
        items.append(fields(key="category", value=c.category, source=TAG_SOURCE, field=c.name))
    return tags_dataset.TagsDatasetFacet(tags=items)


def schema(names: list[str], types: list[str]) -> schema_dataset.SchemaDatasetFacet:
    """Field names and types, in order."""
    return schema_dataset.SchemaDatasetFacet(
        fields=[
            schema_dataset.SchemaDatasetFacetFields(name=n, type=t, ordinal_position=i)
            for i, (n, t) in enumerate(zip(names, types, strict=True), start=1)
        ]
    )


def assertions(
    validation: ValidationResult,
) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
    """One assertion per expectation: verdict, column, severity, flagged count, public params."""
    module = data_quality_assertions_dataset
    items = []
    for r in validation.results:
        column = r.column
        label = f"{r.expectation_type}({column})" if column else r.expectation_type
        items.append(
            module.Assertion(
                assertion=r.expectation_type,
                success=r.success,
                column=column.split(",")[0] if column else None,
                severity=r.severity,
                name=label,
                description=f"{r.level}-level expectation of suite {validation.suite_name}",
                actual=None if r.unexpected_count is None else str(r.unexpected_count),
                params=public_kwargs(r.kwargs),
            )
        )
    return module.DataQualityAssertionsDatasetFacet(assertions=items)


def metrics(
    validation: ValidationResult | None, source: ExtractResult | None
) -> data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet:
    """Rows, bytes and per-column null counts of the delivered file (counts only)."""
    module = data_quality_metrics_input_dataset
    columns: dict[str, Any] = {}
    for r in validation.results if validation else ():
        column = r.column
        if column and "," not in column and "missing_count" in r.observed:
            columns[column] = module.ColumnMetrics(
                nullCount=r.observed["missing_count"], count=r.observed.get("element_count")
            )
    delivery = source.delivery if source else None
    return module.DataQualityMetricsInputDatasetFacet(
        columnMetrics=columns,
        rowCount=delivery.rows if delivery else None,
        bytes=delivery.bytes if delivery else None,
        fileCount=1,
    )


def column_lineage(
    lineage: list[ColumnLineage], namespace: str, name: str
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    """Each output field from its source field; masked/tokenized/generalized carry masking."""
    module = column_lineage_dataset
    fields = {}
    for c in lineage:
        if not c.output_column:
            continue
        how = c.transformation
        masked = how in MASKING
        fields[c.output_column] = module.Fields(
            inputFields=[
                module.InputField(
                    namespace=namespace,
                    name=name,
                    field=c.source_column,
                    transformations=[
                        module.Transformation(
                            type="DIRECT",
                            subtype="IDENTITY" if how == "identity" else "TRANSFORMATION",
                            description=how,
                            masking=masked,
                        )
                    ],
                )
            ],
            transformationDescription=how,
            transformationType="MASKED" if masked else "IDENTITY",
        )
    return module.ColumnLineageDatasetFacet(fields=fields)
