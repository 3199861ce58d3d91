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

from etl.lineage.columns import MASKING
from etl.registry import Dataset
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


def tags(classification: dict[str, Any] | None, zone: str | None) -> tags_dataset.TagsDatasetFacet:
    """Dataset tags (zone, grade, flags) and per-field ``grade`` and ``category`` tags."""
    fields = tags_dataset.TagsDatasetFacetFields
    items = []
    if zone:
        items.append(fields(key="zone", value=zone, source=TAG_SOURCE))
    if classification:
        items.append(fields(key="grade", value=classification["dataset_grade"], source=TAG_SOURCE))
        items.extend(
            fields(key="flag", value=flag, source=TAG_SOURCE)
            for flag in classification.get("flags", [])
        )
    for c in (classification or {}).get("columns", []):
        column, grade, category = c["name"], c["grade"], c["category"]
        items.append(fields(key="grade", value=grade, source=TAG_SOURCE, field=column))
        items.append(fields(key="category", value=category, source=TAG_SOURCE, field=column))
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
    validation: dict[str, Any],
) -> data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet:
    """One assertion per expectation: verdict, column, severity, flagged count, public params."""
    module = data_quality_assertions_dataset
    items = []
    for r in validation.get("results", []):
        column = r.get("column")
        label = f"{r['expectation_type']}({column})" if column else r["expectation_type"]
        items.append(
            module.Assertion(
                assertion=r["expectation_type"],
                success=bool(r["success"]),
                column=column.split(",")[0] if column else None,
                severity=r.get("severity", "error"),
                name=label,
                description=f"{r.get('level')}-level expectation of suite "
                f"{validation.get('suite_name')}",
                actual=None if r.get("unexpected_count") is None else str(r["unexpected_count"]),
                params=public_kwargs(r.get("kwargs") or {}),
            )
        )
    return module.DataQualityAssertionsDatasetFacet(assertions=items)


def metrics(
    validation: dict[str, Any] | None, source: dict[str, Any] | None
) -> data_quality_metrics_input_dataset.DataQualityMetricsInputDatasetFacet:
    """Rows, bytes and per-column null counts of the delivered file (counts only)."""
    module = data_quality_metrics_input_dataset
    columns: dict[str, Any] = {}
    for r in (validation or {}).get("results", []):
        observed = r.get("observed") or {}
        column = r.get("column")
        if column and "," not in column and "missing_count" in observed:
            columns[column] = module.ColumnMetrics(
                nullCount=observed["missing_count"], count=observed.get("element_count")
            )
    fingerprint = source or {}
    return module.DataQualityMetricsInputDatasetFacet(
        columnMetrics=columns,
        rowCount=fingerprint.get("rows"),
        bytes=fingerprint.get("bytes"),
        fileCount=1,
    )


def column_lineage(
    lineage: list[dict[str, Any]], namespace: str, name: str
) -> column_lineage_dataset.ColumnLineageDatasetFacet:
    """Each output field from its source field; masked/tokenized/generalized carry masking."""
    module = column_lineage_dataset
    fields = {}
    for c in lineage:
        if not c["output_column"]:
            continue
        how = c["transformation"]
        masked = how in MASKING
        fields[c["output_column"]] = module.Fields(
            inputFields=[
                module.InputField(
                    namespace=namespace,
                    name=name,
                    field=c["source_column"],
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
