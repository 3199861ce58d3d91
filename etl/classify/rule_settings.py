"""Thresholds of the dataset rules (classification.md §2), with the spec's defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from etl.errors import ConfigError


@dataclass(frozen=True)
class RuleSettings:
    """Configurable thresholds of the dataset rules.

    Attributes:
        quasi_identifier_threshold: R2 fires at this many distinct quasi-identifier kinds.
        minor_age: R4: a person younger than this at the logical date is a minor (PIPL Art. 28).
        persons_important: R5: distinct persons that make the dataset an ``IMP`` candidate.
        persons_l4_important: R5: distinct persons with an L4 attribute that do the same.
        k_anonymity: R7: smallest count every released cell of an aggregate must have.
        series_min_fixes: location series: average rows per vehicle/person key from which
            coordinates form a track (行踪轨迹).
    """

    quasi_identifier_threshold: int = 3
    minor_age: int = 14
    persons_important: int = 1_000_000
    persons_l4_important: int = 10_000
    k_anonymity: int = 10
    series_min_fixes: float = 2.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 1:
                raise ConfigError(f"rule setting {f.name} must be a number >= 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> RuleSettings:
        """Build from a mapping (registry or settings); unknown keys are an error.

        Args:
            values: setting name → value; missing names keep the spec's default.

        Returns:
            The settings.

        Raises:
            ConfigError: on an unknown name or a value that is not a number >= 1.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(
                f"unknown rule setting {unknown[0]!r}; expected one of {', '.join(sorted(known))}"
            )
        return cls(**values)  # type: ignore[arg-type]
