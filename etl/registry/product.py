"""The product model: one YAML file per authorised data product (授权运营), closed.

A product is what one consumer (an organisation, named with its 统一社会信用代码) is authorised
to receive, for one purpose, from the shared or open zone::

    id: relief_by_district
    title: 低保救助人数（按区、救助类型）
    consumer: {name: 武汉某某研究院有限公司, uscc: 91420100MA4K00001U}
    purpose: 社会救助政策评估
    authorisation: {document: 武数授〔2024〕12号, approved_by: 市数据局, date: 2024-05-20}
    sources: [{dataset: relief_payments, zone: shared}]
    columns: [jzdz, jzlx]
    filters: [{column: jzlx, op: in, value: [城市低保, 农村低保]}]
    aggregation:
      group_by: [jzdz, jzlx]
      measures: {recipients: {function: count}}
    grade_ceiling: L3
    schedule: "@monthly"
    expires: 2025-05-31

A source is a registered dataset's ``shared`` or ``open`` table, or an integrated repository's
shared records; a product never reads the restricted zone. Filters are structured (column,
operator, value), never SQL text. This module checks a file on its own; :mod:`etl.products.loader`
checks it against the dataset registry and the domain files. Pure pydantic: a DAG file may parse
product files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from stdnum.cn import uscc as stdnum_uscc

from etl.registry.closed import Closed
from etl.registry.model import AIRFLOW_PRESETS, IDENT, Grade, cron_problem
from etl.registry.problems import FieldValueError, FieldValueErrors, did_you_mean

__all__ = [
    "DEFAULT_K",
    "Aggregation",
    "Approval",
    "Authorisation",
    "Consumer",
    "Filter",
    "FilterOp",
    "Measure",
    "Product",
    "Source",
    "SourceZone",
    "check_uscc",
]

#: The k of the re-identification check when a product does not set one (classification.md R7).
DEFAULT_K = 10
#: The zones a product may read: never restricted.
SourceZone = Literal["shared", "open"]
#: The operators of a row filter.
FilterOp = Literal["=", "!=", "<", "<=", ">", ">=", "in"]
#: The functions of an aggregate measure.
MeasureFunction = Literal["count", "sum", "avg"]
#: A filter value: a scalar, or (operator ``in``) a list of scalars.
Scalar = str | int | float | bool | date
#: A column of a source table (checked against the registry by the loader).
Column = Annotated[str, Field(min_length=1, max_length=200)]
#: 18 characters of the GB 32100 alphabet.
_USCC = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")


def check_uscc(code: str) -> str | None:
    """Why ``code`` is not a 统一社会信用代码 (GB 32100), or None when it is one.

    The check character is computed with python-stdnum's ``calc_check_digit`` (its
    ``validate`` rejects letter department codes, classification.md §3).
    """
    if not _USCC.fullmatch(code):
        return "must be 18 characters of 0-9 and A-H J-N P Q R T U W X Y"
    if stdnum_uscc.calc_check_digit(code[:17]) != code[17]:
        return "check character does not match (GB 32100)"
    return None


class Consumer(Closed):
    """The organisation a product is released to."""

    name: str = Field(min_length=1, max_length=200, description="the organisation's name")
    uscc: str = Field(description="its 统一社会信用代码 (18 characters, check character valid)")

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        problem = check_uscc(value)
        if problem:
            raise ValueError(f"not a 统一社会信用代码: {problem}")
        return value


class Authorisation(Closed):
    """The decision that authorises the product: its document number (文号), who, when."""

    document: str = Field(min_length=1, max_length=200, description="文号, e.g. 武数授〔2024〕12号")
    approved_by: str = Field(min_length=1, max_length=200)
    date: date


class Approval(Closed):
    """The explicit approval to release from an important (IMP) or core (CORE) dataset."""

    dataset: str = Field(pattern=IDENT, max_length=64)
    document: str = Field(min_length=1, max_length=200, description="the approval's 文号")
    approved_by: str = Field(min_length=1, max_length=200)
    date: date


class Source(Closed):
    """One table a product reads: a dataset's shared/open table or a repository's records.

    Attributes:
        dataset: a registered dataset id (give this or ``repository``).
        repository: an integrated repository (domain file) id: its shared current records.
        zone: ``shared`` (default) or ``open``; a repository's records are shared only.
    """

    dataset: str | None = Field(default=None, pattern=IDENT, max_length=64)
    repository: str | None = Field(default=None, pattern=IDENT, max_length=64)
    zone: SourceZone = "shared"

    @model_validator(mode="after")
    def _one_table(self) -> Source:
        if (self.dataset is None) == (self.repository is None):
            raise ValueError("give exactly one of dataset or repository")
        if self.repository is not None and self.zone != "shared":
            raise FieldValueError(("zone",), "a repository's records are in the shared zone only")
        return self

    @property
    def name(self) -> str:
        """The table's name in the release: the dataset id, or ``<repository>_records``."""
        return self.dataset if self.dataset is not None else f"{self.repository}_records"


