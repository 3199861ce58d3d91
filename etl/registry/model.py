"""The dataset registry model: one YAML file per dataset, closed (unknown keys are errors)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from etl.registry.alerts import AlertsSpec
from etl.registry.normalize import NormalizeSpec, SchemaChangesSpec
from etl.registry.sources import (
    CursorPagination,
    FileSource,
    HttpSource,
    OffsetPagination,
    PagePagination,
    Source,
    SqlSource,
    WaitSpec,
)

__all__ = [
    "AlertsSpec",
    "ClassificationSpec",
    "ColumnOverrideSpec",
    "ColumnType",
    "CursorPagination",
    "Dataset",
    "FileSource",
    "Grade",
    "HttpSource",
    "NormalizeSpec",
    "OffsetPagination",
    "PagePagination",
    "QualitySpec",
    "SchemaChangesSpec",
    "Source",
    "SqlSource",
    "WaitSpec",
]

IDENT = r"^[a-z][a-z0-9_]*$"
Grade = Literal["L1", "L2", "L3", "L4"]
ColumnType = Literal["string", "int64", "float64", "bool", "date", "timestamp"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ColumnOverrideSpec(_Closed):
    """A person's confirmed classification of one column; wins over detection.

    ``reviewer`` and ``reviewed`` say who confirmed it and when (``pubdata review confirm``
    writes both); the grading record carries them as the decision's author and date.
    """

    category: str = Field(min_length=1)
    grade: Grade | None = None
    reason: str | None = None
    reviewer: str | None = Field(default=None, min_length=1)
    reviewed: date | None = None


class RuleThresholds(_Closed):
    """Per-dataset thresholds of the dataset rules (absent: the spec's defaults)."""

    quasi_identifier_threshold: int | None = Field(default=None, ge=1, description="R2")
    minor_age: int | None = Field(default=None, ge=1, description="R4")
    persons_important: int | None = Field(default=None, ge=1, description="R5")
    persons_l4_important: int | None = Field(default=None, ge=1, description="R5")
    k_anonymity: int | None = Field(default=None, ge=1, description="R7")
    series_min_fixes: float | None = Field(default=None, ge=1, description="location series")


class ClassificationSpec(_Closed):
    """Registry-side classification settings of a dataset."""

    rules: RuleThresholds = Field(default_factory=RuleThresholds)
    columns: dict[str, ColumnOverrideSpec] = Field(default_factory=dict)
    floor: Grade | None = Field(default=None, description="R6 domain floor for the dataset grade")
    baseline: Grade | None = Field(
        default=None,
        description=(
            "grade of a column no detector claims (default L2); `L1` for public data. The "
            "publication guard still checks every value that goes out"
        ),
    )
    important: bool = Field(default=False, description="重要数据: restricted zone only")
    core: bool = Field(default=False, description="核心数据: runs are refused")


class QualitySpec(_Closed):
    """Quality tolerances."""

    max_quarantine_share: float = Field(default=0.5, ge=0.0, le=1.0)


class Dataset(_Closed):
    """One registered dataset."""

    id: str = Field(pattern=IDENT, max_length=64)
    title: str = Field(min_length=1)
    department: str = Field(pattern=IDENT, max_length=64)
    domain: str = Field(pattern=IDENT, max_length=64)
    source: Source
    description: str | None = None
    department_title: str | None = None
    schedule: str | None = "@daily"
    start_date: date = Field(
        default=date(2024, 1, 1), description="first logical date the DAG runs for"
    )
    owner: str = "pubdata"
    load: Literal["partition", "snapshot"] = "partition"
    expectations: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$")
    columns: dict[str, ColumnType] = Field(
        default_factory=dict, description="declared column types; undeclared columns stay strings"
    )
    normalize: NormalizeSpec | None = Field(
        default=None, description="header renames, null markers, units; absent: typed columns only"
    )
    schema_changes: SchemaChangesSpec = Field(default_factory=SchemaChangesSpec)
    classification: ClassificationSpec = Field(default_factory=ClassificationSpec)
    quality: QualitySpec = Field(default_factory=QualitySpec)
    open: bool = False
    retries: int = Field(default=2, ge=0, le=10)
    tags: list[str] = Field(default_factory=list)
    alerts: AlertsSpec | None = Field(
        default=None, description="channels (from alerts.yaml) and kinds of alert; absent: none"
    )

    @model_validator(mode="after")
    def _overrides_reference_known_columns(self) -> Dataset:
        if self.columns:
            unknown = set(self.classification.columns) - set(self.columns)
            if unknown:
                raise ValueError(
                    f"classification.columns names {sorted(unknown)[0]!r}, which is not in columns"
                )
        numeric = {name for name, kind in self.columns.items() if kind in ("int64", "float64")}
        for name in self.normalize.numbers if self.normalize is not None else ():
            if name not in numeric:
                raise ValueError(
                    f"normalize.numbers names {name!r}, which is not declared int64 or float64"
                    " in columns"
                )
        return self

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this dataset."""
        return f"ingest__{self.department}__{self.id}"
