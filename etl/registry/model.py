"""The dataset registry model: one YAML file per dataset, closed (unknown keys are errors)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from etl.registry.alerts import AlertsSpec
from etl.registry.closed import Closed
from etl.registry.columns import ColumnSpec, ColumnType, DeclaredColumn, default_title
from etl.registry.normalize import NormalizeSpec, SchemaChangesSpec, power_of_ten
from etl.registry.problems import FieldValueError
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
from etl.registry.types import parse_decimal

__all__ = [
    "AlertsSpec",
    "ClassificationSpec",
    "ColumnOverrideSpec",
    "ColumnSpec",
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
#: A suite name: a file name under expectations/ (no separators, not starting with a dot).
SUITE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$"
#: Airflow refuses a DAG with a longer tag, and the refusal would fail every DAG of ingest.py.
AIRFLOW_TAG_MAX = 100
#: Schedules Airflow 3.3 takes without asking croniter: ``@once``, ``@continuous`` and its
#: ``CRON_PRESETS`` (``airflow.sdk.definitions.timetables._cron``).
AIRFLOW_PRESETS = frozenset(
    {"@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly"}
)
Grade = Literal["L1", "L2", "L3", "L4"]


class ColumnOverrideSpec(Closed):
    """A person's confirmed classification of one column; wins over detection.

    ``reviewer`` and ``reviewed`` say who confirmed it and when (``pubdata review confirm``
    writes both); the grading record carries them as the decision's author and date.
    """

    category: str = Field(min_length=1)
    grade: Grade | None = None
    reason: str | None = None
    reviewer: str | None = Field(default=None, min_length=1)
    reviewed: date | None = None


class RuleThresholds(Closed):
    """Per-dataset thresholds of the dataset rules (absent: the spec's defaults)."""

    quasi_identifier_threshold: int | None = Field(default=None, ge=1, description="R2")
    minor_age: int | None = Field(default=None, ge=1, description="R4")
    persons_important: int | None = Field(default=None, ge=1, description="R5")
    persons_l4_important: int | None = Field(default=None, ge=1, description="R5")
    k_anonymity: int | None = Field(default=None, ge=1, description="R7")
    series_min_fixes: float | None = Field(default=None, ge=1, description="location series")


class ClassificationSpec(Closed):
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


class QualitySpec(Closed):
    """Quality tolerances."""

    max_quarantine_share: float = Field(default=0.5, ge=0.0, le=1.0)


class Dataset(Closed):
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
    expectations: str | None = Field(default=None, pattern=SUITE_NAME, max_length=128)
    columns: dict[str, DeclaredColumn] = Field(
        default_factory=dict,
        description="declared columns: a type (`xm: string`) or a mapping of type (default "
        "string), title and description (the data dictionary); undeclared columns stay strings",
    )
    normalize: NormalizeSpec | None = Field(
        default=None, description="header renames, null markers, units; absent: typed columns only"
    )
    schema_changes: SchemaChangesSpec = Field(default_factory=SchemaChangesSpec)
    classification: ClassificationSpec = Field(default_factory=ClassificationSpec)
    quality: QualitySpec = Field(default_factory=QualitySpec)
    open: bool = False
    retries: int = Field(default=2, ge=0, le=10)
    start_paused: bool = Field(
        default=True,
        description="a new DAG starts paused until an operator unpauses it (Airflow's "
        "is_paused_upon_creation); false: the scheduler runs it from its first sync",
    )
    tags: list[Annotated[str, Field(min_length=1, max_length=AIRFLOW_TAG_MAX)]] = Field(
        default_factory=list, description="extra DAG tags"
    )
    alerts: AlertsSpec | None = Field(
        default=None, description="channels (from alerts.yaml) and kinds of alert; absent: none"
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is None or value in AIRFLOW_PRESETS:
            return value
        problem = cron_problem(value)
        if problem:
            raise ValueError(
                f"not a valid schedule ({problem}); expected a preset such as @daily or a cron"
                " expression of five fields: minute hour day-of-month month day-of-week"
            )
        return value

    @model_validator(mode="after")
    def _overrides_reference_known_columns(self) -> Dataset:
        if self.columns:
            unknown = set(self.classification.columns) - set(self.columns)
            if unknown:
                name = sorted(unknown)[0]
                raise FieldValueError(
                    ("classification", "columns", name),
                    f"{name!r} is not declared in columns",
                )
        numbers = self.normalize.numbers if self.normalize is not None else {}
        for name, units in numbers.items():
            kind = self.column_types.get(name)
            if kind is not None and parse_decimal(kind) is not None:
                inexact = [
                    str(f)
                    for f in (units.scale, *units.suffixes.values())
                    if power_of_ten(f) is None
                ]
                if inexact:
                    raise FieldValueError(
                        ("normalize", "numbers", name),
                        f"{name!r} is a decimal: its factors must be powers of ten (10000, 0.01)"
                        f" to stay exact, not {', '.join(inexact)}",
                    )
            elif kind not in ("int64", "float64"):
                raise FieldValueError(
                    ("normalize", "numbers", name),
                    f"{name!r} is not declared int64, float64 or decimal(p,s) in columns",
                )
        return self

    @property
    def column_types(self) -> dict[str, str]:
        """The declared type of every declared column (what the extract step casts to)."""
        return {name: spec.type for name, spec in self.columns.items()}

    def column(self, name: str, comment: str | None = None) -> ColumnSpec:
        """A column's data-dictionary entry, its title always set.

        Args:
            name: the column's name in the tables.
            comment: the source's comment on the column (databases), if the run has one.

        Returns:
            The declared :class:`ColumnSpec` (an undeclared column: ``string``, no
            description), titled by the registry, else by a Chinese delivered header that
            ``normalize.rename`` maps to it, else by the source's comment, else by its
            delivered header.
        """
        spec = self.columns.get(name) or ColumnSpec()
        if spec.title is not None:
            return spec
        renames = self.normalize.rename if self.normalize is not None else {}
        delivered = next((header for header, to in renames.items() if to == name), None)
        return spec.model_copy(update={"title": default_title(name, delivered, comment)})

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this dataset."""
        return f"ingest__{self.department}__{self.id}"


def cron_problem(expression: str) -> str | None:
    """What Airflow's timetable would refuse in a cron expression, or None if it is valid.

    Airflow validates ``schedule`` strings with croniter when it builds a DAG's timetable; the
    same library is asked here (imported only for a non-preset schedule, to keep registry
    parsing cheap), so that a bad expression is a registry problem, not a failed DAG import.
    Airflow also reads only five fields (croniter's optional sixth is seconds).
    """
    from croniter import CroniterError, croniter

    try:
        fields = len(croniter(expression).expanded)
    except (CroniterError, ValueError, TypeError) as exc:
        return str(exc).strip() or type(exc).__name__
    if fields != 5:
        return f"{fields} fields"
    return None