class Filter(Closed):
    """One row filter: ``column op value``; ``in`` takes a list."""

    column: Column
    op: FilterOp
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_fits_op(self) -> Filter:
        listed = isinstance(self.value, list)
        if self.op == "in" and (not listed or not self.value):
            raise FieldValueError(("value",), "operator 'in' takes a non-empty list of values")
        if self.op != "in" and listed:
            raise FieldValueError(("value",), f"operator {self.op!r} takes one value, not a list")
        return self


class Measure(Closed):
    """One aggregate: ``count`` (of rows, or of a column's non-null values), ``sum``, ``avg``."""

    function: MeasureFunction
    column: Column | None = Field(default=None, description="absent: count of rows")

    @model_validator(mode="after")
    def _column_when_needed(self) -> Measure:
        if self.function != "count" and self.column is None:
            raise FieldValueError(("column",), f"{self.function} needs a column")
        return self


class Aggregation(Closed):
    """Group the rows and release one row per group (a cell); cells under k are suppressed."""

    group_by: list[Column] = Field(min_length=1)
    measures: dict[Annotated[str, Field(pattern=IDENT, max_length=64)], Measure] = Field(
        min_length=1, description="output column → measure"
    )


class Product(Closed):
    """One authorised data product: who receives what, why, under which authorisation.

    The names a file uses are checked against each other here (group-by and measure columns
    are among ``columns``; quasi-identifiers too; an approval names a source); the loader
    checks them against the registry.
    """

    id: str = Field(pattern=IDENT, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1)
    consumer: Consumer
    purpose: str = Field(min_length=1, max_length=500)
    authorisation: Authorisation
    sources: list[Source] = Field(min_length=1)
    columns: list[Column] = Field(
        min_length=1, description="the source columns released (or aggregated)"
    )
    filters: list[Filter] = Field(default_factory=list)
    aggregation: Aggregation | None = None
    grade_ceiling: Grade = Field(description="no released or filtered column may grade above")
    approvals: list[Approval] = Field(
        default_factory=list, description="one per IMP or CORE dataset the product reads"
    )
    quasi_identifiers: list[Column] | None = Field(
        default=None,
        description="absent: the columns the classification marked quasi-identifying",
    )
    k: int = Field(default=DEFAULT_K, ge=2, le=1000, description="k-anonymity (default 10)")
    schedule: str = "@monthly"
    expires: date
    destination: str | None = Field(
        default=None,
        min_length=1,
        description="absent: $PUBDATA_HOME/products/<consumer uscc>/<product id>",
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        if value in AIRFLOW_PRESETS:
            return value
        problem = cron_problem(value)
        if problem:
            raise ValueError(f"not a valid schedule ({problem}); expected a preset or a cron")
        return value

    @model_validator(mode="after")
    def _names_agree(self) -> Product:
        found = [*self._column_problems(), *self._approval_problems()]
        if found:
            raise FieldValueErrors(found)
        return self

    def _column_problems(self) -> list[FieldValueError]:
        found: list[FieldValueError] = []
        seen: set[str] = set()
        for index, column in enumerate(self.columns):
            if column in seen:
                found.append(FieldValueError(("columns", str(index)), f"{column!r} listed twice"))
            seen.add(column)

        def need(where: tuple[str, ...], column: str) -> None:
            if column not in seen:
                hint = did_you_mean(column, seen)
                found.append(
                    FieldValueError(where, f"{column!r} is not among the product's columns{hint}")
                )

        found += self._aggregation_problems(need)
        for index, column in enumerate(self.quasi_identifiers or []):
            need(("quasi_identifiers", str(index)), column)
        return found

    def _aggregation_problems(
        self, need: Callable[[tuple[str, ...], str], None]
    ) -> list[FieldValueError]:
        found: list[FieldValueError] = []
        if self.aggregation is not None:
            for index, column in enumerate(self.aggregation.group_by):
                need(("aggregation", "group_by", str(index)), column)
            for name, measure in self.aggregation.measures.items():
                if measure.column is not None:
                    need(("aggregation", "measures", name, "column"), measure.column)
                if name in self.aggregation.group_by:
                    found.append(
                        FieldValueError(
                            ("aggregation", "measures", name), f"{name!r} is a group-by column"
                        )
                    )
        return found

    def _approval_problems(self) -> list[FieldValueError]:
        datasets = [s.dataset for s in self.sources if s.dataset is not None]
        found = []
        for index, approval in enumerate(self.approvals):
            if approval.dataset not in datasets:
                hint = did_you_mean(approval.dataset, datasets)
                found.append(
                    FieldValueError(
                        ("approvals", str(index), "dataset"),
                        f"{approval.dataset!r} is not a source of this product{hint}",
                    )
                )
        return found

    @property
    def read_columns(self) -> tuple[str, ...]:
        """Every source column the product touches: its columns, then filter-only columns."""
        return tuple(dict.fromkeys((*self.columns, *(f.column for f in self.filters))))

    def approval_for(self, dataset_id: str) -> Approval | None:
        """The approval the file records for ``dataset_id``, if any."""
        return next((a for a in self.approvals if a.dataset == dataset_id), None)

    @property
    def dag_id(self) -> str:
        """The product's Airflow DAG: ``product__<id>``."""
        return f"product__{self.id}"

    def expired(self, day: date) -> bool:
        """Whether the product's authorisation has run out on ``day`` (after ``expires``)."""
        return day > self.expires
