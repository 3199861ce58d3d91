"""Registry models for normalization and schema changes, declared per dataset.

Pure pydantic: importing this module must stay cheap (DAG files parse the registry), so the
vectorized code that applies these settings lives in :mod:`etl.extract.normalize`.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from etl.registry.closed import Closed


def power_of_ten(factor: float) -> int | None:
    """The ``k`` with ``factor == 10**k`` (万 = 4, 分 = -2), or None for any other factor.

    A decimal column applies only such factors: they move the decimal point, exactly.
    """
    from decimal import Decimal

    exact = Decimal(repr(float(factor))).normalize()
    sign, digits, exponent = exact.as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int):
        return None
    return exponent


#: Texts that mean "no value" (after trimming); the default of ``normalize.null_markers``.
DEFAULT_NULL_MARKERS: tuple[str, ...] = ("", "NULL", "null", "无", "—", "/")


class NumberSpec(Closed):
    """How to read one numeric column whose values carry units.

    ``scale`` multiplies every value (a header ``注册资本（万元）`` over plain numbers: 10000);
    a value ending in one of ``suffixes`` is multiplied by that suffix's factor instead
    (``{万元: 10000, 元: 1}``). A value with an unlisted suffix does not parse and its row is
    quarantined.
    """

    scale: float = Field(default=1.0, gt=0)
    suffixes: dict[str, float] = Field(default_factory=dict)

    @field_validator("suffixes")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        for suffix, factor in value.items():
            if not suffix.strip():
                raise ValueError("a unit suffix must not be empty")
            if factor <= 0:
                raise ValueError(f"the factor of unit suffix {suffix!r} must be positive")
        return value


class DatesSpec(Closed):
    """Date spellings accepted beyond the built-in ones.

    Built in: ``2023-05-12``, ``2023/5/12``, ``2023.05.12``, ``20230512``, ``2023年5月12日``,
    each optionally followed by a time.
    """

    excel_serial: bool = Field(
        default=False,
        description="accept Excel serial day numbers (45444 = 2024-06-01) in date columns",
    )


class NormalizeSpec(Closed):
    """Normalization of a delivery, applied before the declared types.

    When a dataset declares ``normalize``, trimming, full-width conversion and null markers apply
    to every column (string columns included); without it only typed columns are normalized.
    """

    rename: dict[str, str] = Field(
        default_factory=dict,
        description="delivered header (after cleanup) -> canonical column name",
    )
    null_markers: list[str] = Field(default_factory=lambda: list(DEFAULT_NULL_MARKERS))
    fullwidth: bool = Field(
        default=True, description="full-width ASCII forms and U+3000 become half-width"
    )
    trim: bool = Field(default=True, description="strip leading/trailing whitespace")
    dates: DatesSpec = Field(default_factory=DatesSpec)
    numbers: dict[str, NumberSpec] = Field(
        default_factory=dict, description="canonical column -> units of its numeric values"
    )

    @field_validator("rename")
    @classmethod
    def _targets_unique(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[str, str] = {}
        for delivered, canonical in value.items():
            if not canonical.strip():
                raise ValueError(f"rename of {delivered!r} has an empty target name")
            if canonical in seen:
                raise ValueError(
                    f"rename maps both {seen[canonical]!r} and {delivered!r} to {canonical!r}"
                )
            seen[canonical] = delivered
        return value


class SchemaChangesSpec(Closed):
    """Schema changes a person has accepted; without them such a change stops the run."""

    removed: list[str] = Field(
        default_factory=list, description="columns allowed to be missing from deliveries"
    )
    retyped: list[str] = Field(
        default_factory=list, description="columns allowed to change their type"
    )
