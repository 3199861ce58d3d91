"""The dataset registry model: one YAML file per dataset, closed (unknown keys are errors)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENT = r"^[a-z][a-z0-9_]*$"
Grade = Literal["L1", "L2", "L3", "L4"]
ColumnType = Literal["string", "int64", "float64", "bool", "date", "timestamp"]


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FileSource(_Closed):
    """A file delivered to the landing zone.

    ``path`` is relative to ``PUBDATA_LANDING`` and may contain ``{ds}`` (``2024-05-01``) or
    ``{ds_nodash}`` (``20240501``) for the run's logical date.
    """

    kind: Literal["file"]
    format: Literal["csv", "excel", "json", "jsonl", "parquet"]
    path: str = Field(min_length=1)
    encoding: str | None = Field(default=None, description="CSV encoding; detected when absent")
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    sheet: str | int | None = Field(default=None, description="Excel sheet name or 0-based index")

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", value):
            raise ValueError("must be relative to PUBDATA_LANDING, not an absolute path")
        unknown = set(re.findall(r"{([^}]*)}", value)) - {"ds", "ds_nodash"}
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{sorted(unknown)[0]}}}; expected {{ds}} or {{ds_nodash}}"
            )
        return value


Source = Annotated[FileSource, Field(discriminator="kind")]


class ColumnOverrideSpec(_Closed):
    """A person's confirmed classification of one column; wins over detection."""

    category: str = Field(min_length=1)
    grade: Grade | None = None
    reason: str | None = None


class ClassificationSpec(_Closed):
    """Registry-side classification settings of a dataset."""

    columns: dict[str, ColumnOverrideSpec] = Field(default_factory=dict)
    floor: Grade | None = Field(default=None, description="R6 domain floor for the dataset grade")
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
    classification: ClassificationSpec = Field(default_factory=ClassificationSpec)
    quality: QualitySpec = Field(default_factory=QualitySpec)
    open: bool = False
    retries: int = Field(default=2, ge=0, le=10)
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _overrides_reference_known_columns(self) -> Dataset:
        if self.columns:
            unknown = set(self.classification.columns) - set(self.columns)
            if unknown:
                raise ValueError(
                    f"classification.columns names {sorted(unknown)[0]!r}, which is not in columns"
                )
        return self

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this dataset."""
        return f"ingest__{self.department}__{self.id}"
